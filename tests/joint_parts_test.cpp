// Two parts of the joint stage on their own: the in-plane smoothing of a distance map (the
// directions of the facing test) against a brute-force distance to a voxelised tilted wall,
// and the steel-slice trim of the joint's posterior end against hand-built joint bands.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "pipeline/joint/GasWalls.h"
#include "pipeline/joint/SmoothedField.h"
#include "pipeline/joint/SteelSlices.h"

namespace {

using sij::Grid;
constexpr double kPi = 3.14159265358979323846;

TEST(SmoothedField, KeepsALinearRampAwayFromTheEdges) {
  const Grid g{30, 24, 3, 0.8f, 0.8f, 1.25f};
  std::vector<float> f(static_cast<std::size_t>(g.voxel_count()));
  for (std::int32_t z = 0; z < g.nz; ++z)
    for (std::int32_t y = 0; y < g.ny; ++y)
      for (std::int32_t x = 0; x < g.nx; ++x) f[static_cast<std::size_t>(g.index(x, y, z))] = 0.37f * x - 1.1f * y + 5.f * z;
  const std::vector<float> s = sij::joint::smoothed_in_plane(f, g, 2);
  // Two passes of a 5-tap kernel reach 4 voxels; inside that border a ramp is unchanged.
  for (std::int32_t z = 0; z < g.nz; ++z)
    for (std::int32_t y = 4; y < g.ny - 4; ++y)
      for (std::int32_t x = 4; x < g.nx - 4; ++x) {
        const auto i = static_cast<std::size_t>(g.index(x, y, z));
        ASSERT_NEAR(s[i], f[i], 1e-4) << x << " " << y << " " << z;
      }
}

TEST(SmoothedField, ZeroPassesIsTheField) {
  const Grid g{5, 4, 2, 1.f, 1.f, 1.f};
  std::vector<float> f(static_cast<std::size_t>(g.voxel_count()));
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(i * i % 7);
  EXPECT_EQ(sij::joint::smoothed_in_plane(f, g, 0), f);
}

// Largest angle (degrees) between the central-difference gradient of `d` and the wall normal
// `n`, over voxels 1.5-3 mm from the wall (where the joint space's mid-surface lies).
double worst_direction_error(const std::vector<float>& d, const std::vector<float>& exact, const Grid& g,
                             const double n[2]) {
  double worst = 0.0;
  for (std::int32_t y = 6; y < g.ny - 6; ++y) {
    for (std::int32_t x = 6; x < g.nx - 6; ++x) {
      const float e = exact[static_cast<std::size_t>(g.index(x, y, 0))];
      if (e < 1.5f || e > 3.0f) continue;
      const double gx = d[static_cast<std::size_t>(g.index(x + 1, y, 0))] - d[static_cast<std::size_t>(g.index(x - 1, y, 0))];
      const double gy = d[static_cast<std::size_t>(g.index(x, y + 1, 0))] - d[static_cast<std::size_t>(g.index(x, y - 1, 0))];
      const double len = std::hypot(gx / g.sx_mm, gy / g.sy_mm);
      const double c = (gx / g.sx_mm * n[0] + gy / g.sy_mm * n[1]) / len;
      worst = std::max(worst, std::acos(std::clamp(c, -1.0, 1.0)) * 180.0 / kPi);
    }
  }
  return worst;
}

// A flat wall at 22 degrees to the grid, voxelised (bone where the centre lies behind it): the
// exact distance to the nearest bone voxel centre steps along the staircase, and its gradient
// swings; after two smoothing passes it points along the wall's normal.
TEST(SmoothedField, StraightensTheDirectionsOffAVoxelStaircase) {
  const Grid g{48, 48, 1, 0.8f, 0.8f, 1.25f};
  const double angle = 22.0 * kPi / 180.0;
  const double n[2] = {std::cos(angle), std::sin(angle)};  // out of the bone
  const auto plane = [&](std::int32_t x, std::int32_t y) { return (x - 10.3) * g.sx_mm * n[0] + (y - 8.1) * g.sy_mm * n[1]; };
  std::vector<std::array<double, 2>> bone;
  for (std::int32_t y = 0; y < g.ny; ++y)
    for (std::int32_t x = 0; x < g.nx; ++x)
      if (plane(x, y) < 0) bone.push_back({x * double(g.sx_mm), y * double(g.sy_mm)});
  std::vector<float> d(static_cast<std::size_t>(g.voxel_count())), exact(d.size());
  for (std::int32_t y = 0; y < g.ny; ++y) {
    for (std::int32_t x = 0; x < g.nx; ++x) {
      double best = std::numeric_limits<double>::infinity();
      for (const auto& b : bone) best = std::min(best, std::hypot(x * g.sx_mm - b[0], y * g.sy_mm - b[1]));
      d[static_cast<std::size_t>(g.index(x, y, 0))] = static_cast<float>(best);
      exact[static_cast<std::size_t>(g.index(x, y, 0))] = static_cast<float>(std::max(0.0, plane(x, y)));
    }
  }
  const double raw = worst_direction_error(d, exact, g, n);
  const double smooth = worst_direction_error(sij::joint::smoothed_in_plane(d, g, 2), exact, g, n);
  std::printf("[joint] direction error off a 22-degree staircase: raw %.1f deg, smoothed %.1f deg\n", raw, smooth);
  EXPECT_GT(raw, 8.0);     // the swing the facing test could not take at a tight bound
  EXPECT_LT(smooth, 5.0);  // -0.95 allows 18 degrees between the two walls' directions
}

// A wall voxel read low because air, not cartilage, lies beside it: bone when a gas voxel is
// among its eight in-plane neighbours, not otherwise.
TEST(GasWalls, FaintWallBesideGasIsBone) {
  const Grid g{7, 5, 2, 0.8f, 0.8f, 1.25f};
  std::vector<std::int16_t> hu(static_cast<std::size_t>(g.voxel_count()), 55);
  const auto at = [&](int x, int y, int z) -> std::int16_t& { return hu[static_cast<std::size_t>(g.index(x, y, z))]; };
  at(1, 2, 0) = -900;  // gas
  at(2, 2, 0) = 420;   // cortex mixed with that gas: a wall
  at(2, 3, 0) = 420;   // diagonal... still beside the gas (8-neighbourhood)
  at(3, 3, 0) = 420;   // two voxels from the gas: a cortex-cartilage mixture, not touched
  at(0, 1, 0) = 250;   // below wall_hu beside gas: not bone
  at(2, 2, 1) = 420;   // gas only in the slice below: not beside it in-plane
  std::vector<std::uint8_t> bone(hu.size(), 0);
  bone[static_cast<std::size_t>(g.index(6, 4, 1))] = 1;  // already bone stays bone
  sij::joint::add_walls_beside_gas(hu, g, bone, {});
  const auto b = [&](int x, int y, int z) { return bone[static_cast<std::size_t>(g.index(x, y, z))]; };
  EXPECT_EQ(b(2, 2, 0), 1);
  EXPECT_EQ(b(2, 3, 0), 1);
  EXPECT_EQ(b(3, 3, 0), 0);
  EXPECT_EQ(b(0, 1, 0), 0);
  EXPECT_EQ(b(2, 2, 1), 0);
  EXPECT_EQ(b(6, 4, 1), 1);
  EXPECT_EQ(b(1, 2, 0), 0);  // the gas itself
  int total = 0;
  for (const auto v : bone) total += v;
  EXPECT_EQ(total, 3);
}

// A joint band in the box grid: per slice z, voxels x in [10, 14) and y from `end_y[z]` (the
// posterior end: LPS y = index y here, posterior = +y) down to y = 5. The anterior axis is -y,
// so u = -y.
struct Band {
  Grid g{30, 60, 0, 1.f, 1.f, 1.f};
  std::vector<std::int64_t> voxels;
  std::vector<std::array<float, 3>> points;
  std::vector<std::uint8_t> steel;
  explicit Band(const std::vector<int>& end_y) {
    g.nz = static_cast<std::int32_t>(end_y.size());
    steel.assign(static_cast<std::size_t>(g.voxel_count()), 0);
    for (std::int32_t z = 0; z < g.nz; ++z)
      for (std::int32_t y = 5; y <= end_y[static_cast<std::size_t>(z)]; ++y)
        for (std::int32_t x = 10; x < 14; ++x) {
          voxels.push_back(g.index(x, y, z));
          points.push_back({float(x), float(y), float(z)});
        }
  }
  int kept_end(const std::vector<std::size_t>& kept, std::int32_t z) const {
    int end = -1;
    for (const std::size_t k : kept)
      if (points[k][2] == float(z)) end = std::max(end, int(points[k][1]));
    return end;
  }
};

TEST(SteelSlices, InPlaneAxisPointsAnteriorAlongTheBand) {
  std::vector<std::array<float, 3>> pts;
  const double a = 22.0 * kPi / 180.0;  // to the sagittal plane, running anterior and lateral (+x)
  for (int k = 0; k < 40; ++k)
    for (int w = -2; w <= 2; ++w)
      pts.push_back({float(k * std::sin(a) + 0.3 * w * std::cos(a)), float(-k * std::cos(a) + 0.3 * w * std::sin(a)), 0.f});
  const auto axis = sij::joint::in_plane_axis(pts);
  EXPECT_NEAR(axis[0], std::sin(a), 1e-6);
  EXPECT_NEAR(axis[1], -std::cos(a), 1e-6);
  EXPECT_EQ(axis[2], 0.0);
}

TEST(SteelSlices, NoSteelKeepsEverything) {
  Band b({30, 31, 32, 33});
  const auto kept = sij::joint::trim_steel_slices(b.voxels, b.points, b.g, b.steel, {});
  EXPECT_EQ(kept.size(), b.voxels.size());
}

TEST(SteelSlices, SlicesByTheSteelTakeTheEndFromTheirCleanNeighbours) {
  // The opening moves one voxel per slice; slices 4 and 5 overshoot by 3 voxels beside steel.
  std::vector<int> end = {30, 31, 32, 33, 34 + 3, 35 + 3, 36, 37};
  Band b(end);
  for (const std::int32_t z : {4, 5}) b.steel[static_cast<std::size_t>(b.g.index(12, end[static_cast<std::size_t>(z)] - 1, z))] = 1;
  const auto kept = sij::joint::trim_steel_slices(b.voxels, b.points, b.g, b.steel, {});
  // Linear between slices 3 (33) and 6 (36): 34 and 35.
  EXPECT_EQ(b.kept_end(kept, 4), 34);
  EXPECT_EQ(b.kept_end(kept, 5), 35);
  for (const std::int32_t z : {0, 1, 2, 3, 6, 7}) EXPECT_EQ(b.kept_end(kept, z), end[static_cast<std::size_t>(z)]) << z;
  EXPECT_EQ(kept.size(), b.voxels.size() - 2 * 3 * 4);
}

TEST(SteelSlices, SteelFarFromTheEndOrAnUndershootChangesNothing) {
  std::vector<int> end = {30, 30, 27, 30, 30};  // slice 2 ends early (the steel cut the corner)
  Band b(end);
  b.steel[static_cast<std::size_t>(b.g.index(12, 26, 2))] = 1;  // by slice 2's end
  b.steel[static_cast<std::size_t>(b.g.index(12, 10, 3))] = 1;  // 20 voxels anterior of slice 3's end
  const auto kept = sij::joint::trim_steel_slices(b.voxels, b.points, b.g, b.steel, {});
  EXPECT_EQ(kept.size(), b.voxels.size());
}

TEST(SteelSlices, SteelAtTheTopSliceUsesTheNearestCleanSlice) {
  std::vector<int> end = {30, 31, 35};
  Band b(end);
  b.steel[static_cast<std::size_t>(b.g.index(11, 35, 2))] = 1;
  const auto kept = sij::joint::trim_steel_slices(b.voxels, b.points, b.g, b.steel, {});
  EXPECT_EQ(b.kept_end(kept, 2), 31);
}

}  // namespace
