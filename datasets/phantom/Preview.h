// Preview pictures of a generated scan: an axial slice as an 8-bit PNG (window/level), for
// the docs and for a quick look. Uses ITK's PNG IO.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/Grid.h"

namespace sij::phantom {

// Writes slice k of `hu` with the given window (centre, width in HU). Throws on failure.
// With half_px > 0: only the square of +-half_px pixels around (cx, cy), enlarged `zoom` times.
void write_axial_png(const std::string& path, const std::vector<std::int16_t>& hu, const Grid& grid, int k,
                     double window_centre, double window_width, int cx = 0, int cy = 0, int half_px = 0,
                     int zoom = 1);

}  // namespace sij::phantom
