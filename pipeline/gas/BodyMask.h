// The patient's body: HU above a threshold, holes filled per axial slice (so gas inside the
// body, bowel gas included, belongs to it), then the largest 3D component (face-connected; the
// fence rods and the air around the patient drop out, a table the patient touches stays).
// Computed on runs along x (RunMask.h), not on full-volume label arrays.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/gas/GasOptions.h"
#include "pipeline/sparse/RunMask.h"

namespace sij::gas {

struct Body {
  RunMask runs;                     // the body's voxels as runs
  std::vector<std::uint8_t> mask;   // the same, 0/1 per voxel of the volume grid
};

// Empty (all 0) when nothing exceeds the threshold.
Body find_body(const Volume& volume, const GasOptions& options);

// Whether any of `voxels` has a voxel outside the body within margin_mm in its axial slice:
// air at the body's surface (a skin fold, the gap between the skin and the table top), not
// inside the patient.
bool touches_body_surface(const std::vector<std::uint8_t>& body, const Grid& grid,
                          const std::vector<std::int64_t>& voxels, double margin_mm);

}  // namespace sij::gas
