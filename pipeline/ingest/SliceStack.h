// Orders a series' slices along the slice normal and checks that they form one regular,
// orthogonal stack: same orientation, size and pixel spacing; no duplicates, no gaps,
// uniform spacing, no gantry tilt. Pure geometry on headers; no file access.
#pragma once

#include <cstddef>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"
#include "pipeline/ingest/DicomSlice.h"
#include "pipeline/ingest/IngestOptions.h"

namespace sij::ingest {

struct SliceStack {
  std::vector<std::size_t> order;  // indices into the input, in increasing z
  Grid grid;
  Affine3 affine;
  double measured_tilt_deg = 0.0;  // angle between slice steps and the normal
};

// Throws IngestError (MixedGeometry, MissingTag, DuplicateSlices, GantryTilt,
// MissingSlices, NonUniformSpacing). `slices` must be non-empty.
SliceStack build_slice_stack(const std::vector<DicomSliceHeader>& slices,
                             const IngestOptions& options);

}  // namespace sij::ingest
