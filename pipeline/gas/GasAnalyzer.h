// Gas stage: how much ozone was injected and where it went, for one scan.
//
// Body mask (BodyMask.h) -> air-density voxels inside it by hysteresis, 26-connected components
// (AirSegmentation.h) -> per component the partial-volume volume against the local soft tissue
// (PartialVolume.h) -> injected / pre-existing / metal-artifact streak, by position relative to
// the needle, and by comparison with the earlier scan after rigid alignment (Classification.h)
// -> intra-articular / peri-articular / distant split, spread, coverage, alerts
// (JointQuantities.h). Method and fields: docs/report.md ("Gas").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/gas/Classification.h"
#include "pipeline/gas/GasComponent.h"
#include "pipeline/gas/GasFinding.h"
#include "pipeline/gas/GasOptions.h"
#include "pipeline/joint/JointFinder.h"
#include "pipeline/needle/NeedleFinder.h"

namespace sij::gas {

struct GasInputs {
  const joint::JointAnalysis* joints = nullptr;        // this scan's joint stage (may be null)
  std::vector<needle::NeedleFinding> needles;          // this scan's needles
  std::vector<needle::NeedleFinding> previous_needles; // the earlier scan's, in its coordinates
  std::vector<needle::MetalObject> hardware;           // this scan's metal that is not a needle
  std::optional<PreviousScan> previous;                // the earlier scan, aligned
  double alignment_rotation_deg = 0.0;                 // reported only
};

struct GasAnalysis {
  GasFinding finding;
  std::vector<GasComponent> components;  // every air component, measured and classified
  std::map<std::string, double> timings_ms;  // per step: body, air, partial_volume, classify, relate
};

GasAnalysis analyze_gas_detailed(const Volume& volume, const GasInputs& inputs, const GasOptions& options);

inline GasFinding analyze_gas(const Volume& volume, const GasInputs& inputs, const GasOptions& options) {
  return analyze_gas_detailed(volume, inputs, options).finding;
}

}  // namespace sij::gas
