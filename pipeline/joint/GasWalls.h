// Bone walls beside gas. After the injection the joint space can be full of gas, and the blur
// that mixes a 1-1.5 mm cortex with -1000 HU air instead of ~50 HU cartilage pulls its peak
// far below the cortical threshold: the walls of a gas-filled stretch of joint vanish from the
// bone mask, the distance to the bone on that side jumps to the far side of the hole, and the
// joint space there is lost (seed 1019 "short", post-injection: 8 mm of the joint's posterior
// part, three quarters of its gas). The edge between cortex and air lies where the blurred
// profile crosses half-way between them, about 175 HU; so a voxel with gas right beside it is
// wall from a lower level. Only right beside: a cortex-cartilage mixture in a joint only partly
// filled with gas reads 400-700 HU, and a wider window turned those into bone too (the joint
// space grew thin where a bubble sat in it; 35 post-injection phantom scans: 3068 voxels of
// joint-space gas wrong without this, 2211 with a 1.5 mm window, 2113 with the neighbours).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/Grid.h"

namespace sij::joint {

struct GasWallOptions {
  std::int16_t wall_hu = 300;   // bone beside gas: at least this (cancellous bone is ~250)
  std::int16_t gas_hu = -500;   // gas: at most this (half air at least)
};

// Sets bone[i] = 1 where hu[i] >= wall_hu and one of the voxel's eight in-plane neighbours is
// gas. Voxels already set stay set.
void add_walls_beside_gas(const std::vector<std::int16_t>& hu, const Grid& grid, std::vector<std::uint8_t>& bone,
                          const GasWallOptions& options);

}  // namespace sij::joint
