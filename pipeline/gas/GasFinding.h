// What the gas stage reports for one scan: the injected ozone (new gas at the injection site),
// split by where it lies relative to the joint space, and the gas that was already there.
// Filled by gas::analyze_gas (pipeline/gas/GasAnalyzer.h); read by the verdict, the report
// writers and the overlays. Volumes in mL by partial-volume fraction (edges count as
// fractions), distances in mm, points LPS.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij::gas {

// Per voxel of the gas mask (same grid as the volume, x fastest).
enum GasClass : std::uint8_t {
  kNoGas = 0,
  kInjected = 1,      // new gas connected to the injection site (or new since the baseline)
  kPreexisting = 2,   // bowel/rectum gas, or gas already present on an earlier scan
  kArtifact = 3,      // dark metal-artifact streak beside the needle (air-density, not gas)
};

struct GasAlert {
  std::string code;     // e.g. "gas_far_from_joint", "gas_toward_foramina", "gas_along_track"
  std::string message;  // one sentence for the physician
  double distance_from_joint_mm = 0.0;
  double volume_ml = 0.0;
};

// One air-density component as classified, so a reader can see why gas was (not) counted.
struct GasComponentSummary {
  GasClass cls = kNoGas;
  std::string reason;
  double volume_ml = 0.0;
  double centroid_mm[3] = {0, 0, 0};     // LPS
  double nearest_site_mm = -1.0;         // nearest gas voxel to an injection site (-1: no site)
  double previous_air_fraction = -1.0;   // of its voxels, air on the earlier scan (-1: not compared)
};

struct GasFinding {
  bool analysed = false;             // false: the stage did not run (e.g. no body found)
  double injected_ml = 0.0;          // all injected gas in the field of view
  double intra_articular_ml = 0.0;   // inside the joint space
  double peri_articular_ml = 0.0;    // outside it, within peri_articular_mm (10 mm)
  double distant_ml = 0.0;           // farther than that
  double preexisting_ml = 0.0;       // gas excluded as pre-existing (bowel, earlier scans)
  double spread_craniocaudal_mm = 0.0;  // extent of intra+peri-articular gas along the joint
  double joint_coverage = 0.0;       // fraction [0,1] of the joint space that gas reached
  double farthest_from_tip_mm = 0.0; // distance of the farthest injected-gas voxel from the tip
  std::string joint_side;            // the joint the gas was related to ("" when none)
  bool aligned_to_previous = false;  // a rigid alignment to an earlier scan was used
  double alignment_shift_mm = 0.0;   // size of that alignment's translation
  std::vector<GasAlert> alerts;
  // Components of at least GasOptions::report_component_ml, largest first.
  std::vector<GasComponentSummary> components;
  // Per-voxel classification over the whole volume grid (GasClass values); may be empty when
  // the caller asked for no mask.
  Grid grid;
  Affine3 affine;
  std::vector<std::uint8_t> mask;
};

}  // namespace sij::gas
