// Binary morphology with a ball given in millimetres on an anisotropic grid.
//
// The ball holds every offset (dx, dy, dz) in voxels with
//   (dx*sx)^2 + (dy*sy)^2 + (dz*sz)^2 <= (radius_mm + kBallToleranceMm)^2,
// so a radius that is an exact multiple of the spacing includes that neighbour despite
// rounding. Voxels outside the volume do not exist: they neither dilate into it nor erode it.
// Masks are 0/1 uint8 on `backend`; `in` and `out` may not alias.
#pragma once

#include <cstdint>

#include "kernels/core/Backend.h"
#include "kernels/core/Grid.h"

namespace sij {

inline constexpr float kBallToleranceMm = 1e-3f;

void dilate_ball(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
                 float radius_mm);
void erode_ball(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
                float radius_mm);
// open = dilate(erode(in)); close = erode(dilate(in)).
void open_ball(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
               float radius_mm);
void close_ball(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
                float radius_mm);

}  // namespace sij
