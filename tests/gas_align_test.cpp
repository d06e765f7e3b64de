// Rigid alignment (pipeline/align) on a synthetic volume: a volume aligns to itself without
// moving, and a copy of the same analytic scene seen through a known rigid motion (3 mm, 2
// degrees: the phantom's largest) is aligned back within 0.2 mm. The phantom procedures' true patient
// motion is checked in tests/gas_phantom_test.cpp (AlignmentRecoversThePatientMotion).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "pipeline/align/RigidAlign.h"

namespace {

// A smooth "pelvis" of bone shapes (cortical level 1300 HU, 0.6 mm soft edges) in tissue.
double scene_hu(const double p[3]) {
  const auto edge = [](double inside_mm) { return 1.0 / (1.0 + std::exp(-inside_mm / 0.6)); };
  const double ball = 14.0 - std::sqrt((p[0] - 10) * (p[0] - 10) + (p[1] + 4) * (p[1] + 4) + (p[2] - 3) * (p[2] - 3));
  const double ellipsoid = 1.0 - std::sqrt((p[0] + 18) * (p[0] + 18) / 100.0 + (p[1] - 12) * (p[1] - 12) / 36.0 +
                                           (p[2] + 2) * (p[2] + 2) / 225.0);
  const double slab = 3.0 - std::fabs(0.8 * p[0] - 0.6 * p[1] - 20.0 + 0.2 * p[2]);
  const double bone = std::max({edge(ball), edge(ellipsoid * 8.0), edge(slab)});
  return 40.0 + 1260.0 * bone;
}

sij::Volume render(const sij::align::RigidTransform& scene_from_volume) {
  sij::Volume v;
  v.grid.nx = 96;
  v.grid.ny = 90;
  v.grid.nz = 40;
  v.grid.sx_mm = v.grid.sy_mm = 0.8f;
  v.grid.sz_mm = 1.25f;
  const double dirs[9] = {-1, 0, 0, 0, -1, 0, 0, 0, 1};  // prone HFP, as the phantoms
  std::copy(dirs, dirs + 9, v.affine.direction);
  v.affine.origin_mm[0] = 38.0;
  v.affine.origin_mm[1] = 36.0;
  v.affine.origin_mm[2] = -24.0;
  v.hu.resize(static_cast<std::size_t>(v.grid.voxel_count()));
  for (int z = 0; z < v.grid.nz; ++z)
    for (int y = 0; y < v.grid.ny; ++y)
      for (int x = 0; x < v.grid.nx; ++x) {
        const double idx[3] = {double(x), double(y), double(z)};
        double p[3], q[3];
        v.affine.index_to_physical(v.grid, idx, p);
        scene_from_volume.apply(p, q);
        v.hu[static_cast<std::size_t>(v.grid.index(x, y, z))] = static_cast<std::int16_t>(std::lround(scene_hu(q)));
      }
  return v;
}

TEST(GasAlignKnownMotion, RecoversARotationAndShift) {
  // The later scan sees the scene moved: its point p shows what the earlier scan shows at T(p).
  sij::align::RigidTransform truth;
  const double angle = 2.0 * M_PI / 180.0, k[3] = {0.48, 0.6, 0.64};  // unit axis
  const double c = std::cos(angle), s = std::sin(angle), v = 1 - c;
  const double r[9] = {c + k[0] * k[0] * v,        k[0] * k[1] * v - k[2] * s, k[0] * k[2] * v + k[1] * s,
                       k[1] * k[0] * v + k[2] * s, c + k[1] * k[1] * v,        k[1] * k[2] * v - k[0] * s,
                       k[2] * k[0] * v - k[1] * s, k[2] * k[1] * v + k[0] * s, c + k[2] * k[2] * v};
  std::copy(r, r + 9, truth.r);
  truth.t_mm[0] = 1.8;
  truth.t_mm[1] = -1.5;
  truth.t_mm[2] = 1.9;
  const sij::Volume previous = render(sij::align::RigidTransform{});
  const sij::Volume current = render(truth);
  const auto result = sij::align::align_rigid(current, previous);
  ASSERT_TRUE(result.ok);
  double worst = 0.0;
  for (double fx : {0.25, 0.5, 0.75})
    for (double fy : {0.25, 0.5, 0.75})
      for (double fz : {0.25, 0.5, 0.75}) {
        const double idx[3] = {fx * (current.grid.nx - 1), fy * (current.grid.ny - 1), fz * (current.grid.nz - 1)};
        double p[3], expected[3], found[3];
        current.affine.index_to_physical(current.grid, idx, p);
        truth.apply(p, expected);
        result.current_to_previous.apply(p, found);
        worst = std::max(worst, std::hypot(found[0] - expected[0], found[1] - expected[1], found[2] - expected[2]));
      }
  EXPECT_LT(worst, 0.2);
  EXPECT_LT(result.rms_residual_hu, result.rms_before_hu);
}

TEST(GasAlignIdentity, AVolumeAlignsToItselfWithoutMoving) {
  // A smooth synthetic "bone" (two slabs and a ball) on an anisotropic grid.
  sij::Volume v;
  v.grid.nx = 80;
  v.grid.ny = 70;
  v.grid.nz = 40;
  v.grid.sx_mm = v.grid.sy_mm = 0.8f;
  v.grid.sz_mm = 1.25f;
  v.hu.resize(static_cast<std::size_t>(v.grid.voxel_count()));
  for (int z = 0; z < v.grid.nz; ++z)
    for (int y = 0; y < v.grid.ny; ++y)
      for (int x = 0; x < v.grid.nx; ++x) {
        const double dx = x * 0.8 - 30, dy = y * 0.8 - 28, dz = z * 1.25 - 25;
        const bool ball = dx * dx + dy * dy + dz * dz < 15 * 15;
        const bool slab = std::fabs(x * 0.8 - 12 - 0.2 * z) < 3 || std::fabs(y * 0.8 - 45 + 0.3 * x) < 2.5;
        v.hu[static_cast<std::size_t>(v.grid.index(x, y, z))] = (ball || slab) ? 1200 : 40;
      }
  const auto result = sij::align::align_rigid(v, v);
  ASSERT_TRUE(result.ok);
  EXPECT_LT(result.current_to_previous.translation_mm(), 0.05);
  EXPECT_LT(result.current_to_previous.rotation_deg(), 0.05);
}

}  // namespace
