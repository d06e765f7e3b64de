// Hysteresis classification against a flood fill of the edge range from the core voxels.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/classify/Hysteresis.h"
#include "kernels/core/Buffer.h"
#include "support/BackendParam.h"
#include "support/RandomVolumes.h"
#include "support/ReferenceLabels.h"

namespace sij {
namespace {

bool in_range(std::int16_t v, HuRange r) { return v >= r.low_hu && v <= r.high_hu; }

std::vector<std::uint8_t> reference_hysteresis(const std::vector<std::int16_t>& hu, const Grid& g,
                                               HuRange core, HuRange edge, Connectivity c) {
  std::vector<std::uint8_t> edge_mask(hu.size()), reached(hu.size(), 0);
  std::vector<std::int64_t> seeds;
  for (std::size_t i = 0; i < hu.size(); ++i) {
    edge_mask[i] = in_range(hu[i], edge);
    if (in_range(hu[i], core)) seeds.push_back(static_cast<std::int64_t>(i));
  }
  test::flood_fill(edge_mask, g, c, seeds, reached);  // seeds outside `edge` are not taken
  return reached;
}

class HysteresisTest : public test::BackendTest {
 protected:
  void expect_matches_reference(const std::vector<std::int16_t>& hu, const Grid& g, HuRange core,
                                HuRange edge, Connectivity c, const std::string& what) {
    const auto expected = reference_hysteresis(hu, g, core, edge, c);
    auto d_hu = Buffer<std::int16_t>::from_host(backend(), hu);
    Buffer<std::uint8_t> d_out(backend(), hu.size());
    d_out.fill_bytes(0xFF);
    hysteresis_mask(backend(), d_hu.data(), d_out.data(), g, core, edge, c);
    const auto out = d_out.to_host();
    for (std::size_t i = 0; i < hu.size(); ++i) {
      ASSERT_EQ(out[i], expected[i]) << what << " " << test::connectivity_name(c) << " voxel " << i
                                     << " hu " << hu[i];
    }
  }
};

TEST_P(HysteresisTest, MatchesFloodFromCoreOnRandomVolumes) {
  // hu uniform in [-1000, 0): edge (<= -500) is about half of the voxels, core (<= -900) a
  // tenth, so some edge components hold core voxels and some do not.
  const HuRange core{-32768, -900}, edge{-32768, -500};
  for (const Grid& g : test::odd_shapes()) {
    for (const Connectivity c : test::all_connectivities) {
      const auto seed = test::fresh_seed();
      expect_matches_reference(test::random_hu(g, -1000, 0, seed), g, core, edge, c,
                               "grid " + std::to_string(g.nx) + "x" + std::to_string(g.ny) + "x" +
                                   std::to_string(g.nz) + " seed " + std::to_string(seed));
    }
  }
}

TEST_P(HysteresisTest, SparseCoreAndCoreOutsideEdge) {
  const Grid g{33, 27, 19, 0.7f, 0.7f, 1.25f};
  for (const Connectivity c : test::all_connectivities) {
    const auto seed = test::fresh_seed();
    const auto hu = test::random_hu(g, -1000, 0, seed);
    // Core voxels are rare; edge components are large near percolation.
    expect_matches_reference(hu, g, HuRange{-1000, -995}, HuRange{-1000, -300}, c,
                             "sparse core seed " + std::to_string(seed));
    // Part of the core lies outside the edge range: those voxels neither count nor show.
    expect_matches_reference(hu, g, HuRange{-1000, -900}, HuRange{-950, -400}, c,
                             "core outside edge seed " + std::to_string(seed));
  }
}

// Two gas pockets of -600 HU in one slice; only the one with a -950 HU voxel is kept, and a
// lone core-only voxel elsewhere is not kept when it is outside the edge range.
TEST_P(HysteresisTest, HandMadePockets) {
  const Grid g{20, 10, 3, 0.7f, 0.7f, 1.25f};
  std::vector<std::int16_t> hu(g.voxel_count(), 40);
  for (int y = 2; y <= 6; ++y) {
    for (int x = 2; x <= 6; ++x) hu[g.index(x, y, 1)] = -600;
    for (int x = 11; x <= 15; ++x) hu[g.index(x, y, 1)] = -600;
  }
  hu[g.index(4, 4, 1)] = -950;
  const auto expected = reference_hysteresis(hu, g, HuRange{-32768, -900}, HuRange{-32768, -500},
                                             Connectivity::Full26);
  EXPECT_EQ(expected[g.index(3, 3, 1)], 1);
  EXPECT_EQ(expected[g.index(12, 3, 1)], 0);
  for (const Connectivity c : test::all_connectivities) {
    expect_matches_reference(hu, g, HuRange{-32768, -900}, HuRange{-32768, -500}, c, "pockets");
  }
}

SIJ_INSTANTIATE_BACKENDS(HysteresisTest);

}  // namespace
}  // namespace sij
