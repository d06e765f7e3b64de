// Trilinear sampling and ray profiles against an independent long-double reference that
// spells out the 8 corner weights, on rotated grids with clinical (anisotropic) spacing.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Buffer.h"
#include "kernels/sampling/Sampling.h"
#include "support/BackendParam.h"
#include "support/RandomVolumes.h"

namespace sij {
namespace {

using Vec3L = std::array<long double, 3>;

constexpr float kOutside = -31337.25f;
// The kernel works in double and returns float; values up to a few thousand HU round to
// within 2.5e-4, so 1e-3 is float rounding and nothing else.
constexpr double kValueTolerance = 1e-3;

// A general rotation (axis (1, 2, 3), 0.6 rad) and an origin far from zero, as on a scanner
// whose table sits at z = -310 mm.
Affine3 rotated_affine() {
  const double axis_len = std::sqrt(14.0);
  const double u[3] = {1 / axis_len, 2 / axis_len, 3 / axis_len};
  const double c = std::cos(0.6), s = std::sin(0.6);
  Affine3 a;
  a.origin_mm[0] = -123.4;
  a.origin_mm[1] = 87.6;
  a.origin_mm[2] = -310.25;
  // Rodrigues: R = c I + s [u]x + (1 - c) u u^T.
  const double ux[3][3] = {{0, -u[2], u[1]}, {u[2], 0, -u[0]}, {-u[1], u[0], 0}};
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k)
      a.direction[r * 3 + k] = (r == k ? c : 0.0) + s * ux[r][k] + (1 - c) * u[r] * u[k];
  return a;
}

// A signed axis permutation with dyadic spacing and origin: every voxel centre is exactly
// representable as float millimetres and maps back to an exact integer index.
Affine3 permuted_affine() {
  Affine3 a;
  a.origin_mm[0] = -100.5;
  a.origin_mm[1] = 37.25;
  a.origin_mm[2] = -812.0;
  const double d[9] = {0, 0, -1, 1, 0, 0, 0, -1, 0};
  for (int k = 0; k < 9; ++k) a.direction[k] = d[k];
  return a;
}

Vec3L spacing_of(const Grid& g) { return {g.sx_mm, g.sy_mm, g.sz_mm}; }
std::array<std::int32_t, 3> size_of(const Grid& g) { return {g.nx, g.ny, g.nz}; }

Vec3L index_to_physical_ref(const Grid& g, const Affine3& a, const Vec3L& index) {
  const Vec3L s = spacing_of(g);
  Vec3L p;
  for (int r = 0; r < 3; ++r) {
    p[r] = a.origin_mm[r];
    for (int k = 0; k < 3; ++k) p[r] += static_cast<long double>(a.direction[r * 3 + k]) * s[k] * index[k];
  }
  return p;
}

// Inverse through the transpose (D is orthonormal), written out here independently.
Vec3L physical_to_index_ref(const Grid& g, const Affine3& a, const Vec3L& p) {
  const Vec3L s = spacing_of(g);
  Vec3L index;
  for (int k = 0; k < 3; ++k) {
    long double along = 0;
    for (int r = 0; r < 3; ++r) along += static_cast<long double>(a.direction[r * 3 + k]) * (p[r] - a.origin_mm[r]);
    index[k] = along / s[k];
  }
  return index;
}

// The reference interpolation: the cell's lower corner is floor(index) limited to n - 2 (so
// an index on the last centre uses the cell below it, with weight 1 on its top), and the
// value is the sum over the 8 corners of volume * product of 1-D weights.
long double trilinear_ref(const std::vector<std::int16_t>& hu, const Grid& g, const Vec3L& index) {
  const auto n = size_of(g);
  std::int64_t base[3];
  long double t[3];
  for (int k = 0; k < 3; ++k) {
    const long double limit = n[k] >= 2 ? n[k] - 2 : 0;
    long double b = std::floor(index[k]);
    b = std::min(std::max(b, 0.0L), limit);
    base[k] = static_cast<std::int64_t>(b);
    t[k] = n[k] >= 2 ? index[k] - b : 0.0L;
  }
  long double sum = 0;
  for (int corner = 0; corner < 8; ++corner) {
    const int d[3] = {corner & 1, (corner >> 1) & 1, (corner >> 2) & 1};
    long double weight = 1;
    std::int64_t at[3];
    for (int k = 0; k < 3; ++k) {
      weight *= d[k] ? t[k] : 1 - t[k];
      at[k] = std::min<std::int64_t>(base[k] + d[k], n[k] - 1);
    }
    sum += weight * hu[static_cast<std::size_t>((at[2] * g.ny + at[1]) * g.nx + at[0])];
  }
  return sum;
}

bool inside_ref(const Grid& g, const Vec3L& index) {
  const auto n = size_of(g);
  for (int k = 0; k < 3; ++k)
    if (index[k] < 0 || index[k] > n[k] - 1) return false;
  return true;
}

// The documented boundary rule: [0, n-1] widened by 1e-3 voxel, clamped back inside.
bool inside_with_slack(const Grid& g, const Vec3L& index) {
  const auto n = size_of(g);
  for (int k = 0; k < 3; ++k)
    if (index[k] < -1e-3L || index[k] > n[k] - 1 + 1e-3L) return false;
  return true;
}
Vec3L clamp_to_grid(const Grid& g, Vec3L index) {
  const auto n = size_of(g);
  for (int k = 0; k < 3; ++k) index[k] = std::min(std::max(index[k], 0.0L), static_cast<long double>(n[k] - 1));
  return index;
}

// Float millimetre points at random continuous indices: inside ones stay at least `margin`
// voxels from the boundary (0 on a 1-voxel axis), outside ones are at least `margin` out on
// one axis, so float rounding of the point cannot move either across the boundary slack.
std::vector<float> random_points(const Grid& g, const Affine3& a, std::size_t count,
                                 double inside_fraction, std::uint32_t seed) {
  constexpr long double margin = 0.01L;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<long double> unit(0, 1);
  const auto n = size_of(g);
  std::vector<float> points;
  for (std::size_t i = 0; i < count; ++i) {
    Vec3L index;
    for (int k = 0; k < 3; ++k) {
      index[k] = n[k] == 1 ? 0.0L : margin + unit(rng) * (n[k] - 1 - 2 * margin);
    }
    if (unit(rng) >= inside_fraction) {
      const int axis = static_cast<int>(unit(rng) * 3) % 3;
      const long double out = margin + unit(rng) * 2;
      index[axis] = unit(rng) < 0.5 ? -out : n[axis] - 1 + out;
    }
    const Vec3L p = index_to_physical_ref(g, a, index);
    for (int r = 0; r < 3; ++r) points.push_back(static_cast<float>(p[r]));
  }
  return points;
}

Vec3L point_at(const std::vector<float>& points, std::size_t i) {
  return {points[3 * i], points[3 * i + 1], points[3 * i + 2]};
}

class SamplingTest : public test::BackendTest {
 protected:
  std::vector<float> sample(const std::vector<std::int16_t>& hu, const Grid& g, const Affine3& a,
                            const std::vector<float>& points) {
    auto d_hu = Buffer<std::int16_t>::from_host(backend(), hu);
    auto d_points = Buffer<float>::from_host(backend(), points);
    Buffer<float> d_values(backend(), points.size() / 3);
    d_values.fill_bytes(0xFF);  // poison: NaN unless written
    sample_trilinear(backend(), d_hu.data(), g, a, d_points.data(),
                     static_cast<std::int64_t>(points.size() / 3), d_values.data(), kOutside);
    return d_values.to_host();
  }
};

TEST_P(SamplingTest, MatchesEightCornerReferenceOnRotatedOddShapes) {
  const Affine3 affine = rotated_affine();
  for (const Grid& g : test::odd_shapes()) {
    const auto hu = test::random_hu(g, -1024, 3000, test::fresh_seed());
    const auto points = random_points(g, affine, 4000, 0.7, test::fresh_seed());
    const auto values = sample(hu, g, affine, points);
    int inside_count = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const Vec3L index = physical_to_index_ref(g, affine, point_at(points, i));
      if (!inside_with_slack(g, index)) {
        ASSERT_EQ(values[i], kOutside) << "point " << i << " in " << g.nx << "x" << g.ny << "x" << g.nz;
        continue;
      }
      ++inside_count;
      ASSERT_NEAR(values[i], static_cast<double>(trilinear_ref(hu, g, clamp_to_grid(g, index))),
                  kValueTolerance)
          << "point " << i << " index (" << static_cast<double>(index[0]) << ", "
          << static_cast<double>(index[1]) << ", " << static_cast<double>(index[2]) << ") in "
          << g.nx << "x" << g.ny << "x" << g.nz;
    }
    EXPECT_GT(inside_count, 1000) << "the test must exercise interpolation";
  }
}

