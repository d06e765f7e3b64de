// The gas stage's run-based body mask and air components (pipeline/sparse/RunMask.h) against the
// dense kernels they replace, voxel for voxel: threshold -> fill_holes_per_slice -> 6-connected
// labelling -> largest component for the body; hysteresis inside the body -> 26-connected
// labelling -> component_stats for the air. Random volumes stress the connectivity (every
// corner and edge case of touching runs), a phantom scan gives the real shapes.
#include <gtest/gtest.h>

#include <random>

#include "datasets/phantom/Procedure.h"
#include "pipeline/gas/AirSegmentation.h"
#include "pipeline/gas/BodyMask.h"
#include "pipeline/ingest/Ingest.h"
#include "support/DenseGasReference.h"
#include "support/ScratchDir.h"

namespace {

using sij::test::dense_air;
using sij::test::dense_body;

void expect_same(const sij::Volume& v, const char* what) {
  const sij::gas::GasOptions options;
  const auto body = sij::gas::find_body(v, options);
  const auto reference_body = dense_body(v, options);
  ASSERT_EQ(body.mask.size(), reference_body.size());
  std::int64_t body_diff = 0;
  for (std::size_t i = 0; i < body.mask.size(); ++i) body_diff += body.mask[i] != reference_body[i];
  EXPECT_EQ(body_diff, 0) << what << ": body voxels that differ";
  EXPECT_EQ(body.runs.voxel_count(), std::count(reference_body.begin(), reference_body.end(), 1)) << what;

  const auto air = sij::gas::segment_air(v, body, options);
  const auto reference = dense_air(v, reference_body, options);
  ASSERT_EQ(air.count, reference.count) << what;
  const std::int32_t lo[3] = {0, 0, 0}, n[3] = {v.grid.nx, v.grid.ny, v.grid.nz};
  const auto labels = air.labels_in_box(lo, n);
  std::int64_t label_diff = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) label_diff += labels[i] != reference.labels[i];
  EXPECT_EQ(label_diff, 0) << what << ": air labels that differ (same numbering expected)";
  for (std::int32_t k = 0; k < air.count; ++k) {
    const auto& a = air.stats[static_cast<std::size_t>(k)];
    const auto& b = reference.stats[static_cast<std::size_t>(k)];
    EXPECT_EQ(a.voxel_count, b.voxel_count) << what << " component " << k + 1;
    for (int axis = 0; axis < 3; ++axis) {
      EXPECT_EQ(a.min_index[axis], b.min_index[axis]) << what << " component " << k + 1;
      EXPECT_EQ(a.max_index[axis], b.max_index[axis]) << what << " component " << k + 1;
      EXPECT_NEAR(a.centroid_mm[axis], b.centroid_mm[axis], 1e-6) << what << " component " << k + 1;
    }
    for (int e = 0; e < 6; ++e) EXPECT_NEAR(a.covariance_mm2[e], b.covariance_mm2[e], 1e-6) << what << " component " << k + 1;
  }
}

// Random HU per voxel from a few levels (tissue, partial-volume edge, air core, outside air),
// with a tissue frame on some slices so that holes and a dominant body exist.
sij::Volume random_volume(std::uint32_t seed) {
  std::mt19937 rng(seed);
  sij::Volume v;
  v.grid = sij::Grid{37, 29, 11, 0.8f, 0.7f, 1.25f};
  v.hu.resize(static_cast<std::size_t>(v.grid.voxel_count()));
  const std::int16_t levels[] = {40, 40, 40, -350, -600, -900, -1000};
  std::uniform_int_distribution<int> pick(0, 6);
  for (auto& h : v.hu) h = levels[pick(rng)];
  for (std::int32_t z = 0; z < v.grid.nz; z += 2)
    for (std::int32_t y = 0; y < v.grid.ny; ++y)
      for (std::int32_t x = 0; x < v.grid.nx; ++x) {
        if (x == 2 || x == v.grid.nx - 3 || y == 2 || y == v.grid.ny - 3) v.hu[static_cast<std::size_t>(v.grid.index(x, y, z))] = 40;
      }
  return v;
}

TEST(GasRunMask, RandomVolumesMatchTheDenseKernels) {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    const auto v = random_volume(seed);
    expect_same(v, ("random seed " + std::to_string(seed)).c_str());
    if (HasFailure()) break;
  }
}

TEST(GasRunMask, EmptyAndFullVolumes) {
  sij::Volume v;
  v.grid = sij::Grid{9, 7, 3, 1.f, 1.f, 1.f};
  v.hu.assign(static_cast<std::size_t>(v.grid.voxel_count()), -1000);
  expect_same(v, "all air");
  v.hu.assign(v.hu.size(), 40);
  expect_same(v, "all tissue");
}

TEST(GasRunMask, PhantomScanMatchesTheDenseKernels) {
  const sij::test::ScratchDir dir("gas_run_mask");
  sij::phantom::PhantomOptions o;
  o.seed = 3;
  o.size = sij::phantom::PhantomSize::Test;
  o.only_scans = {3};
  o.out_dir = dir.path().string();
  sij::phantom::generate_procedure(o);
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().filename().string().rfind("scan_03", 0) != 0) continue;
    const auto v = sij::ingest::ingest((e.path() / "dicom").string());
    expect_same(v, "phantom seed 3 post-injection");
  }
}

}  // namespace
