// One connected piece of air-density voxels inside the body, as the gas stage measures and
// classifies it (internal to pipeline/gas; the report carries only GasFinding).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "pipeline/gas/GasFinding.h"

namespace sij::gas {

struct GasComponent {
  std::int32_t label = 0;          // in the component label volume
  ComponentStats stats;            // hysteresis voxels: count, bounding box
  // Partial volume: the component's voxels and the one-voxel ring around it (edges that the
  // hysteresis did not keep), each with its air fraction in [0, 1].
  std::vector<std::int64_t> voxels;
  std::vector<float> fractions;
  float tissue_hu = 0.f;           // local soft-tissue level used for the fractions
  int reference_voxels = 0;        // voxels that gave tissue_hu (0: the default was used)
  double volume_ml = 0.0;          // sum of fractions x voxel volume
  double centroid_mm[3] = {0, 0, 0};  // LPS, of the hysteresis voxels
  int slices = 0;                  // z extent in slices
  bool at_body_surface = false;    // outside-the-body voxels lie within GasOptions::body_surface_mm
  // Classification and why.
  GasClass cls = kNoGas;
  std::string reason;
  double nearest_site_mm = -1.0;   // nearest voxel to an injection site (-1: no site)
  double previous_air_fraction = -1.0;  // of voxels that were air on the earlier scan (-1: none)
};

}  // namespace sij::gas
