// Air-density voxels inside the body by hysteresis (a core threshold and a partial-volume edge
// threshold, 26-connected), labelled into 26-connected components with their statistics.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "pipeline/Volume.h"
#include "pipeline/gas/GasOptions.h"

namespace sij::gas {

struct AirComponents {
  std::vector<std::int32_t> labels;     // per voxel: 0 none, else 1..count
  std::int32_t count = 0;
  std::vector<ComponentStats> stats;    // element k-1 for label k
};

AirComponents segment_air(const Volume& volume, const std::vector<std::uint8_t>& body, const GasOptions& options);

}  // namespace sij::gas
