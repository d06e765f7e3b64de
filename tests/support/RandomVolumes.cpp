#include "support/RandomVolumes.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace sij::test {

std::uint32_t fresh_seed() {
  static const std::uint32_t base = [] {
    if (const char* fixed = std::getenv("SIJTRACK_TEST_SEED")) {
      return static_cast<std::uint32_t>(std::strtoul(fixed, nullptr, 10));
    }
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    const auto seed = static_cast<std::uint32_t>(now ^ (now >> 32));
    std::fprintf(stderr, "[sijtrack tests] random seed %u (set SIJTRACK_TEST_SEED=%u to replay)\n",
                 seed, seed);
    return seed;
  }();
  static std::uint32_t counter = 0;
  return base + 7919u * counter++;
}

}  // namespace sij::test
