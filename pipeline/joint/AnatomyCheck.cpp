#include "pipeline/joint/AnatomyCheck.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace sij::joint {

double enclosed_air_cm2(const Volume& volume, std::int32_t z, std::int16_t air_hu) {
  const Grid& g = volume.grid;
  if (z < 0 || z >= g.nz) return 0.0;
  const std::size_t n = static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny);
  // Air connected to the slice's border is outside the body: flood it from the border.
  std::vector<std::uint8_t> state(n, 0);  // 0 not air, 1 air, 2 outside air
  for (std::int32_t y = 0; y < g.ny; ++y)
    for (std::int32_t x = 0; x < g.nx; ++x)
      state[static_cast<std::size_t>(y) * g.nx + x] = volume.at(x, y, z) < air_hu ? 1 : 0;
  std::vector<std::int64_t> stack;
  const auto seed = [&](std::int32_t x, std::int32_t y) {
    const std::size_t i = static_cast<std::size_t>(y) * g.nx + x;
    if (state[i] == 1) {
      state[i] = 2;
      stack.push_back(static_cast<std::int64_t>(i));
    }
  };
  for (std::int32_t x = 0; x < g.nx; ++x) {
    seed(x, 0);
    seed(x, g.ny - 1);
  }
  for (std::int32_t y = 0; y < g.ny; ++y) {
    seed(0, y);
    seed(g.nx - 1, y);
  }
  while (!stack.empty()) {
    const std::int64_t i = stack.back();
    stack.pop_back();
    const auto x = static_cast<std::int32_t>(i % g.nx), y = static_cast<std::int32_t>(i / g.nx);
    if (x > 0) seed(x - 1, y);
    if (x + 1 < g.nx) seed(x + 1, y);
    if (y > 0) seed(x, y - 1);
    if (y + 1 < g.ny) seed(x, y + 1);
  }
  std::int64_t enclosed = 0;
  for (const std::uint8_t s : state) enclosed += s == 1;
  return static_cast<double>(enclosed) * g.sx_mm * g.sy_mm * 0.01;
}

AnatomyVerdict check_sacroiliac_anatomy(const Volume& volume, const double centroid_mm[3],
                                        const anatomy::BodyMidline& midline,
                                        const AnatomyCheckOptions& options) {
  AnatomyVerdict v;
  char text[200];
  if (midline.known || midline.estimated) {
    // A body cut by the field of view (arms, a wide patient) shifts the estimate: then only
    // the far bound holds, widened by the estimate's slack.
    v.lateral_mm = std::fabs(centroid_mm[0] - midline.x_mm);
    const bool too_far = v.lateral_mm > options.max_lateral_mm + (midline.known ? 0.0 : options.estimate_slack_mm);
    const bool too_near = midline.known && v.lateral_mm < options.min_lateral_mm;
    if (too_far || too_near) {
      std::snprintf(text, sizeof text,
                    "no pelvis in view: the joint lies %.0f mm from the body's midline (a sacroiliac joint lies %.0f-%.0f mm)",
                    v.lateral_mm, options.min_lateral_mm, options.max_lateral_mm);
      v.plausible = false;
      v.reason = text;
      return v;
    }
  }
  double index[3];
  volume.affine.physical_to_index(volume.grid, centroid_mm, index);
  const auto z0 = static_cast<std::int32_t>(std::lround(index[2]));
  const auto reach = static_cast<std::int32_t>(std::ceil(options.air_reach_mm / volume.grid.sz_mm));
  const std::int32_t step = std::max(1, reach / 6);
  for (std::int32_t z = std::max(0, z0 - reach); z <= std::min(volume.grid.nz - 1, z0 + reach); z += step) {
    v.enclosed_air_cm2 = std::max(v.enclosed_air_cm2, enclosed_air_cm2(volume, z, options.air_hu));
  }
  if (v.enclosed_air_cm2 > options.max_enclosed_air_cm2) {
    std::snprintf(text, sizeof text,
                  "no pelvis in view: the joint's slice holds %.0f cm^2 of enclosed air (lungs; at most %.0f beside a sacroiliac joint)",
                  v.enclosed_air_cm2, options.max_enclosed_air_cm2);
    v.plausible = false;
    v.reason = text;
  }
  return v;
}

}  // namespace sij::joint
