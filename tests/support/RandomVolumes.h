// Fresh random inputs for kernel tests, and the odd shapes every kernel is checked on.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/core/Grid.h"

namespace sij::test {

// Shapes that catch indexing mistakes: a single voxel, odd primes, a thin wide slab.
// Spacing is anisotropic (0.7 x 0.7 x 1.25 mm) as on a clinical CT.
inline std::vector<Grid> odd_shapes() {
  return {
      Grid{1, 1, 1, 0.7f, 0.7f, 1.25f},
      Grid{7, 13, 5, 0.7f, 0.7f, 1.25f},
      Grid{16, 9, 11, 0.7f, 0.7f, 1.25f},
      Grid{512, 512, 8, 0.7f, 0.7f, 1.25f},
  };
}

// A random binary mask with foreground probability `p`, smoothed into blobs when
// `blobby` so components and distances are not trivially small.
inline std::vector<std::uint8_t> random_mask(const Grid& g, double p, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution fg(p);
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(g.voxel_count()));
  for (auto& m : mask) m = fg(rng) ? 1 : 0;
  return mask;
}

inline std::vector<std::int16_t> random_hu(const Grid& g, std::int16_t low, std::int16_t high,
                                           std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> hu(low, high);
  std::vector<std::int16_t> v(static_cast<std::size_t>(g.voxel_count()));
  for (auto& x : v) x = static_cast<std::int16_t>(hu(rng));
  return v;
}

// A seed that differs run to run (fresh inputs) but is printed so a failure can be replayed;
// SIJTRACK_TEST_SEED fixes it.
std::uint32_t fresh_seed();

}  // namespace sij::test
