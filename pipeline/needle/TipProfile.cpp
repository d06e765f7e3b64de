#include "pipeline/needle/TipProfile.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace sij::needle {
namespace {

// Median of the finite values in [from, to) of v.
double median_of(const std::vector<float>& v, std::int64_t from, std::int64_t to) {
  std::vector<float> s;
  for (std::int64_t k = std::max<std::int64_t>(0, from); k < std::min<std::int64_t>(v.size(), to); ++k)
    if (std::isfinite(v[k])) s.push_back(v[k]);
  if (s.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto mid = s.begin() + s.size() / 2;
  std::nth_element(s.begin(), mid, s.end());
  return *mid;
}

// How far (mm) the profile must stay below the level for the crossing to be the tip.
constexpr double kStayBelowMm = 1.5;
// The profile starts this far behind the bright end and ends this far beyond it.
constexpr double kBehindMm = 16.0;
constexpr double kBeyondMm = 10.0;

}  // namespace

TipEstimate find_tip(const VolumeOnBackend& vb, const Axis& axis, double t_bright_end,
                     const NeedleOptions& options) {
  TipEstimate tip;
  const double step = options.profile_step_mm;
  const double t0 = t_bright_end - kBehindMm;
  const auto count = static_cast<std::int32_t>(std::lround((kBehindMm + kBeyondMm) / step)) + 1;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> p = vb.profile(axis.at(t0), axis.direction, step, count, nan);
  auto k_of = [&](double t) { return static_cast<std::int64_t>(std::lround((t - t0) / step)); };

  tip.plateau_hu = median_of(p, k_of(t_bright_end - options.plateau_to_mm),
                             k_of(t_bright_end - options.plateau_from_mm) + 1);
  tip.background_hu = median_of(p, k_of(t_bright_end + options.background_from_mm),
                                k_of(t_bright_end + options.background_to_mm) + 1);
  if (!std::isfinite(tip.plateau_hu)) return tip;
  if (!std::isfinite(tip.background_hu)) tip.background_hu = -1000.0;  // the tip at the volume's edge
  tip.level_hu = 0.5 * (tip.plateau_hu + tip.background_hu);
  if (!(tip.plateau_hu > tip.background_hu)) return tip;

  // First fall below the level after the plateau stretch that stays below for kStayBelowMm.
  const std::int64_t stay = static_cast<std::int64_t>(std::lround(kStayBelowMm / step));
  const std::int64_t first = k_of(t_bright_end - options.plateau_from_mm);
  for (std::int64_t k = std::max<std::int64_t>(1, first); k < static_cast<std::int64_t>(p.size()); ++k) {
    if (!(p[k] < tip.level_hu)) continue;
    bool stays = true;
    for (std::int64_t j = k; j < std::min<std::int64_t>(p.size(), k + stay); ++j)
      if (!(p[j] < tip.level_hu)) stays = false;
    if (!stays) continue;
    // Linear interpolation between sample k-1 (at or above the level) and k (below).
    const double a = p[k - 1], b = p[k];
    const double f = std::isfinite(a) && a > b ? (a - tip.level_hu) / (a - b) : 0.0;
    tip.t_mm = t0 + (static_cast<double>(k - 1) + std::clamp(f, 0.0, 1.0)) * step;
    tip.found = true;
    return tip;
  }
  return tip;
}

}  // namespace sij::needle