TEST_P(SamplingTest, ExactAtVoxelCentres) {
  // Dyadic spacing and a signed permutation: centres are exact, so values must be too.
  for (const Grid& shape : {Grid{1, 1, 1}, Grid{7, 13, 5}, Grid{16, 9, 11}}) {
    const Grid g{shape.nx, shape.ny, shape.nz, 0.75f, 0.75f, 1.25f};
    const Affine3 affine = permuted_affine();
    const auto hu = test::random_hu(g, -1024, 3000, test::fresh_seed());
    std::vector<float> points;
    for (std::int64_t i = 0; i < g.voxel_count(); ++i) {
      std::int32_t x, y, z;
      g.coords(i, x, y, z);
      const Vec3L p = index_to_physical_ref(g, affine, Vec3L{1.0L * x, 1.0L * y, 1.0L * z});
      for (int r = 0; r < 3; ++r) {
        ASSERT_EQ(static_cast<long double>(static_cast<float>(p[r])), p[r]) << "not exact: bad test";
        points.push_back(static_cast<float>(p[r]));
      }
    }
    const auto values = sample(hu, g, affine, points);
    for (std::size_t i = 0; i < hu.size(); ++i) ASSERT_EQ(values[i], hu[i]) << "voxel " << i;
  }
}

TEST_P(SamplingTest, RotatedCentresMatchReference) {
  // With a general rotation the float points are a few 1e-5 voxel off the centres; the
  // result must still be the reference at those points (and so within a fraction of an HU).
  const Affine3 affine = rotated_affine();
  const Grid g{7, 13, 5, 0.7f, 0.7f, 1.25f};
  const auto hu = test::random_hu(g, -1024, 3000, test::fresh_seed());
  std::vector<float> points;
  for (std::int64_t i = 0; i < g.voxel_count(); ++i) {
    std::int32_t x, y, z;
    g.coords(i, x, y, z);
    const Vec3L p = index_to_physical_ref(g, affine, Vec3L{1.0L * x, 1.0L * y, 1.0L * z});
    for (int r = 0; r < 3; ++r) points.push_back(static_cast<float>(p[r]));
  }
  const auto values = sample(hu, g, affine, points);
  for (std::size_t i = 0; i < hu.size(); ++i) {
    const Vec3L index = clamp_to_grid(g, physical_to_index_ref(g, affine, point_at(points, i)));
    ASSERT_NEAR(values[i], static_cast<double>(trilinear_ref(hu, g, index)), kValueTolerance) << i;
    ASSERT_NEAR(values[i], hu[i], 0.5) << "voxel " << i;
  }
}

