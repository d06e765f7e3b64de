// Air-density voxels inside the body by hysteresis (a core threshold and a partial-volume edge
// threshold, 26-connected), labelled into 26-connected components with their statistics.
// Computed on runs along x inside the body's runs (RunMask.h): the air is a small part of
// the scan, so nothing here touches every voxel of the volume.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "pipeline/Volume.h"
#include "pipeline/gas/BodyMask.h"
#include "pipeline/gas/GasOptions.h"
#include "pipeline/sparse/RunMask.h"

namespace sij::gas {

struct AirComponents {
  RunMask runs;                         // the air voxels the hysteresis kept
  std::vector<std::int32_t> run_label;  // per run: its component, 1..count
  std::int32_t count = 0;
  std::vector<ComponentStats> stats;    // element k-1 for component k

  // Component labels (0: not air) over the box lo .. lo + n - 1 of the volume grid, x fastest.
  std::vector<std::int32_t> labels_in_box(const std::int32_t lo[3], const std::int32_t n[3]) const;
};

AirComponents segment_air(const Volume& volume, const Body& body, const GasOptions& options);

}  // namespace sij::gas
