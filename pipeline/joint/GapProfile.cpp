#include "pipeline/joint/GapProfile.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "pipeline/joint/Box.h"

namespace sij::joint {

GapProfile measure_gap(const std::int16_t* hu, const Grid& grid, const double p_index[3],
                       const double n_mm[3], const GapProfileOptions& o) {
  GapProfile out;
  const double range = o.search_mm + o.reach_mm;
  const int half = static_cast<int>(std::ceil(range / o.step_mm));
  const int count = 2 * half + 1;
  std::vector<double> v(static_cast<std::size_t>(count));
  const double d[3] = {n_mm[0] / grid.sx_mm, n_mm[1] / grid.sy_mm, n_mm[2] / grid.sz_mm};
  for (int k = 0; k < count; ++k) {
    const double t = (k - half) * o.step_mm;
    v[static_cast<std::size_t>(k)] =
        sample_trilinear_host(hu, grid, p_index[0] + t * d[0], p_index[1] + t * d[1], p_index[2] + t * d[2]);
  }
  const auto t_of = [&](double k) { return (k - half) * o.step_mm; };
  // The dip: lowest sample within search_mm of the start (NaN samples end the usable range).
  const int search = static_cast<int>(std::round(o.search_mm / o.step_mm));
  int k_min = -1;
  for (int k = half - search; k <= half + search; ++k) {
    const double x = v[static_cast<std::size_t>(k)];
    if (std::isnan(x)) return out;
    if (k_min < 0 || x < v[static_cast<std::size_t>(k_min)]) k_min = k;
  }
  // The walls: highest samples on either side of the dip, within reach.
  const int reach = static_cast<int>(std::round(o.reach_mm / o.step_mm));
  int k_left = k_min, k_right = k_min;
  for (int k = k_min; k >= std::max(0, k_min - reach); --k) {
    const double x = v[static_cast<std::size_t>(k)];
    if (std::isnan(x)) return out;
    if (x > v[static_cast<std::size_t>(k_left)]) k_left = k;
  }
  for (int k = k_min; k <= std::min(count - 1, k_min + reach); ++k) {
    const double x = v[static_cast<std::size_t>(k)];
    if (std::isnan(x)) return out;
    if (x > v[static_cast<std::size_t>(k_right)]) k_right = k;
  }
  const double pl = v[static_cast<std::size_t>(k_left)], pr = v[static_cast<std::size_t>(k_right)];
  const double lo = v[static_cast<std::size_t>(k_min)];
  if (pl < o.wall_min_hu || pr < o.wall_min_hu || k_left == k_min || k_right == k_min) return out;
  out.wall_hu[0] = pl;
  out.wall_hu[1] = pr;
  out.min_hu = lo;

  // Absolute half-level crossings.
  const double level_l = o.gap_hu + o.edge_level * (pl - o.gap_hu);
  const double level_r = o.gap_hu + o.edge_level * (pr - o.gap_hu);
  double tl = t_of(k_min), tr = t_of(k_min);
  if (lo < std::min(level_l, level_r)) {
    for (int k = k_min; k > k_left; --k) {
      const double a = v[static_cast<std::size_t>(k)], b = v[static_cast<std::size_t>(k - 1)];
      if (b >= level_l) {
        tl = t_of(k - (level_l - a) / (b - a));
        break;
      }
    }
    for (int k = k_min; k < k_right; ++k) {
      const double a = v[static_cast<std::size_t>(k)], b = v[static_cast<std::size_t>(k + 1)];
      if (b >= level_r) {
        tr = t_of(k + (level_r - a) / (b - a));
        break;
      }
    }
  }
  out.width_half_mm = tr - tl;

  // Deficit area between the walls: the straight line joining the two peaks minus the profile,
  // over the contrast from the walls to the joint space.
  double area = 0.0;
  const double span = k_right - k_left;
  for (int k = k_left; k <= k_right; ++k) {
    const double wall = pl + (pr - pl) * (k - k_left) / span;
    area += std::max(0.0, wall - v[static_cast<std::size_t>(k)]) * o.step_mm;
  }
  const double contrast = 0.5 * (pl + pr) - o.gap_hu;
  out.width_area_mm = contrast > 0 ? area / contrast : 0.0;

  out.centre_mm = lo < std::min(level_l, level_r) ? 0.5 * (tl + tr) : t_of(k_min);
  out.width_mm = out.width_half_mm;
  out.ok = true;
  return out;
}

}  // namespace sij::joint
