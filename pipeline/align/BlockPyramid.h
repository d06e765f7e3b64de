// Block-averaged copies of a CT volume for coarse-to-fine alignment: HU clamped to a window
// (so that only bone structure drives the match: soft tissue, gas and fat all read as the low
// end, needle steel as the high end), then averaged over blocks of voxels about
// `target_spacing_mm` wide. Averaging is a low-pass filter, which widens the capture range of
// the intensity match to a few block widths.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"
#include "pipeline/Volume.h"

namespace sij::align {

struct BlockVolume {
  Grid grid;                  // block counts and block spacing (mm)
  Affine3 affine;             // LPS placement of block centres
  std::vector<float> values;  // clamped mean HU, x fastest

  float at(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return values[static_cast<std::size_t>(grid.index(x, y, z))];
  }
  // Trilinear sample at a continuous block index; false outside the block centres' box.
  bool sample_index(const double idx[3], float& value) const;
  // Trilinear sample and gradient (per mm, LPS axes) at LPS point p.
  bool sample_with_gradient(const double p[3], float& value, double gradient_lps[3]) const;
};

// Averages `volume` (HU clamped to [low_hu, high_hu]) over blocks of about target_spacing_mm.
BlockVolume block_average(const Volume& volume, float low_hu, float high_hu, double target_spacing_mm);

// Halves a block volume (2x2x2 averages; an axis of size 1 stays).
BlockVolume halve(const BlockVolume& fine);

}  // namespace sij::align
