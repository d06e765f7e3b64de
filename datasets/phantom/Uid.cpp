#include "datasets/phantom/Uid.h"

#include <algorithm>

#include "datasets/phantom/Random.h"

namespace sij::phantom {

std::string derived_uid(std::uint64_t seed, std::uint64_t kind, std::uint64_t a, std::uint64_t b) {
  const std::uint64_t hi = hash64(seed, kind, a, b);
  const std::uint64_t lo = hash64(hi, seed ^ 0x9e3779b97f4a7c15ull, kind, a + 31 * b);
  unsigned __int128 v = (static_cast<unsigned __int128>(hi) << 64) | lo;
  if (v == 0) v = 1;
  std::string digits;
  while (v > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  return "2.25." + digits;
}

}  // namespace sij::phantom