TEST_P(SamplingTest, ReproducesAffineIntensityExactly) {
  // Trilinear interpolation is exact for functions linear in the index.
  const Affine3 affine = rotated_affine();
  const Grid g{7, 13, 5, 0.7f, 0.7f, 1.25f};
  std::mt19937 rng(test::fresh_seed());
  std::uniform_int_distribution<int> slope(-40, 40);
  const int a0 = -300, ax = slope(rng), ay = slope(rng), az = slope(rng);
  std::vector<std::int16_t> hu(static_cast<std::size_t>(g.voxel_count()));
  for (std::int64_t i = 0; i < g.voxel_count(); ++i) {
    std::int32_t x, y, z;
    g.coords(i, x, y, z);
    hu[i] = static_cast<std::int16_t>(a0 + ax * x + ay * y + az * z);
  }
  const auto points = random_points(g, affine, 5000, 1.0, test::fresh_seed());
  const auto values = sample(hu, g, affine, points);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Vec3L index = physical_to_index_ref(g, affine, point_at(points, i));
    const long double expected = a0 + ax * index[0] + ay * index[1] + az * index[2];
    ASSERT_NEAR(values[i], static_cast<double>(expected), kValueTolerance) << "point " << i;
  }
}

TEST_P(SamplingTest, OutsideHandling) {
  const Affine3 affine = permuted_affine();
  const auto nan = std::numeric_limits<float>::quiet_NaN();
  {
    // A single voxel: only its centre (within the 1e-3 voxel slack) is inside.
    const Grid g{1, 1, 1, 0.75f, 0.75f, 1.25f};
    const std::vector<std::int16_t> hu{1234};
    std::vector<float> points;
    const auto add = [&](long double x, long double y, long double z) {
      const Vec3L p = index_to_physical_ref(g, affine, Vec3L{1.0L * x, 1.0L * y, 1.0L * z});
      for (int r = 0; r < 3; ++r) points.push_back(static_cast<float>(p[r]));
    };
    add(0, 0, 0);
    add(0.0005L, -0.0005L, 0);
    for (int axis = 0; axis < 3; ++axis) {
      for (long double offset : {-0.01L, 0.01L}) {
        Vec3L index{0, 0, 0};
        index[axis] = offset;
        add(index[0], index[1], index[2]);
      }
    }
    points.insert(points.end(), {nan, 0.f, 0.f});
    const auto values = sample(hu, g, affine, points);
    EXPECT_EQ(values[0], 1234.f);
    EXPECT_EQ(values[1], 1234.f);
    for (std::size_t i = 2; i < values.size(); ++i) EXPECT_EQ(values[i], kOutside) << "point " << i;
  }
  {
    // Corners of 7x13x5 are inside and exact; a hundredth of a voxel beyond is outside.
    const Grid g{7, 13, 5, 0.75f, 0.75f, 1.25f};
    const auto hu = test::random_hu(g, -1024, 3000, test::fresh_seed());
    std::vector<float> points;
    std::vector<float> expected;
    const auto add = [&](long double x, long double y, long double z, float value) {
      const Vec3L p = index_to_physical_ref(g, affine, Vec3L{1.0L * x, 1.0L * y, 1.0L * z});
      for (int r = 0; r < 3; ++r) points.push_back(static_cast<float>(p[r]));
      expected.push_back(value);
    };
    add(6, 12, 4, hu[g.index(6, 12, 4)]);
    add(0, 0, 0, hu[g.index(0, 0, 0)]);
    add(6, 0, 4, hu[g.index(6, 0, 4)]);
    add(6.015625L, 12, 4, kOutside);
    add(3, 12.015625L, 2, kOutside);
    add(3, 5, 4.015625L, kOutside);
    add(-0.015625L, 5, 2, kOutside);
    add(3, -0.015625L, 2, kOutside);
    add(3, 5, -0.015625L, kOutside);
    add(-1000, 5, 2, kOutside);
    points.insert(points.end(), {0.f, nan, 0.f});
    expected.push_back(kOutside);
    const auto values = sample(hu, g, affine, points);
    for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i], expected[i]) << "point " << i;
  }
}

