// Hole filling: background regions that cannot reach the border of the volume become
// foreground. 3D uses 6-connected background; per slice uses each axial slice (fixed z)
// alone with 4-connected background.
#pragma once

#include <cstdint>

#include "kernels/core/Backend.h"
#include "kernels/core/Grid.h"

namespace sij {

void fill_holes_3d(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid);
void fill_holes_per_slice(Backend backend, const std::uint8_t* in, std::uint8_t* out,
                          const Grid& grid);

}  // namespace sij
