// Where two bones come close enough to hold a joint between them. On a scan that covers much
// more than the joints (a 300-slice pelvis), the sacrum and the ilia run most of its length
// but face each other across a narrow gap only over the joints' few centimetres; the second
// distance map and the joint-space search need only that part.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/Grid.h"
#include "pipeline/joint/Box.h"

namespace sij::joint {

// A joint-space voxel p has d_a(p) + d_b(p) <= reach (its separation between the bones), so
// the B voxel q nearest to p has d_a(q) <= reach and p lies within reach of q. The box returned
// (indices of `g`) is therefore the bounding box of the B voxels (labels in `bone_b`) whose
// distance to A (`dist_to_a_mm`, laid out on `g`) is at most `reach_mm`, grown by `reach_mm`:
// it holds every voxel that can belong to a joint space. Empty when A and B never come that
// close.
// Around the needle the search accepts wider separations (the walls were taken out with the
// steel's blooming): voxels of `needle_zone` within `zone_reach_mm` of A count as well, and
// the box grows by `zone_reach_mm` around them. Far from the bone (the fence rods on the skin)
// they do not count.
Box facing_region(const std::vector<float>& dist_to_a_mm, const std::vector<std::int32_t>& labels, const Grid& g,
                  const std::vector<std::int32_t>& bone_b, double reach_mm,
                  const std::vector<std::uint8_t>& needle_zone, double zone_reach_mm);

}  // namespace sij::joint
