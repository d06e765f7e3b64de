// Ball morphology against a brute-force reference that scans every ball offset of every
// voxel (offsets outside the volume do not exist: they neither dilate nor erode).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "kernels/core/Buffer.h"
#include "kernels/morphology/Morphology.h"
#include "support/BackendParam.h"
#include "support/RandomVolumes.h"

namespace sij {
namespace {

struct Offset {
  int dx, dy, dz;
};

// Every offset of the ball, by the header's definition, in double precision.
std::vector<Offset> ball_offsets(const Grid& g, float radius_mm) {
  const double reach = static_cast<double>(radius_mm) + kBallToleranceMm;
  const double sx = g.sx_mm, sy = g.sy_mm, sz = g.sz_mm;
  const int rx = static_cast<int>(reach / sx) + 1, ry = static_cast<int>(reach / sy) + 1,
            rz = static_cast<int>(reach / sz) + 1;
  std::vector<Offset> offsets;
  for (int dz = -rz; dz <= rz; ++dz)
    for (int dy = -ry; dy <= ry; ++dy)
      for (int dx = -rx; dx <= rx; ++dx) {
        const double d2 = (dx * sx) * (dx * sx) + (dy * sy) * (dy * sy) + (dz * sz) * (dz * sz);
        if (d2 <= reach * reach) offsets.push_back({dx, dy, dz});
      }
  return offsets;
}

// A box of voxels [lo, hi) to check; the reference reads the input anywhere.
struct Box {
  int lo[3], hi[3];
  Box grown(int by_x, int by_y, int by_z, const Grid& g) const {
    return Box{{std::max(0, lo[0] - by_x), std::max(0, lo[1] - by_y), std::max(0, lo[2] - by_z)},
               {std::min(g.nx, hi[0] + by_x), std::min(g.ny, hi[1] + by_y),
                std::min(g.nz, hi[2] + by_z)}};
  }
};
Box whole(const Grid& g) { return Box{{0, 0, 0}, {g.nx, g.ny, g.nz}}; }

// Dilation: some in-volume ball offset is foreground. Erosion: every in-volume ball offset
// is foreground (the centre is one of them). Only voxels in `box` are computed.
std::vector<std::uint8_t> reference(const std::vector<std::uint8_t>& in, const Grid& g,
                                    const std::vector<Offset>& ball, bool dilate, const Box& box) {
  std::vector<std::uint8_t> out(in.size(), 0);
  for (int z = box.lo[2]; z < box.hi[2]; ++z)
    for (int y = box.lo[1]; y < box.hi[1]; ++y)
      for (int x = box.lo[0]; x < box.hi[0]; ++x) {
        bool any = false, all = true;
        for (const Offset& o : ball) {
          if (!g.contains(x + o.dx, y + o.dy, z + o.dz)) continue;
          const bool fg = in[g.index(x + o.dx, y + o.dy, z + o.dz)] != 0;
          any = any || fg;
          all = all && fg;
        }
        out[g.index(x, y, z)] = dilate ? any : all;
      }
  return out;
}

enum class Op { Dilate, Erode, Open, Close };
const char* name(Op op) {
  switch (op) {
    case Op::Dilate: return "dilate";
    case Op::Erode: return "erode";
    case Op::Open: return "open";
    case Op::Close: return "close";
  }
  return "?";
}

std::vector<std::uint8_t> reference_op(const std::vector<std::uint8_t>& in, const Grid& g,
                                       float radius_mm, Op op, const Box& box) {
  const auto ball = ball_offsets(g, radius_mm);
  int ex = 0, ey = 0, ez = 0;  // the ball's extent: the first step is needed that far out
  for (const Offset& o : ball) {
    ex = std::max(ex, std::abs(o.dx));
    ey = std::max(ey, std::abs(o.dy));
    ez = std::max(ez, std::abs(o.dz));
  }
  switch (op) {
    case Op::Dilate: return reference(in, g, ball, true, box);
    case Op::Erode: return reference(in, g, ball, false, box);
    case Op::Open:
      return reference(reference(in, g, ball, false, box.grown(ex, ey, ez, g)), g, ball, true, box);
    case Op::Close:
      return reference(reference(in, g, ball, true, box.grown(ex, ey, ez, g)), g, ball, false, box);
  }
  return {};
}

void run_op(Backend backend, Op op, const std::uint8_t* in, std::uint8_t* out, const Grid& g,
            float radius_mm) {
  switch (op) {
    case Op::Dilate: return dilate_ball(backend, in, out, g, radius_mm);
    case Op::Erode: return erode_ball(backend, in, out, g, radius_mm);
    case Op::Open: return open_ball(backend, in, out, g, radius_mm);
    case Op::Close: return close_ball(backend, in, out, g, radius_mm);
  }
}

// Random solid balls plus salt-and-pepper noise: shapes that survive a small erosion and
// holes that a small closing fills, so every operation has work to do.
std::vector<std::uint8_t> blobby_mask(const Grid& g, int blobs, double max_radius_mm,
                                      std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto mask = test::random_mask(g, 0.0, seed);
  for (int b = 0; b < blobs; ++b) {
    const double cx = std::uniform_real_distribution<double>(0, g.nx)(rng) * g.sx_mm;
    const double cy = std::uniform_real_distribution<double>(0, g.ny)(rng) * g.sy_mm;
    const double cz = std::uniform_real_distribution<double>(0, g.nz)(rng) * g.sz_mm;
    const double r = std::uniform_real_distribution<double>(0.5, max_radius_mm)(rng);
    const int x0 = std::max(0, static_cast<int>((cx - r) / g.sx_mm));
    const int x1 = std::min(g.nx - 1, static_cast<int>((cx + r) / g.sx_mm) + 1);
    const int y0 = std::max(0, static_cast<int>((cy - r) / g.sy_mm));
    const int y1 = std::min(g.ny - 1, static_cast<int>((cy + r) / g.sy_mm) + 1);
    for (int z = 0; z < g.nz; ++z)
      for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
          const double dx = x * g.sx_mm - cx, dy = y * g.sy_mm - cy, dz = z * g.sz_mm - cz;
          if (dx * dx + dy * dy + dz * dz <= r * r) mask[g.index(x, y, z)] = 1;
        }
  }
  std::bernoulli_distribution flip(0.03);
  for (auto& m : mask)
    if (flip(rng)) m = !m;
  return mask;
}

class MorphologyTest : public test::BackendTest {
 protected:
  // Runs `op` with every voxel poisoned first, checks every output is 0/1 and every voxel
  // of `boxes` against the reference.
  void check(const std::vector<std::uint8_t>& mask, const Grid& g, float radius_mm, Op op,
             const std::vector<Box>& boxes) {
    SCOPED_TRACE(testing::Message() << name(op) << " r=" << radius_mm << " mm on " << g.nx << "x"
                                    << g.ny << "x" << g.nz);
    auto d_in = Buffer<std::uint8_t>::from_host(backend(), mask);
    Buffer<std::uint8_t> d_out(backend(), mask.size());
    d_out.fill_bytes(0xFF);
    run_op(backend(), op, d_in.data(), d_out.data(), g, radius_mm);
    const auto out = d_out.to_host();
    for (std::size_t i = 0; i < out.size(); ++i) ASSERT_LE(out[i], 1) << "voxel " << i;
    for (const Box& box : boxes) {
      const auto expected = reference_op(mask, g, radius_mm, op, box);
      for (int z = box.lo[2]; z < box.hi[2]; ++z)
        for (int y = box.lo[1]; y < box.hi[1]; ++y)
          for (int x = box.lo[0]; x < box.hi[0]; ++x) {
            const auto i = g.index(x, y, z);
            ASSERT_EQ(out[i], expected[i]) << "voxel (" << x << ", " << y << ", " << z << ")";
          }
    }
  }
};

constexpr Op kAllOps[] = {Op::Dilate, Op::Erode, Op::Open, Op::Close};

TEST_P(MorphologyTest, MatchesBruteForceOnSmallOddShapes) {
  for (const Grid& g : test::odd_shapes()) {
    if (g.voxel_count() > 100000) continue;  // the slab has its own test
    const auto mask = blobby_mask(g, 3, 4.0, test::fresh_seed());
    const auto noise = test::random_mask(g, 0.5, test::fresh_seed());
    for (float radius : {0.f, 0.7f, 1.25f, 2.f, 3.1f, 6.f}) {
      for (Op op : kAllOps) {
        check(mask, g, radius, op, {whole(g)});
        check(noise, g, radius, op, {whole(g)});
      }
    }
  }
}

TEST_P(MorphologyTest, MatchesBruteForceOnStronglyAnisotropicGrid) {
  const Grid g{19, 23, 11, 0.31f, 1.1f, 2.5f};
  const auto mask = blobby_mask(g, 4, 5.0, test::fresh_seed());
  for (float radius : {1.1f, 2.5f, 4.4f})
    for (Op op : kAllOps) check(mask, g, radius, op, {whole(g)});
}

TEST_P(MorphologyTest, MatchesBruteForceOnSlabWindows) {
  // The 512x512x8 slab: every voxel is checked for 0/1, the reference covers a random
  // window and the far corner (the last, partial tiles), the full depth of the slab.
  const Grid g = test::odd_shapes().back();
  const auto mask = blobby_mask(g, 400, 6.0, test::fresh_seed());
  std::mt19937 rng(test::fresh_seed());
  const int x0 = std::uniform_int_distribution<int>(0, g.nx - 96)(rng);
  const int y0 = std::uniform_int_distribution<int>(0, g.ny - 96)(rng);
  const std::vector<Box> boxes{Box{{x0, y0, 0}, {x0 + 96, y0 + 96, g.nz}},
                               Box{{g.nx - 40, g.ny - 40, 0}, {g.nx, g.ny, g.nz}}};
  for (float radius : {0.7f, 2.f, 4.f})
    for (Op op : kAllOps) check(mask, g, radius, op, boxes);
}

TEST_P(MorphologyTest, EmptyAndFullMasksAreFixed) {
  // The outside of the volume does not exist, so nothing erodes a full volume.
  for (const Grid& g : test::odd_shapes()) {
    const auto n = static_cast<std::size_t>(g.voxel_count());
    for (int value : {0, 1}) {
      Buffer<std::uint8_t> in(backend(), n);
      in.fill_bytes(value);
      Buffer<std::uint8_t> out(backend(), n);
      for (Op op : kAllOps) {
        out.fill_bytes(0xFF);
        run_op(backend(), op, in.data(), out.data(), g, 2.f);
        for (std::uint8_t v : out.to_host()) ASSERT_EQ(v, value) << name(op);
      }
    }
  }
}

TEST_P(MorphologyTest, RadiusThatIsAMultipleOfTheSpacingReachesThatNeighbour) {
  // 0.7 mm reaches the x and y neighbours (not the in-plane diagonal at 0.99 mm);
  // 1.25 mm also reaches the z neighbours.
  const Grid g{5, 5, 5, 0.7f, 0.7f, 1.25f};
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(g.voxel_count()), 0);
  mask[g.index(2, 2, 2)] = 1;
  auto d_in = Buffer<std::uint8_t>::from_host(backend(), mask);
  Buffer<std::uint8_t> d_out(backend(), mask.size());
  for (float radius : {0.7f, 1.25f}) {
    dilate_ball(backend(), d_in.data(), d_out.data(), g, radius);
    const auto out = d_out.to_host();
    int count = 0;
    for (auto v : out) count += v;
    EXPECT_EQ(out[g.index(1, 2, 2)], 1);
    EXPECT_EQ(out[g.index(2, 3, 2)], 1);
    EXPECT_EQ(out[g.index(2, 2, 1)], radius >= 1.25f ? 1 : 0);
    EXPECT_EQ(out[g.index(1, 1, 2)], radius >= 1.25f ? 1 : 0);  // 0.99 mm away
    EXPECT_EQ(count, radius >= 1.25f ? 11 : 5);  // centre, 4 in-plane, 4 diagonals, 2 in z
  }
}

TEST_P(MorphologyTest, NegativeRadiusIsRejected) {
  const Grid g{2, 2, 2, 1.f, 1.f, 1.f};
  Buffer<std::uint8_t> in(backend(), 8), out(backend(), 8);
  in.fill_bytes(0);
  EXPECT_THROW(dilate_ball(backend(), in.data(), out.data(), g, -1.f), std::invalid_argument);
  EXPECT_THROW(erode_ball(backend(), in.data(), out.data(), g, std::nanf("")),
               std::invalid_argument);
}

SIJ_INSTANTIATE_BACKENDS(MorphologyTest);

}  // namespace
}  // namespace sij
