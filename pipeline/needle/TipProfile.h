// The sub-voxel tip: the intensity profile along the fitted axis (ray_profile, fine steps) and
// the point where it falls half-way from the needle plateau (median over a stretch of shaft
// behind the bright end) to the local background beyond the tip. Blooming widens the fall-off
// symmetrically about the true end, so the half-way point does not move with it.
#pragma once

#include "pipeline/needle/NeedleFinder.h"
#include "pipeline/needle/Vec.h"
#include "pipeline/needle/VolumeOnBackend.h"

namespace sij::needle {

struct TipEstimate {
  bool found = false;
  double t_mm = 0;          // along the axis (axis.direction points towards the tip)
  double plateau_hu = 0, background_hu = 0, level_hu = 0;
};

// `t_bright_end` is the along-axis coordinate of the last metal candidate at the tip end.
TipEstimate find_tip(const VolumeOnBackend& volume, const Axis& axis, double t_bright_end,
                     const NeedleOptions& options);

}  // namespace sij::needle
