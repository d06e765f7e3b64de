// Threshold classification against a plain loop.
#include <gtest/gtest.h>

#include "kernels/classify/Classify.h"
#include "kernels/core/Buffer.h"
#include "support/BackendParam.h"
#include "support/RandomVolumes.h"

namespace sij {
namespace {

class ThresholdMaskTest : public test::BackendTest {};

TEST_P(ThresholdMaskTest, MatchesPlainLoopOnOddShapes) {
  for (const Grid& g : test::odd_shapes()) {
    const auto hu = test::random_hu(g, -1024, 3000, test::fresh_seed());
    const HuRange range{-200, 1200};
    auto d_hu = Buffer<std::int16_t>::from_host(backend(), hu);
    Buffer<std::uint8_t> d_mask(backend(), hu.size());
    d_mask.fill_bytes(0xAB);  // poison: every output must be written
    threshold_mask(backend(), d_hu.data(), d_mask.data(), g.voxel_count(), range);
    const auto mask = d_mask.to_host();
    for (std::size_t i = 0; i < hu.size(); ++i) {
      const int expected = hu[i] >= -200 && hu[i] <= 1200;
      ASSERT_EQ(mask[i], expected) << "voxel " << i << " hu " << hu[i];
    }
  }
}

TEST_P(ThresholdMaskTest, BoundsAreInclusive) {
  const std::vector<std::int16_t> hu{-201, -200, 0, 1200, 1201};
  auto d_hu = Buffer<std::int16_t>::from_host(backend(), hu);
  Buffer<std::uint8_t> d_mask(backend(), hu.size());
  threshold_mask(backend(), d_hu.data(), d_mask.data(), 5, HuRange{-200, 1200});
  EXPECT_EQ(d_mask.to_host(), (std::vector<std::uint8_t>{0, 1, 1, 1, 0}));
}

SIJ_INSTANTIATE_BACKENDS(ThresholdMaskTest);

}  // namespace
}  // namespace sij
