// Runs the per-scan stages (needle, joint, tip relation) on an ingested volume, optionally
// against earlier scans of the same procedure, and times each stage.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "kernels/core/Backend.h"
#include "pipeline/Volume.h"
#include "pipeline/analysis/ScanReport.h"

namespace sij::analysis {

struct AnalyzeOptions {
  Backend backend = Backend::Cpu;
  needle::NeedleOptions needle;
  joint::JointOptions joint;
  std::optional<std::array<double, 3>> planned_target_mm;  // LPS
  // A needle in this scan is the same as one in the previous scan when their axes are this
  // close (patients move up to a few millimetres between scans).
  double same_needle_axis_distance_mm = 6.0;
  double same_needle_angle_deg = 10.0;
};

ScanReport analyze_scan(const Volume& volume, const AnalyzeOptions& options,
                        const ScanReport* previous = nullptr);

}  // namespace sij::analysis
