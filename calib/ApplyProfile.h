// Puts a scanner profile to work: its thresholds and needle model into the analysis options,
// its HU correction onto a volume.
//
// Order for a scan: choose the profile (select_profile, or load_profile for a named one), then
// apply_hu_correction(profile, volume) right after ingest, then apply_profile(profile,
// options) before analysis::analyze_scan. The thresholds are meant for corrected HU.
#pragma once

#include "calib/ScannerProfile.h"
#include "pipeline/Volume.h"
#include "pipeline/analysis/ScanAnalyzer.h"

namespace sij::calib {

// Sets the needle options (metal thresholds, needle diameter, body threshold), the joint
// options (bone and metal thresholds, bloom radius when the needle was calibrated) and the gas
// options (hysteresis core and edge, body threshold, air level) from the profile. Options the
// profile does not cover keep their values. The default profile leaves every stage's own
// defaults unchanged.
void apply_profile(const ScannerProfile& profile, analysis::AnalyzeOptions& options);

// Maps every voxel through the HU correction (rounded to the nearest HU, clamped to the int16
// range). Returns the number of voxels whose value changed; the identity changes nothing.
std::int64_t apply_hu_correction(const HuCorrection& correction, Volume& volume);

}  // namespace sij::calib
