// Hole filling against a flood fill of the background from the border.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/Buffer.h"
#include "kernels/morphology/HoleFilling.h"
#include "support/BackendParam.h"
#include "support/RandomVolumes.h"
#include "support/ReferenceLabels.h"

namespace sij {
namespace {

// Foreground plus every background voxel that no flood from the border reaches.
std::vector<std::uint8_t> reference_filled(const std::vector<std::uint8_t>& in, const Grid& g,
                                           bool per_slice) {
  std::vector<std::uint8_t> background(in.size()), reached(in.size(), 0);
  for (std::size_t i = 0; i < in.size(); ++i) background[i] = in[i] == 0;
  std::vector<std::int64_t> border;
  for (std::int32_t z = 0; z < g.nz; ++z)
    for (std::int32_t y = 0; y < g.ny; ++y)
      for (std::int32_t x = 0; x < g.nx; ++x) {
        const bool on_slice_edge = x == 0 || y == 0 || x == g.nx - 1 || y == g.ny - 1;
        const bool on_z_face = z == 0 || z == g.nz - 1;
        if (on_slice_edge || (!per_slice && on_z_face)) border.push_back(g.index(x, y, z));
      }
  test::flood_fill(background, g, per_slice ? Connectivity::SliceFace4 : Connectivity::Face6, border,
                   reached);
  std::vector<std::uint8_t> out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = in[i] != 0 || !reached[i];
  return out;
}

class HoleFillingTest : public test::BackendTest {
 protected:
  std::vector<std::uint8_t> run(const std::vector<std::uint8_t>& in, const Grid& g, bool per_slice) {
    auto d_in = Buffer<std::uint8_t>::from_host(backend(), in);
    Buffer<std::uint8_t> d_out(backend(), in.size());
    d_out.fill_bytes(0xFF);
    if (per_slice) {
      fill_holes_per_slice(backend(), d_in.data(), d_out.data(), g);
    } else {
      fill_holes_3d(backend(), d_in.data(), d_out.data(), g);
    }
    return d_out.to_host();
  }
  void expect_matches_reference(const std::vector<std::uint8_t>& in, const Grid& g,
                                const std::string& what) {
    for (const bool per_slice : {false, true}) {
      const auto expected = reference_filled(in, g, per_slice);
      const auto out = run(in, g, per_slice);
      for (std::size_t i = 0; i < in.size(); ++i) {
        ASSERT_EQ(out[i], expected[i]) << what << (per_slice ? " per slice" : " 3d") << " voxel " << i;
      }
    }
  }
};

TEST_P(HoleFillingTest, MatchesBorderFloodOnRandomMasks) {
  for (const Grid& g : test::odd_shapes()) {
    // Dense masks leave many enclosed background pockets; sparse ones leave almost none.
    for (const double density : {0.3, 0.6, 0.75, 0.9}) {
      const auto seed = test::fresh_seed();
      expect_matches_reference(test::random_mask(g, density, seed), g,
                               "grid " + std::to_string(g.nx) + "x" + std::to_string(g.ny) + "x" +
                                   std::to_string(g.nz) + " density " + std::to_string(density) +
                                   " seed " + std::to_string(seed));
    }
  }
}

TEST_P(HoleFillingTest, HollowCubeIsFilled) {
  const Grid g{12, 11, 10, 0.7f, 0.7f, 1.25f};
  std::vector<std::uint8_t> in(g.voxel_count(), 0), solid(g.voxel_count(), 0);
  for (int z = 2; z <= 7; ++z)
    for (int y = 2; y <= 8; ++y)
      for (int x = 2; x <= 9; ++x) {
        in[g.index(x, y, z)] = (x == 2 || x == 9 || y == 2 || y == 8 || z == 2 || z == 7);
        solid[g.index(x, y, z)] = 1;
      }
  expect_matches_reference(in, g, "hollow cube");
  EXPECT_EQ(run(in, g, false), solid);
  EXPECT_EQ(run(in, g, true), solid);
}

// A ring in one slice encloses a hole only within its slice: in 3D the background inside
// reaches the border through the slices above and below.
TEST_P(HoleFillingTest, RingIsFilledPerSliceOnly) {
  const Grid g{13, 13, 5, 0.7f, 0.7f, 1.25f};
  std::vector<std::uint8_t> in(g.voxel_count(), 0);
  for (int y = 3; y <= 9; ++y)
    for (int x = 3; x <= 9; ++x)
      if (x == 3 || x == 9 || y == 3 || y == 9) in[g.index(x, y, 2)] = 1;
  expect_matches_reference(in, g, "ring");
  EXPECT_EQ(run(in, g, false), in);
  const auto per_slice = run(in, g, true);
  EXPECT_EQ(per_slice[g.index(6, 6, 2)], 1);
  EXPECT_EQ(per_slice[g.index(6, 6, 1)], 0);
}

// A tube along z through the whole volume: every slice holds a ring, but in 3D its inside
// opens onto the first and last slices, which are border.
TEST_P(HoleFillingTest, TubeAlongZOpensOntoZFaces) {
  const Grid g{10, 9, 6, 0.7f, 0.7f, 1.25f};
  std::vector<std::uint8_t> in(g.voxel_count(), 0);
  for (int z = 0; z < g.nz; ++z)
    for (int y = 2; y <= 6; ++y)
      for (int x = 2; x <= 7; ++x)
        if (x == 2 || x == 7 || y == 2 || y == 6) in[g.index(x, y, z)] = 1;
  expect_matches_reference(in, g, "tube");
  EXPECT_EQ(run(in, g, false), in);
  EXPECT_EQ(run(in, g, true)[g.index(4, 4, 0)], 1);
}

// A spiral wall in one slice whose centre is enclosed, and a background pocket touching the
// x = nx - 1 edge, which is border and must stay empty.
TEST_P(HoleFillingTest, SpiralAndEdgePocket) {
  const Grid g{21, 21, 1, 0.7f, 0.7f, 1.25f};
  std::vector<std::uint8_t> in(g.voxel_count(), 0);
  for (int y = 1; y <= 19; ++y)
    for (int x = 1; x <= 19; ++x)
      if (x == 1 || x == 19 || y == 1 || y == 19) in[g.index(x, y, 0)] = 1;
  in[g.index(19, 10, 0)] = 0;  // a door to the outside: nothing inside is a hole any more
  for (int y = 5; y <= 15; ++y)
    for (int x = 5; x <= 15; ++x)
      if (x == 5 || x == 15 || y == 5 || y == 15) in[g.index(x, y, 0)] = 1;  // closed inner box
  expect_matches_reference(in, g, "door and box");
  const auto out = run(in, g, true);
  EXPECT_EQ(out[g.index(10, 10, 0)], 1);  // inside the closed box
  EXPECT_EQ(out[g.index(3, 3, 0)], 0);    // between the walls, open through the door
}

SIJ_INSTANTIATE_BACKENDS(HoleFillingTest);

}  // namespace
}  // namespace sij
