// The smoke volume: a pelvis-like CT made by formula, for benchmarks and the demo until the
// phantom generator of whole procedures (datasets/phantom) exists. It is NOT a procedure and
// has no ground truth beyond its own construction; nothing is measured against it.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/Grid.h"

namespace sij::datasets {

struct SmokeVolume {
  Grid grid;
  std::vector<std::int16_t> hu;
  std::vector<std::uint8_t> body_mask;  // HU > -400: patient and table, not the air around
  std::vector<std::uint8_t> bone_mask;  // HU > 250: sacrum, ilia, cortical shells
  std::vector<std::uint8_t> gas_mask;   // HU < -500 inside the body outline
};

// Prone pelvis centred in `grid`: elliptic body (fat, muscle), sacrum and two ilia with
// cancellous interior and cortical shell separated by thin joint gaps, bowel gas pockets, the
// table, a steel needle, and correlated noise. Deterministic; the anatomy is in mm, so any
// grid size or spacing shows the same patient.
SmokeVolume make_smoke_volume(const Grid& grid);

}  // namespace sij::datasets