TEST_P(SamplingTest, RayProfileEqualsSampleTrilinear) {
  const Affine3 affine = rotated_affine();
  const Grid g{16, 9, 11, 0.7f, 0.7f, 1.25f};
  const auto hu = test::random_hu(g, -1024, 3000, test::fresh_seed());
  auto d_hu = Buffer<std::int16_t>::from_host(backend(), hu);
  const Vec3L centre = index_to_physical_ref(g, affine, {7.5L, 4, 5});
  constexpr std::int32_t kCount = 160;

  // Case 1: a start on a 1/64 mm lattice, an axis direction (given unnormalised) and a
  // dyadic step make every ray point exact in float, so both kernels see the same point and
  // must return the same bits. The ray is oblique to the rotated grid and leaves it.
  {
    const double start[3] = {std::round(static_cast<double>(centre[0]) * 64) / 64,
                             std::round(static_cast<double>(centre[1]) * 64) / 64,
                             std::round(static_cast<double>(centre[2]) * 64) / 64 - 20.0};
    const double direction[3] = {0, 0, 3};  // normalised by ray_profile
    const double step = 0.25;
    Buffer<float> d_profile(backend(), kCount);
    d_profile.fill_bytes(0xFF);
    ray_profile(backend(), d_hu.data(), g, affine, start, direction, step, kCount,
                d_profile.data(), kOutside);
    std::vector<float> points;
    for (int k = 0; k < kCount; ++k) {
      const double p[3] = {start[0], start[1], start[2] + k * step};
      for (double c : p) {
        ASSERT_EQ(static_cast<double>(static_cast<float>(c)), c) << "not exact: bad test";
        points.push_back(static_cast<float>(c));
      }
    }
    const auto profile = d_profile.to_host();
    const auto values = sample(hu, g, affine, points);
    int inside = 0, outside = 0;
    for (int k = 0; k < kCount; ++k) {
      ASSERT_EQ(profile[k], values[k]) << "sample " << k;
      (profile[k] == kOutside ? outside : inside)++;
    }
    EXPECT_GT(inside, 20);
    EXPECT_GT(outside, 20);
  }

  // Case 2: an arbitrary direction and step. ray_profile computes its points in double, so it
  // must match the reference at the exact ray points; sample_trilinear at the same points
  // rounded to float agrees up to the HU that rounding moves (a few 1e-5 voxel).
  {
    const double start[3] = {static_cast<double>(centre[0]) - 7.3, static_cast<double>(centre[1]) + 4.1,
                             static_cast<double>(centre[2]) - 2.9};
    const double direction[3] = {2.0, -1.3, 0.7};
    const double length = std::sqrt(2.0 * 2.0 + 1.3 * 1.3 + 0.7 * 0.7);
    const double step = 0.137;
    Buffer<float> d_profile(backend(), kCount);
    d_profile.fill_bytes(0xFF);
    ray_profile(backend(), d_hu.data(), g, affine, start, direction, step, kCount,
                d_profile.data(), kOutside);
    const auto profile = d_profile.to_host();
    std::vector<float> points;
    std::vector<Vec3L> exact;
    for (int k = 0; k < kCount; ++k) {
      Vec3L p;
      for (int r = 0; r < 3; ++r) {
        p[r] = static_cast<long double>(start[r]) + k * step * (direction[r] / length);
        points.push_back(static_cast<float>(p[r]));
      }
      exact.push_back(p);
    }
    const auto values = sample(hu, g, affine, points);
    int inside = 0;
    for (int k = 0; k < kCount; ++k) {
      const Vec3L index = physical_to_index_ref(g, affine, exact[k]);
      bool near_boundary = false;
      for (int a = 0; a < 3; ++a) {
        near_boundary |= std::fabs(index[a]) < 0.01L || std::fabs(index[a] - (size_of(g)[a] - 1)) < 0.01L;
      }
      if (near_boundary) continue;
      if (!inside_ref(g, index)) {
        ASSERT_EQ(profile[k], kOutside) << "sample " << k;
        ASSERT_EQ(values[k], kOutside) << "sample " << k;
        continue;
      }
      ++inside;
      ASSERT_NEAR(profile[k], static_cast<double>(trilinear_ref(hu, g, index)), kValueTolerance)
          << "sample " << k;
      ASSERT_NEAR(profile[k], values[k], 0.5) << "sample " << k;
    }
    EXPECT_GT(inside, 20);
  }
}

TEST_P(SamplingTest, EmptyInputsWriteNothing) {
  const Grid g{7, 13, 5, 0.7f, 0.7f, 1.25f};
  const auto hu = test::random_hu(g, -1024, 3000, test::fresh_seed());
  auto d_hu = Buffer<std::int16_t>::from_host(backend(), hu);
  Buffer<float> d_values(backend(), 4);
  d_values.fill_bytes(0x7F);
  const std::vector<float> before = d_values.to_host();
  const double start[3] = {0, 0, 0}, direction[3] = {1, 0, 0};
  ray_profile(backend(), d_hu.data(), g, Affine3{}, start, direction, 1.0, 0, d_values.data(), kOutside);
  sample_trilinear(backend(), d_hu.data(), g, Affine3{}, nullptr, 0, d_values.data(), kOutside);
  const std::vector<float> after = d_values.to_host();
  for (std::size_t i = 0; i < after.size(); ++i) EXPECT_EQ(std::memcmp(&after[i], &before[i], 4), 0);
}

SIJ_INSTANTIATE_BACKENDS(SamplingTest);

}  // namespace
}  // namespace sij
