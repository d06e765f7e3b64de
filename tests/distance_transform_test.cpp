// Exact Euclidean distance transforms against a brute-force reference: for every voxel, the
// minimum over all voxels of the other class of the physical distance between centres.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "kernels/core/Buffer.h"
#include "kernels/edt/DistanceTransform.h"
#include "support/BackendParam.h"
#include "support/RandomVolumes.h"

namespace sij {
namespace {

constexpr double kToleranceMm = 1e-4;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Voxel {
  std::int32_t x, y, z;
};

// Distance (mm, double) from every voxel to the nearest voxel whose mask is `to_foreground`
// (nonzero) or background (zero); +infinity when there is none; 0 on the targets themselves.
// O(non-targets * targets).
std::vector<double> brute_force_distance(const std::vector<std::uint8_t>& mask, const Grid& g,
                                         bool to_foreground) {
  std::vector<Voxel> targets;
  for (std::int32_t z = 0; z < g.nz; ++z)
    for (std::int32_t y = 0; y < g.ny; ++y)
      for (std::int32_t x = 0; x < g.nx; ++x)
        if ((mask[g.index(x, y, z)] != 0) == to_foreground) targets.push_back({x, y, z});
  const double sx = g.sx_mm, sy = g.sy_mm, sz = g.sz_mm;
  std::vector<double> dist(mask.size(), kInf);
  for (std::int32_t z = 0; z < g.nz; ++z)
    for (std::int32_t y = 0; y < g.ny; ++y)
      for (std::int32_t x = 0; x < g.nx; ++x) {
        if ((mask[g.index(x, y, z)] != 0) == to_foreground) {
          dist[g.index(x, y, z)] = 0.0;
          continue;
        }
        double best = kInf;
        for (const Voxel& t : targets) {
          const double dx = (x - t.x) * sx, dy = (y - t.y) * sy, dz = (z - t.z) * sz;
          const double d2 = dx * dx + dy * dy + dz * dz;
          if (d2 < best) best = d2;
        }
        dist[g.index(x, y, z)] = std::sqrt(best);
      }
  return dist;
}

// Masks with structure (runs of foreground, interiors, holes) and with scattered voxels. On
// the 512x512x8 slab the foreground stays sparse so the brute force stays cheap, and the
// distances become long (hundreds of mm), which tests precision too.
std::vector<std::vector<std::uint8_t>> masks_for(const Grid& g, std::uint32_t seed) {
  std::vector<std::vector<std::uint8_t>> masks;
  const bool large = g.voxel_count() > 100000;
  if (large) {
    auto scattered = test::random_mask(g, 3e-5, seed);
    // A solid ball of radius 3 voxels: a foreground interior and long foreground runs.
    std::mt19937 rng(seed + 1);
    const int cx = std::uniform_int_distribution<int>(0, g.nx - 1)(rng);
    const int cy = std::uniform_int_distribution<int>(0, g.ny - 1)(rng);
    for (std::int32_t z = 0; z < g.nz; ++z)
      for (std::int32_t y = 0; y < g.ny; ++y)
        for (std::int32_t x = 0; x < g.nx; ++x) {
          const int dx = x - cx, dy = y - cy, dz = z - g.nz / 2;
          if (dx * dx + dy * dy + dz * dz <= 9) scattered[g.index(x, y, z)] = 1;
        }
    masks.push_back(std::move(scattered));
  } else {
    masks.push_back(test::random_mask(g, 0.3, seed));
    masks.push_back(test::random_mask(g, 0.85, seed + 1));  // mostly foreground
    masks.push_back(test::random_mask(g, 0.02, seed + 2));  // mostly background
  }
  return masks;
}

void expect_distance_near(double expected, float actual, const char* what, std::int64_t voxel) {
  if (std::isinf(expected)) {
    ASSERT_TRUE(std::isinf(actual) && (actual > 0) == (expected > 0))
        << what << " voxel " << voxel << ": expected " << expected << ", got " << actual;
  } else {
    ASSERT_NEAR(actual, expected, kToleranceMm) << what << " voxel " << voxel;
  }
}

class DistanceTransformTest : public test::BackendTest {
 protected:
  // Runs all three transforms on `mask` and checks every voxel against the brute force.
  void check_against_brute_force(const std::vector<std::uint8_t>& mask, const Grid& g) {
    const auto to_fg = brute_force_distance(mask, g, true);
    const auto to_bg = brute_force_distance(mask, g, false);
    auto d_mask = Buffer<std::uint8_t>::from_host(backend(), mask);
    Buffer<float> out(backend(), mask.size());

    out.fill_bytes(0xFF);  // poison (NaN): every voxel must be written
    distance_to_foreground_sq(backend(), d_mask.data(), out.data(), g);
    auto sq = out.to_host();
    for (std::size_t i = 0; i < mask.size(); ++i) {
      if (mask[i]) {
        ASSERT_EQ(sq[i], 0.f) << "foreground voxel " << i;
      } else {
        ASSERT_FALSE(std::isnan(sq[i])) << "voxel " << i;
        expect_distance_near(to_fg[i], std::sqrt(sq[i]), "squared", static_cast<std::int64_t>(i));
      }
    }

    out.fill_bytes(0xFF);
    distance_to_foreground(backend(), d_mask.data(), out.data(), g);
    auto dist = out.to_host();
    for (std::size_t i = 0; i < mask.size(); ++i) {
      expect_distance_near(to_fg[i], dist[i], "unsigned", static_cast<std::int64_t>(i));
    }

    out.fill_bytes(0xFF);
    signed_distance(backend(), d_mask.data(), out.data(), g);
    auto sd = out.to_host();
    for (std::size_t i = 0; i < mask.size(); ++i) {
      ASSERT_NE(sd[i], 0.f) << "voxel " << i;
      ASSERT_EQ(sd[i] < 0, mask[i] != 0) << "sign of voxel " << i;
      const double expected = mask[i] ? -to_bg[i] : to_fg[i];
      expect_distance_near(expected, sd[i], "signed", static_cast<std::int64_t>(i));
    }
  }
};

TEST_P(DistanceTransformTest, MatchesBruteForceOnOddShapes) {
  for (const Grid& g : test::odd_shapes()) {
    for (const auto& mask : masks_for(g, test::fresh_seed())) {
      SCOPED_TRACE(testing::Message() << g.nx << "x" << g.ny << "x" << g.nz);
      check_against_brute_force(mask, g);
    }
  }
}

TEST_P(DistanceTransformTest, MatchesBruteForceOnStronglyAnisotropicGrid) {
  const Grid g{23, 17, 9, 0.31f, 1.1f, 3.0f};
  for (const auto& mask : masks_for(g, test::fresh_seed())) check_against_brute_force(mask, g);
}

TEST_P(DistanceTransformTest, SolidBlobsMatchBruteForce) {
  // Balls of random size and place: long runs and deep interiors in every direction.
  const Grid g{37, 29, 17, 0.7f, 0.7f, 1.25f};
  std::mt19937 rng(test::fresh_seed());
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(g.voxel_count()), 0);
  for (int blob = 0; blob < 4; ++blob) {
    const double cx = std::uniform_real_distribution<double>(0, g.nx)(rng);
    const double cy = std::uniform_real_distribution<double>(0, g.ny)(rng);
    const double cz = std::uniform_real_distribution<double>(0, g.nz)(rng);
    const double r = std::uniform_real_distribution<double>(2.0, 7.0)(rng);
    for (std::int32_t z = 0; z < g.nz; ++z)
      for (std::int32_t y = 0; y < g.ny; ++y)
        for (std::int32_t x = 0; x < g.nx; ++x) {
          const double dx = (x - cx) * g.sx_mm, dy = (y - cy) * g.sy_mm, dz = (z - cz) * g.sz_mm;
          if (dx * dx + dy * dy + dz * dz <= r * r) mask[g.index(x, y, z)] = 1;
        }
  }
  check_against_brute_force(mask, g);
}

TEST_P(DistanceTransformTest, EmptyAndFullMasks) {
  for (const Grid& g : test::odd_shapes()) {
    const auto n = static_cast<std::size_t>(g.voxel_count());
    Buffer<std::uint8_t> mask(backend(), n);
    Buffer<float> out(backend(), n);
    const float inf = std::numeric_limits<float>::infinity();

    mask.fill_bytes(0);
    out.fill_bytes(0xFF);
    distance_to_foreground_sq(backend(), mask.data(), out.data(), g);
    for (float v : out.to_host()) ASSERT_EQ(v, inf);
    out.fill_bytes(0xFF);
    distance_to_foreground(backend(), mask.data(), out.data(), g);
    for (float v : out.to_host()) ASSERT_EQ(v, inf);
    out.fill_bytes(0xFF);
    signed_distance(backend(), mask.data(), out.data(), g);
    for (float v : out.to_host()) ASSERT_EQ(v, inf);

    mask.fill_bytes(1);
    out.fill_bytes(0xFF);
    distance_to_foreground_sq(backend(), mask.data(), out.data(), g);
    for (float v : out.to_host()) ASSERT_EQ(v, 0.f);
    out.fill_bytes(0xFF);
    distance_to_foreground(backend(), mask.data(), out.data(), g);
    for (float v : out.to_host()) ASSERT_EQ(v, 0.f);
    out.fill_bytes(0xFF);
    signed_distance(backend(), mask.data(), out.data(), g);
    for (float v : out.to_host()) ASSERT_EQ(v, -inf);
  }
}

TEST_P(DistanceTransformTest, SignedDistanceIsOneSpacingAcrossTheBoundary) {
  // One foreground voxel in the middle: it is -(smallest spacing) from the background, its
  // face neighbours +(their spacing) from the foreground.
  const Grid g{5, 5, 5, 0.7f, 0.9f, 1.25f};
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(g.voxel_count()), 0);
  mask[g.index(2, 2, 2)] = 1;
  auto d_mask = Buffer<std::uint8_t>::from_host(backend(), mask);
  Buffer<float> out(backend(), mask.size());
  out.fill_bytes(0xFF);
  signed_distance(backend(), d_mask.data(), out.data(), g);
  const auto sd = out.to_host();
  EXPECT_NEAR(sd[g.index(2, 2, 2)], -0.7f, 1e-6);
  EXPECT_NEAR(sd[g.index(1, 2, 2)], 0.7f, 1e-6);
  EXPECT_NEAR(sd[g.index(2, 3, 2)], 0.9f, 1e-6);
  EXPECT_NEAR(sd[g.index(2, 2, 1)], 1.25f, 1e-6);
  EXPECT_NEAR(sd[g.index(0, 0, 0)], std::sqrt(4 * 0.49 + 4 * 0.81 + 4 * 1.5625), 1e-5);
}

SIJ_INSTANTIATE_BACKENDS(DistanceTransformTest);

}  // namespace
}  // namespace sij
