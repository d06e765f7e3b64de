// Connected-component labelling and component statistics against an independent flood fill:
// identical label volumes (same raster numbering), for every connectivity.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/core/Buffer.h"
#include "support/BackendParam.h"
#include "support/RandomVolumes.h"
#include "support/ReferenceLabels.h"

namespace sij {
namespace {

class ConnectedComponentsTest : public test::BackendTest {
 protected:
  // Labels `mask` on the backend (output poisoned first) and compares with the reference.
  void expect_matches_reference(const std::vector<std::uint8_t>& mask, const Grid& g,
                                Connectivity connectivity, const std::string& what) {
    std::vector<std::int32_t> expected;
    const std::int32_t expected_count = test::reference_labels(mask, g, connectivity, expected);
    auto d_mask = Buffer<std::uint8_t>::from_host(backend(), mask);
    Buffer<std::int32_t> d_labels(backend(), mask.size());
    d_labels.fill_bytes(0xFF);
    const std::int32_t count = label_components(backend(), d_mask.data(), d_labels.data(), g, connectivity);
    const auto labels = d_labels.to_host();
    ASSERT_EQ(count, expected_count) << what << " " << test::connectivity_name(connectivity);
    for (std::size_t i = 0; i < mask.size(); ++i) {
      ASSERT_EQ(labels[i], expected[i]) << what << " " << test::connectivity_name(connectivity)
                                        << " voxel " << i;
    }
  }
};

TEST_P(ConnectedComponentsTest, MatchesFloodFillOnRandomMasks) {
  const Grid g{37, 29, 23, 0.7f, 0.7f, 1.25f};
  for (const double density : {0.05, 0.2, 0.35, 0.5, 0.65, 0.8}) {
    for (const Connectivity c : test::all_connectivities) {
      const auto seed = test::fresh_seed();
      expect_matches_reference(test::random_mask(g, density, seed), g, c,
                               "density " + std::to_string(density) + " seed " + std::to_string(seed));
    }
  }
}

TEST_P(ConnectedComponentsTest, MatchesFloodFillOnOddShapes) {
  for (const Grid& g : test::odd_shapes()) {
    for (const double density : {0.2, 0.5, 0.8}) {
      for (const Connectivity c : test::all_connectivities) {
        const auto seed = test::fresh_seed();
        expect_matches_reference(test::random_mask(g, density, seed), g, c,
                                 "grid " + std::to_string(g.nx) + "x" + std::to_string(g.ny) + "x" +
                                     std::to_string(g.nz) + " density " + std::to_string(density) +
                                     " seed " + std::to_string(seed));
      }
    }
  }
}

TEST_P(ConnectedComponentsTest, EmptyAndFullVolumes) {
  const Grid g{9, 8, 7, 0.7f, 0.7f, 1.25f};
  for (const Connectivity c : test::all_connectivities) {
    expect_matches_reference(std::vector<std::uint8_t>(g.voxel_count(), 0), g, c, "empty");
    expect_matches_reference(std::vector<std::uint8_t>(g.voxel_count(), 1), g, c, "full");
  }
}

// A hollow cube: one shell; 26- and 6-connectivity agree, while each slice of the walls is a
// ring (one component per slice) and the lids are squares.
TEST_P(ConnectedComponentsTest, HollowCube) {
  const Grid g{12, 12, 12, 0.7f, 0.7f, 1.25f};
  std::vector<std::uint8_t> mask(g.voxel_count(), 0);
  for (int z = 2; z <= 9; ++z)
    for (int y = 2; y <= 9; ++y)
      for (int x = 2; x <= 9; ++x)
        mask[g.index(x, y, z)] = (x == 2 || x == 9 || y == 2 || y == 9 || z == 2 || z == 9);
  for (const Connectivity c : test::all_connectivities) expect_matches_reference(mask, g, c, "hollow cube");

  auto d_mask = Buffer<std::uint8_t>::from_host(backend(), mask);
  Buffer<std::int32_t> d_labels(backend(), mask.size());
  EXPECT_EQ(label_components(backend(), d_mask.data(), d_labels.data(), g, Connectivity::Face6), 1);
  EXPECT_EQ(label_components(backend(), d_mask.data(), d_labels.data(), g, Connectivity::SliceFace4), 8);
}

// A square spiral in one slice: a single long path whose runs are joined in an order that
// makes deep union-find chains. Diagonal-only contacts distinguish 4- from 8-connectivity.
TEST_P(ConnectedComponentsTest, SpiralAndDiagonalContacts) {
  const Grid g{41, 41, 3, 0.7f, 0.7f, 1.25f};
  std::vector<std::uint8_t> mask(g.voxel_count(), 0);
  int x = 0, y = 0, dx = 1, dy = 0, length = 40, drawn = 0;
  while (length > 0) {
    for (int s = 0; s < length; ++s) {
      mask[g.index(x, y, 1)] = 1;
      x += dx;
      y += dy;
    }
    const int t = dx;
    dx = -dy;
    dy = t;
    if (++drawn % 2 == 0) length -= 2;
  }
  for (const Connectivity c : test::all_connectivities) expect_matches_reference(mask, g, c, "spiral");
  auto d_mask = Buffer<std::uint8_t>::from_host(backend(), mask);
  Buffer<std::int32_t> d_labels(backend(), mask.size());
  EXPECT_EQ(label_components(backend(), d_mask.data(), d_labels.data(), g, Connectivity::Face6), 1);

  // A diagonal staircase in slice 0: 8-connected one component, 4-connected one per voxel.
  std::vector<std::uint8_t> stairs(g.voxel_count(), 0);
  for (int i = 0; i < 20; ++i) stairs[g.index(i, i, 0)] = 1;
  for (const Connectivity c : test::all_connectivities) expect_matches_reference(stairs, g, c, "stairs");
  auto d_stairs = Buffer<std::uint8_t>::from_host(backend(), stairs);
  EXPECT_EQ(label_components(backend(), d_stairs.data(), d_labels.data(), g, Connectivity::SliceFull8), 1);
  EXPECT_EQ(label_components(backend(), d_stairs.data(), d_labels.data(), g, Connectivity::SliceFace4), 20);
}

// A ring in one slice: one component in every connectivity; the voxel above it in the next
// slice joins it in 3D only.
TEST_P(ConnectedComponentsTest, RingInOneSlice) {
  const Grid g{15, 15, 3, 0.7f, 0.7f, 1.25f};
  std::vector<std::uint8_t> mask(g.voxel_count(), 0);
  for (int y = 3; y <= 11; ++y)
    for (int x = 3; x <= 11; ++x)
      if (x == 3 || x == 11 || y == 3 || y == 11) mask[g.index(x, y, 1)] = 1;
  mask[g.index(11, 11, 2)] = 1;
  for (const Connectivity c : test::all_connectivities) expect_matches_reference(mask, g, c, "ring");
  auto d_mask = Buffer<std::uint8_t>::from_host(backend(), mask);
  Buffer<std::int32_t> d_labels(backend(), mask.size());
  EXPECT_EQ(label_components(backend(), d_mask.data(), d_labels.data(), g, Connectivity::Face6), 1);
  EXPECT_EQ(label_components(backend(), d_mask.data(), d_labels.data(), g, Connectivity::SliceFull8), 2);
}

// ---- component_stats -------------------------------------------------------------------------

void expect_stats_match_brute_force(Backend backend, const Grid& g,
                                    const std::vector<std::int32_t>& labels, std::int32_t count,
                                    const std::vector<std::int16_t>* hu) {
  auto d_labels = Buffer<std::int32_t>::from_host(backend, labels);
  Buffer<std::int16_t> d_hu;
  if (hu != nullptr) d_hu = Buffer<std::int16_t>::from_host(backend, *hu);
  const auto stats =
      component_stats(backend, d_labels.data(), hu ? d_hu.data() : nullptr, g, count);
  ASSERT_EQ(stats.size(), static_cast<std::size_t>(count));

  struct Brute {
    std::int64_t n = 0, intensity = 0;
    int lo[3] = {1 << 30, 1 << 30, 1 << 30}, hi[3] = {-1, -1, -1};
    long double sum[3] = {0, 0, 0};
    std::vector<std::array<double, 3>> points;
  };
  std::vector<Brute> brute(count);
  for (std::int64_t i = 0; i < g.voxel_count(); ++i) {
    if (labels[i] == 0) continue;
    Brute& b = brute[labels[i] - 1];
    std::int32_t c[3];
    g.coords(i, c[0], c[1], c[2]);
    ++b.n;
    if (hu) b.intensity += (*hu)[i];
    for (int a = 0; a < 3; ++a) {
      b.lo[a] = std::min(b.lo[a], c[a]);
      b.hi[a] = std::max(b.hi[a], c[a]);
    }
    b.points.push_back({c[0] * double(g.sx_mm), c[1] * double(g.sy_mm), c[2] * double(g.sz_mm)});
  }
  const int axes[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
  for (std::int32_t k = 0; k < count; ++k) {
    const Brute& b = brute[k];
    const ComponentStats& s = stats[k];
    ASSERT_EQ(s.voxel_count, b.n) << "label " << k + 1;
    ASSERT_EQ(s.intensity_sum, b.intensity) << "label " << k + 1;
    double mean[3] = {0, 0, 0};
    for (const auto& p : b.points)
      for (int a = 0; a < 3; ++a) mean[a] += p[a];
    for (int a = 0; a < 3; ++a) {
      mean[a] /= static_cast<double>(b.n);
      ASSERT_EQ(s.min_index[a], b.lo[a]) << "label " << k + 1 << " axis " << a;
      ASSERT_EQ(s.max_index[a], b.hi[a]) << "label " << k + 1 << " axis " << a;
      ASSERT_NEAR(s.centroid_mm[a], mean[a], 1e-9 * (1 + std::abs(mean[a]))) << "label " << k + 1;
    }
    for (int e = 0; e < 6; ++e) {
      double cov = 0;
      for (const auto& p : b.points) cov += (p[axes[e][0]] - mean[axes[e][0]]) * (p[axes[e][1]] - mean[axes[e][1]]);
      cov /= static_cast<double>(b.n);
      ASSERT_NEAR(s.covariance_mm2[e], cov, 1e-8 * (1 + std::abs(cov))) << "label " << k + 1 << " entry " << e;
    }
  }
}

TEST_P(ConnectedComponentsTest, StatsMatchBruteForce) {
  for (const Grid& g : test::odd_shapes()) {
    for (const double density : {0.3, 0.6}) {
      const auto mask = test::random_mask(g, density, test::fresh_seed());
      const auto hu = test::random_hu(g, -1024, 3071, test::fresh_seed());
      std::vector<std::int32_t> labels;
      const auto count = test::reference_labels(mask, g, Connectivity::Full26, labels);
      expect_stats_match_brute_force(backend(), g, labels, count, &hu);
    }
  }
}

TEST_P(ConnectedComponentsTest, StatsOfLabelsFromTheKernelWithoutIntensity) {
  const Grid g{40, 33, 21, 0.7f, 0.7f, 1.25f};
  const auto mask = test::random_mask(g, 0.4, test::fresh_seed());
  auto d_mask = Buffer<std::uint8_t>::from_host(backend(), mask);
  Buffer<std::int32_t> d_labels(backend(), mask.size());
  const auto count = label_components(backend(), d_mask.data(), d_labels.data(), g, Connectivity::Face6);
  expect_stats_match_brute_force(backend(), g, d_labels.to_host(), count, nullptr);
  EXPECT_TRUE(component_stats(backend(), d_labels.data(), nullptr, g, 0).empty());
}

// A single voxel far from the origin: the covariance must be exactly 0, which the naive
// double formula E[x^2] - E[x]^2 does not guarantee.
TEST_P(ConnectedComponentsTest, StatsOfOneVoxelAreExact) {
  const Grid g{300, 7, 200, 0.7f, 0.7f, 1.25f};
  std::vector<std::int32_t> labels(g.voxel_count(), 0);
  labels[g.index(299, 6, 199)] = 1;
  auto d_labels = Buffer<std::int32_t>::from_host(backend(), labels);
  const auto stats = component_stats(backend(), d_labels.data(), nullptr, g, 1);
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].voxel_count, 1);
  EXPECT_DOUBLE_EQ(stats[0].centroid_mm[0], 299 * double(0.7f));
  EXPECT_DOUBLE_EQ(stats[0].centroid_mm[2], 199 * double(1.25f));
  for (double c : stats[0].covariance_mm2) EXPECT_EQ(c, 0.0);
}

SIJ_INSTANTIATE_BACKENDS(ConnectedComponentsTest);

}  // namespace
}  // namespace sij
