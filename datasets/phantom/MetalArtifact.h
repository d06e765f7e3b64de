// Metal artifacts made physically, slice by slice, where the needle's steel is:
//   1. forward-project the slice (parallel beam) - the steel part for every ray, the rest of
//      the slice only along the rays that cross steel;
//   2. on those rays, replace the ideal line integral by what a 120 kVp polychromatic beam
//      measures after the scanner's water beam-hardening correction (beam hardening), with
//      Poisson counting noise and an electronic noise floor (photon starvation);
//   3. filter the difference (Shepp-Logan ramp) and back-project it;
//   4. add that difference - FBP(corrupted) - FBP(ideal), by linearity - to the slice.
#pragma once

#include <cstdint>
#include <vector>

#include "datasets/phantom/Render.h"

namespace sij::phantom {

struct MetalArtifactParams {
  int angles = 360;                  // views over 180 degrees
  double photons_per_ray = 2.0e5;    // unattenuated counts per detector bin and view
  double electronic_noise = 6.0;     // counts (standard deviation)
  // Exponential (non-linear) partial volume across the slice: the detector integrates the
  // intensity over the slice thickness, so each ray's steel is projected per sub-layer
  // (SteelVoxel::layer) and the intensities averaged. A shaft lying in the slice plane, half
  // inside the slice, then lets half the beam through beside it instead of starving the whole
  // ray. false: the slice-averaged steel is projected (the original generator's model, kept
  // for its seeds' bytes).
  bool layered = false;
};

// Adds the artifact difference to `slice` (nx * ny ideal HU, steel already blended in).
// Pixels are square (ps_mm); `seed` makes the counting noise reproducible.
void add_metal_artifacts(float* slice, int nx, int ny, double ps_mm, const std::vector<SteelVoxel>& steel,
                         const MetalArtifactParams& params, std::uint64_t seed);

}  // namespace sij::phantom
