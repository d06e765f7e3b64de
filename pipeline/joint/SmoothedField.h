// In-plane smoothing of a distance map, for the directions read from its gradient.
//
// The exact distance to a voxelised bone surface is the distance to the nearest bone voxel
// centre. Across a staircase wall that nearest centre jumps from step to step, so the gradient
// direction a millimetre or two from the wall swings by up to ~15 degrees, although the wall
// is flat. A binomial blur over a few voxels averages the steps out: a plane's distance (a
// linear ramp) keeps its direction, and the staircase ripple is gone.
#pragma once

#include <vector>

#include "kernels/core/Grid.h"

namespace sij::joint {

// The field blurred `passes` times by the binomial kernel (1 4 6 4 1) / 16 along x, then y
// (each pass: sigma 1 voxel; two passes: 1.4). Edges repeat the border value. Non-finite
// values stay contagious: a sum that meets one is not finite, and the gradient skips it.
std::vector<float> smoothed_in_plane(const std::vector<float>& field, const Grid& grid, int passes);

}  // namespace sij::joint
