#include "pipeline/joint/AnatomyCheck.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "pipeline/joint/KernelCalls.h"

namespace sij::joint {

double enclosed_air_cm2(const Volume& volume, std::int32_t z, std::int16_t air_hu, Backend backend) {
  const Grid& g = volume.grid;
  if (z < 0 || z >= g.nz) return 0.0;
  // The slice's non-air voxels; its holes (4-connected air that cannot reach the slice's
  // border) are the air inside the body.
  Grid slice = g;
  slice.nz = 1;
  const auto n = static_cast<std::size_t>(slice.voxel_count());
  const std::int16_t* hu = volume.hu.data() + g.index(0, 0, z);
  std::vector<std::uint8_t> tissue(n), filled;
  for (std::size_t i = 0; i < n; ++i) tissue[i] = hu[i] >= air_hu;
  k_fill_holes_per_slice(backend, tissue, filled, slice);
  std::int64_t enclosed = 0;
  for (std::size_t i = 0; i < n; ++i) enclosed += filled[i] && !tissue[i];
  return static_cast<double>(enclosed) * g.sx_mm * g.sy_mm * 0.01;
}

AnatomyVerdict check_sacroiliac_anatomy(const Volume& volume, const double centroid_mm[3],
                                        const anatomy::BodyMidline& midline,
                                        const AnatomyCheckOptions& options, Backend backend) {
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
    v.enclosed_air_cm2 = std::max(v.enclosed_air_cm2, enclosed_air_cm2(volume, z, options.air_hu, backend));
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
