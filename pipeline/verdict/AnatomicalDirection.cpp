#include "pipeline/verdict/AnatomicalDirection.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace sij::verdict {

std::string direction_in_words(const double lps[3], double min_fraction) {
  static constexpr const char* kPositive[3] = {"left", "posterior", "cranial"};
  static constexpr const char* kNegative[3] = {"right", "anterior", "caudal"};
  const double length = std::sqrt(lps[0] * lps[0] + lps[1] * lps[1] + lps[2] * lps[2]);
  if (!(length > 0.0)) return "";
  std::array<int, 3> order{0, 1, 2};
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return std::fabs(lps[a]) > std::fabs(lps[b]); });
  std::vector<std::string> words;
  for (int axis : order) {
    const bool largest = words.empty();
    if (!largest && std::fabs(lps[axis]) < min_fraction * length) continue;
    words.emplace_back(lps[axis] >= 0 ? kPositive[axis] : kNegative[axis]);
  }
  std::string out = words[0];
  for (std::size_t i = 1; i < words.size(); ++i) out += (i + 1 == words.size() ? " and " : ", ") + words[i];
  return out;
}

}  // namespace sij::verdict
