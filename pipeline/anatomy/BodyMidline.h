// The body's left-right midline: where patient left and right divide (LPS x), for the needle's
// side, the side of metal that is not a needle and the joint stage's anatomy check.
#pragma once

#include <cstdint>

#include "pipeline/Volume.h"

namespace sij::anatomy {

struct BodyMidline {
  bool known = false;     // the body lies wholly inside the field of view left to right
  bool estimated = false; // x_mm was measured (known, or from a body the field of view cuts)
  double x_mm = 0;        // LPS x of the body's centroid
};

// Centroid x of the soft-tissue voxels (above body_threshold_hu, at most 200 HU; sampled every
// other voxel in-plane and on up to 24 slices), and whether the body reaches the volume's left
// or right edge (then it is only an estimate: the field of view cuts the body).
BodyMidline body_midline(const Volume& volume, std::int16_t body_threshold_hu);

}  // namespace sij::anatomy
