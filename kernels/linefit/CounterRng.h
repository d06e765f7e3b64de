// A counter-based random number generator: the draw for hypothesis h depends only on
// (seed, h), so RANSAC hypotheses are the same however threads are scheduled, on any backend.
#pragma once

#include <cstdint>

#include "kernels/core/Macros.h"

namespace sij::detail {

// Steele, Lea and Flood's splitmix64 finaliser: a bijective 64-bit mix.
SIJ_HD inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Draw `stream` of hypothesis `index` under `seed`.
SIJ_HD inline std::uint64_t counter_random(std::uint64_t seed, std::uint64_t index,
                                           std::uint64_t stream) {
  return splitmix64(splitmix64(seed ^ splitmix64(index)) + stream);
}

// Two distinct point indices in [0, count) for hypothesis `index`; count >= 2. The modulo
// bias of a 64-bit draw is negligible for any realistic point count.
SIJ_HD inline void hypothesis_pair(std::uint64_t seed, std::int64_t index, std::int64_t count,
                                   std::int64_t& first, std::int64_t& second) {
  const auto n = static_cast<std::uint64_t>(count);
  const auto i = counter_random(seed, static_cast<std::uint64_t>(index), 0) % n;
  auto j = counter_random(seed, static_cast<std::uint64_t>(index), 1) % (n - 1);
  if (j >= i) ++j;  // skip i: uniform over the other count - 1 points
  first = static_cast<std::int64_t>(i);
  second = static_cast<std::int64_t>(j);
}

}  // namespace sij::detail
