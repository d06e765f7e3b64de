// Where the needle axis crosses the skin, and the body's midline.
//
// Entry: walking the axis outwards from the tip, a ring of samples around the axis (radius
// options.ring_radius_mm) measures the tissue; the needle's own steel and blooming sit on the
// axis and do not enter the ring, so the shaft outside the skin does not extend the body. The
// axis leaves the body where the ring's trimmed mean stays below options.body_threshold_hu for
// good (10 mm or to the volume's edge); the crossing is then placed sub-voxel where the ring
// mean falls half-way from the tissue level inside to the air level outside. For a locally
// flat skin the ring straddles it symmetrically at the crossing, so that half-way point is
// where the axis meets the skin.
#pragma once

#include "pipeline/anatomy/BodyMidline.h"
#include "pipeline/needle/NeedleFinder.h"
#include "pipeline/needle/Vec.h"
#include "pipeline/needle/VolumeOnBackend.h"

namespace sij::needle {

struct SkinEntry {
  bool in_view = false;   // false: the axis left the volume before the skin
  double t_mm = 0;        // along the axis (negative: behind the tip)
};

// Walks from t_tip backwards along `axis` (axis.direction points towards the tip).
SkinEntry find_skin_entry(const VolumeOnBackend& volume, const Axis& axis, double t_tip,
                          const NeedleOptions& options);

// Trimmed mean (HU) of a ring of samples of radius `radius_mm` around each of `centres`
// (perpendicular to `direction`); samples outside the volume count as air (-1000).
std::vector<double> ring_means(const VolumeOnBackend& volume, const std::vector<V3>& centres,
                               const V3& direction, double radius_mm);

using anatomy::BodyMidline;

// Centroid x of the soft-tissue voxels (above options.body_threshold_hu, at most 200 HU;
// sampled every other voxel in-plane
// and on up to 24 slices), and whether the body reaches the volume's left or right edge.
BodyMidline body_midline(const Volume& volume, const NeedleOptions& options);

}  // namespace sij::needle
