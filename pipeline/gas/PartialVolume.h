// Gas volume by partial-volume fraction: a voxel that is partly air reads between the local
// soft tissue and air, so its air fraction is f = (tissue - HU) / (tissue - air), clamped to
// [0, 1]. The sum runs over the component's voxels and the one-voxel ring around it (26
// neighbours: edge voxels too faint for the hysteresis still hold some air). The tissue level
// is the median of the soft-tissue voxels (HU in [soft_low_hu, soft_high_hu], in the body, not
// gas) at Chebyshev distance 2 or 3 voxels from the component: the tissue the gas displaced,
// not bone or other gas.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/gas/AirSegmentation.h"
#include "pipeline/gas/GasComponent.h"
#include "pipeline/gas/GasOptions.h"

namespace sij::gas {

inline float air_fraction(float hu, float tissue_hu, float air_hu) {
  const float range = tissue_hu - air_hu;
  if (range <= 1.f) return hu <= air_hu ? 1.f : 0.f;
  const float f = (tissue_hu - hu) / range;
  return f < 0.f ? 0.f : (f > 1.f ? 1.f : f);
}

// Fills c.voxels, c.fractions, c.tissue_hu, c.reference_voxels, c.volume_ml, c.centroid_mm and
// c.slices for component c.label of `air` (c.stats must hold its bounding box).
void measure_partial_volume(GasComponent& c, const Volume& volume, const AirComponents& air,
                            const std::vector<std::uint8_t>& body, const GasOptions& options);

}  // namespace sij::gas
