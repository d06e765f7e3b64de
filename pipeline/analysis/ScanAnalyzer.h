// Runs the per-scan stages (needle, joint, tip relation) on an ingested volume, optionally
// against earlier scans of the same procedure, and times each stage.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "kernels/core/Backend.h"
#include "pipeline/Volume.h"
#include "pipeline/align/RigidAlign.h"
#include "pipeline/analysis/ScanReport.h"
#include "pipeline/gas/GasOptions.h"
#include "pipeline/verdict/VerdictConfig.h"

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
  verdict::VerdictConfig verdict;  // thresholds of the verdict (config/verdict.json)
  gas::GasOptions gas;             // the gas stage (pipeline/gas/GasOptions.h)
  align::AlignOptions align;       // rigid alignment to the previous scan, for the gas stage
};

ScanReport analyze_scan(const Volume& volume, const AnalyzeOptions& options,
                        const ScanReport* previous = nullptr);

// The same, keeping the volume in report.volume so that the next scan can compare with it (the
// gas stage aligns the next scan to this one and looks up its gas). The previous report's gas
// comparison needs its volume: pass reports made by this overload as `previous`.
ScanReport analyze_scan(std::shared_ptr<const Volume> volume, const AnalyzeOptions& options,
                        const ScanReport* previous = nullptr);

}  // namespace sij::analysis
