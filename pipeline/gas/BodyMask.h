// The patient's body: HU above a threshold, holes filled per axial slice (so gas inside the
// body, bowel gas included, belongs to it), then the largest 3D component (the table, the
// fence rods' supports and the air around the patient drop out).
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/gas/GasOptions.h"

namespace sij::gas {

// 0/1 per voxel of the volume grid; all 0 when nothing exceeds the threshold.
std::vector<std::uint8_t> body_mask(const Volume& volume, const GasOptions& options);

}  // namespace sij::gas
