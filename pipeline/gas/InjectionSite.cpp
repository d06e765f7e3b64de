#include "pipeline/gas/InjectionSite.h"

#include <algorithm>
#include <cmath>

namespace sij::gas {

double distance_mm(const double a[3], const double b[3]) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

std::vector<InjectionSite> injection_sites(const std::vector<needle::NeedleFinding>& current,
                                           const std::vector<needle::NeedleFinding>& previous,
                                           const align::RigidTransform* previous_to_current) {
  std::vector<InjectionSite> sites;
  for (const auto& n : current) {
    InjectionSite s;
    std::copy(n.tip_mm, n.tip_mm + 3, s.tip_mm);
    std::copy(n.entry_mm, n.entry_mm + 3, s.entry_mm);
    std::copy(n.direction, n.direction + 3, s.direction);
    s.needle_in_scan = true;
    sites.push_back(s);
  }
  for (const auto& n : previous) {
    InjectionSite s;
    if (previous_to_current != nullptr) {
      previous_to_current->apply(n.tip_mm, s.tip_mm);
      previous_to_current->apply(n.entry_mm, s.entry_mm);
    } else {
      std::copy(n.tip_mm, n.tip_mm + 3, s.tip_mm);
      std::copy(n.entry_mm, n.entry_mm + 3, s.entry_mm);
    }
    const double d = distance_mm(s.tip_mm, s.entry_mm);
    for (int a = 0; a < 3; ++a) s.direction[a] = d > 0 ? (s.tip_mm[a] - s.entry_mm[a]) / d : 0.0;
    const bool same = std::any_of(sites.begin(), sites.end(), [&](const InjectionSite& other) {
      return other.needle_in_scan && distance_mm(other.tip_mm, s.tip_mm) < 10.0;
    });
    if (!same) sites.push_back(s);
  }
  return sites;
}

double distance_to_needle(const InjectionSite& site, const double p[3], double beyond_tip_mm, double* behind_tip_mm) {
  const double length = distance_mm(site.entry_mm, site.tip_mm);
  const double rel[3] = {p[0] - site.tip_mm[0], p[1] - site.tip_mm[1], p[2] - site.tip_mm[2]};
  // Along the axis from the tip: negative behind it (toward the entry).
  const double along = rel[0] * site.direction[0] + rel[1] * site.direction[1] + rel[2] * site.direction[2];
  if (behind_tip_mm) *behind_tip_mm = -along;
  const double clamped = std::clamp(along, -length, beyond_tip_mm);
  const double q[3] = {site.tip_mm[0] + clamped * site.direction[0], site.tip_mm[1] + clamped * site.direction[1],
                       site.tip_mm[2] + clamped * site.direction[2]};
  return distance_mm(p, q);
}

}  // namespace sij::gas
