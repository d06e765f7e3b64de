// What a scan of a needle of known length says about how that needle looks on this scanner
// (`sijtrack calibrate needle`): its blooming (apparent diameter) and the offset of the found
// tip from the real one.
//
// The needle is found by the needle stage (needle::find_needles). Blooming: intensity profiles
// across the shaft (0.05 mm steps, +-4 mm) every 2 mm along the part inside the body, in two
// directions perpendicular to the axis: one in the axial plane ("in-plane", what the axial
// image shows) and one across it ("through-plane", widened by the slice thickness); each
// profile's full width at half maximum between its peak and its background (median beyond
// 2.5 mm); medians over the profiles. Tip offset: when the shaft's back end (where it enters
// the hub) is inside the volume, the back end is placed by the same half-way rule as the tip
// and the tip should lie length_mm beyond it; offset = found tip minus that, along the axis
// (+: the found tip lies deeper). Without the back end in view, a known true tip (a phantom's
// truth) gives the offset instead (tip_offset_against).
#pragma once

#include <optional>
#include <string>

#include "calib/NeedleModel.h"
#include "pipeline/Volume.h"
#include "pipeline/needle/NeedleFinder.h"

namespace sij::calib {

struct NeedleCalibration {
  bool needle_found = false;
  needle::NeedleFinding needle;             // the first needle found
  double fwhm_in_plane_mm = 0.0;            // median FWHM across the shaft, in the axial plane
  double fwhm_through_plane_mm = 0.0;       // median FWHM across the shaft, out of the axial plane
  int profiles_used = 0;                    // per direction
  bool back_end_in_view = false;
  double back_end_mm[3] = {0, 0, 0};        // LPS, when in view
  double measured_length_mm = 0.0;          // back end to found tip, when in view
  std::optional<double> tip_offset_mm;      // along the axis, + deeper than the real tip
  std::string tip_offset_rule;              // "hub_to_tip_length" or "phantom_truth"
  double tip_lateral_offset_mm = 0.0;       // across the axis (phantom truth only)
};

NeedleCalibration calibrate_needle(const Volume& volume, const NeedleModel& model,
                                   const needle::NeedleOptions& options);

// Sets the tip offset from a known true tip (LPS): along the found axis and across it.
void tip_offset_against(NeedleCalibration& calibration, const double true_tip_mm[3]);

// The model with the measurements stored (blooming = in-plane FWHM; tip offset when known).
NeedleModel calibrated_model(const NeedleModel& model, const NeedleCalibration& calibration,
                             const std::string& scan_name);

}  // namespace sij::calib
