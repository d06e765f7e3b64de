// Measures air and a reference soft tissue in a scan and derives the HU correction that maps
// them to their reference values (`sijtrack calibrate hu`).
//
// Air: the air around the patient, i.e. outside the body outline (HU above the body threshold,
// holes filled per slice) and at least air_margin_mm away from it (no skin partial volume, no
// fence rods); the largest connected piece of that (not the table's foam core); its median.
// Tissue: inside the body at least interior_margin_mm from the skin and outside the bones
// (dense voxels, holes filled per slice, dilated by bone_margin_mm); a smoothed histogram of
// that region's 5x5x5 local means gives the soft-tissue modes (fat near -100, viscera near 30,
// muscle near 50); the chosen mode ("muscle": the densest mode with at least 30% of the
// strongest one's height below air + 1200 HU, where cancellous bone starts; "water": the
// strongest mode) selects the voxels whose local mean lies within mode_window_hu of it
// (at most half-way to the next strong mode); that set is eroded by erosion_mm (drops
// boundaries and partial volume), its median is taken and the window re-centred on it until
// it settles. Medians of eroded regions: noise, streaks and small inclusions do not move them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "calib/ScannerProfile.h"
#include "kernels/core/Backend.h"
#include "pipeline/Volume.h"

namespace sij::calib {

struct HuCalibrationOptions {
  References reference;                 // what air and the tissue should read
  std::int16_t body_hu = -400;          // body outline (robust to a miscalibration of +-100 HU)
  std::int16_t dense_bone_hu = 600;     // bone seeds (cortical shells) for the exclusion
  double air_margin_mm = 3.0;
  double interior_margin_mm = 8.0;
  double bone_margin_mm = 3.0;
  int local_mean_radius_voxels = 2;     // box of 5x5x5 voxels for the local mean
  double histogram_smoothing_hu = 2.0;  // Gaussian sigma of the histogram smoothing
  double min_mode_fraction = 0.3;       // a mode counts when at least this fraction of the strongest
  double muscle_below_air_plus_hu = 1200.0;  // muscle mode: below air + this (cancellous bone is above)
  double mode_window_hu = 10.0;         // local mean within this of the centre (half the gap to a neighbour mode at most)
  int recentre_iterations = 6;
  double erosion_mm = 1.0;
  std::int64_t min_voxels = 500;        // fewer voxels in a region: no measurement
  Backend backend = Backend::Cpu;
};

struct HuMeasurement {
  double air_hu = 0.0;              // median of the air region (stored HU)
  double air_mad_hu = 0.0;          // median absolute deviation of that region
  std::int64_t air_voxels = 0;
  double tissue_mode_hu = 0.0;      // the histogram mode that was picked
  double tissue_hu = 0.0;           // median of the eroded tissue region (stored HU)
  double tissue_mad_hu = 0.0;
  std::int64_t tissue_voxels = 0;
  double other_mode_hu = 0.0;       // the other soft-tissue mode (fat for "muscle"); NaN if none
  HuCorrection correction;          // maps air_hu -> reference.air_hu, tissue_hu -> reference.tissue_hu
};

// The scan cannot be measured (no air outside the body in view, too little soft tissue, ...).
class HuCalibrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

HuMeasurement measure_hu_references(const Volume& volume, const HuCalibrationOptions& options);

// slope and intercept through the two measured points. Throws HuCalibrationError when the two
// measurements are too close to define a line (< 300 HU apart).
HuCorrection correction_from(double air_measured_hu, double tissue_measured_hu, const References& reference);

}  // namespace sij::calib
