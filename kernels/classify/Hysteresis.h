// Hysteresis classification: voxels in a wide (partial-volume) HU range are kept only when
// they are connected, through voxels of that range, to at least one voxel in a narrower
// (core) range. Used for gas (core below about -900 HU, edge below about -500 HU) and metal.
#pragma once

#include <cstdint>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Classify.h"
#include "kernels/core/Backend.h"
#include "kernels/core/Grid.h"

namespace sij {

// out[i] = 1 when hu[i] is in `edge` and its component of `edge` voxels (under
// `connectivity`) holds a voxel in `core`. `core` should lie inside `edge`; a core voxel
// outside `edge` is not itself kept.
void hysteresis_mask(Backend backend, const std::int16_t* hu, std::uint8_t* out, const Grid& grid,
                     HuRange core, HuRange edge, Connectivity connectivity = Connectivity::Full26);

}  // namespace sij
