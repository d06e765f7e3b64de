// Rasterises one scan of the scene into a voxel grid: the anatomy, table, fence, gas and
// needle, with partial volume (boundary voxels supersampled 3x3x3, the needle 5x5x5).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "datasets/phantom/Anatomy.h"
#include "datasets/phantom/Gas.h"
#include "datasets/phantom/Hardware.h"
#include "datasets/phantom/Needle.h"
#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij::phantom {

// Bits of the label volume (a voxel may carry several).
enum LabelBits : std::uint8_t {
  kLabelJointSpace = 1,   // joint space (centre of the voxel inside the gap)
  kLabelInjectedGas = 2,  // injected gas fraction >= 0.5
  kLabelBowelGas = 4,     // pre-existing (bowel) gas fraction >= 0.5
  kLabelBone = 8,         // sacrum or ilium at the voxel centre
  kLabelNeedle = 16,      // steel fraction >= 0.25
  kLabelHardware = 32,    // implant metal (not a needle) fraction >= 0.25
};

struct ScanScene {
  const Anatomy* anatomy = nullptr;
  Rigid pose;                          // body frame -> scanner LPS
  NeedleState needle;                  // .present false: no needle
  const InjectedGas* gas = nullptr;    // null: no injected gas
  // Bilateral procedures: the other side's needle and gas (body frame), after the first.
  std::vector<NeedleState> more_needles;
  std::vector<const InjectedGas*> more_gas;
  const std::vector<Implant>* implants = nullptr;  // orthopaedic hardware; null: none
};

// Sub-layers across the slice thickness at which the steel is resolved (the supersampling in z).
inline constexpr int kSteelLayers = 5;

struct SteelVoxel {
  std::int32_t pixel = 0;  // index within its slice
  float fraction = 0;      // steel (equivalent) fraction of the voxel
  // The same per sub-layer across the slice (mean of the layers = fraction), for the detector
  // rows' exponential partial volume (MetalArtifactParams::layered).
  float layer[kSteelLayers] = {0, 0, 0, 0, 0};
};

struct RenderedScan {
  Grid grid;
  Affine3 affine;
  std::vector<float> hu;                           // ideal CT numbers
  std::vector<std::uint8_t> labels;
  std::vector<std::vector<SteelVoxel>> steel;      // per slice: the needle's steel
  double injected_gas_pv_ml = 0, bowel_gas_pv_ml = 0;  // sum of partial-volume fractions
  std::int64_t boundary_voxels = 0;
};

RenderedScan render_scan(const ScanScene& scene, const Grid& grid, const Affine3& affine);

// Voxel centre (i, j, k) in LPS mm.
inline Vec3 voxel_centre(const Grid& g, const Affine3& a, double i, double j, double k) {
  const double idx[3] = {i, j, k};
  double p[3];
  a.index_to_physical(g, idx, p);
  return {p[0], p[1], p[2]};
}

}  // namespace sij::phantom
