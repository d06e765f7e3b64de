#include "pipeline/joint/SteelSlices.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sij::joint {

std::array<double, 3> in_plane_axis(const std::vector<std::array<float, 3>>& points_mm) {
  double cx = 0, cy = 0;
  for (const auto& p : points_mm) {
    cx += p[0];
    cy += p[1];
  }
  const double n = std::max<double>(1.0, static_cast<double>(points_mm.size()));
  cx /= n;
  cy /= n;
  double sxx = 0, sxy = 0, syy = 0;
  for (const auto& p : points_mm) {
    const double dx = p[0] - cx, dy = p[1] - cy;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const double theta = 0.5 * std::atan2(2 * sxy, sxx - syy);
  std::array<double, 3> axis{std::cos(theta), std::sin(theta), 0.0};
  if (axis[1] > 0) axis = {-axis[0], -axis[1], 0.0};  // pointing anterior (-y)
  return axis;
}

std::vector<std::size_t> trim_steel_slices(const std::vector<std::int64_t>& voxels,
                                           const std::vector<std::array<float, 3>>& points_mm,
                                           const Grid& g, const std::vector<std::uint8_t>& steel_reach,
                                           const SteelSliceTrim& options) {
  std::vector<std::size_t> all(voxels.size());
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
  if (voxels.empty() || steel_reach.empty()) return all;
  const std::array<double, 3> axis = in_plane_axis(points_mm);
  const auto u_of = [&](std::size_t k) { return points_mm[k][0] * axis[0] + points_mm[k][1] * axis[1]; };
  const double inf = std::numeric_limits<double>::infinity();
  // Per slice: the posterior end (smallest u) and whether the steel reaches near it.
  std::vector<double> end(static_cast<std::size_t>(g.nz), inf);
  std::vector<char> by_steel(static_cast<std::size_t>(g.nz), 0);
  std::vector<std::int32_t> slice_of(voxels.size());
  for (std::size_t k = 0; k < voxels.size(); ++k) {
    std::int32_t x, y, z;
    g.coords(voxels[k], x, y, z);
    slice_of[k] = z;
    end[static_cast<std::size_t>(z)] = std::min(end[static_cast<std::size_t>(z)], u_of(k));
  }
  bool any = false;
  for (std::size_t k = 0; k < voxels.size(); ++k) {
    const auto z = static_cast<std::size_t>(slice_of[k]);
    if (steel_reach[static_cast<std::size_t>(voxels[k])] && u_of(k) <= end[z] + options.end_band_mm) {
      by_steel[z] = 1;
      any = true;
    }
  }
  if (!any) return all;
  // The end in each slice by the steel: linear between the nearest clean slices with joint
  // space on either side, or the one on one side; none: the slice is left alone.
  std::vector<double> limit(static_cast<std::size_t>(g.nz), -inf);
  for (std::int32_t z = 0; z < g.nz; ++z) {
    if (!by_steel[static_cast<std::size_t>(z)]) continue;
    std::int32_t below = z - 1, above = z + 1;
    while (below >= 0 && (by_steel[static_cast<std::size_t>(below)] || end[static_cast<std::size_t>(below)] == inf)) --below;
    while (above < g.nz && (by_steel[static_cast<std::size_t>(above)] || end[static_cast<std::size_t>(above)] == inf)) ++above;
    const bool has_below = below >= 0, has_above = above < g.nz;
    if (has_below && has_above) {
      const double t = double(z - below) / double(above - below);
      limit[static_cast<std::size_t>(z)] = (1 - t) * end[static_cast<std::size_t>(below)] + t * end[static_cast<std::size_t>(above)];
    } else if (has_below || has_above) {
      limit[static_cast<std::size_t>(z)] = end[static_cast<std::size_t>(has_below ? below : above)];
    }
  }
  std::vector<std::size_t> kept;
  kept.reserve(voxels.size());
  for (std::size_t k = 0; k < voxels.size(); ++k) {
    if (u_of(k) >= limit[static_cast<std::size_t>(slice_of[k])] - options.tolerance_mm) kept.push_back(k);
  }
  return kept;
}

}  // namespace sij::joint
