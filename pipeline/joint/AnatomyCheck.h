// Anatomy before answers: a joint space the joint stage found between two bones is reported as
// a sacroiliac joint only where a sacroiliac joint can lie.
//
// - Beside the midline: an adult SIJ lies about 20-70 mm lateral of the body's midline; the
//   hip joint lies about 90 mm out, the shoulder joint 150 mm and more. With the whole body in
//   view left to right, a joint whose centroid lies more than max_lateral_mm (or less than
//   min_lateral_mm) from the midline is not an SIJ.
//   When the field of view cuts the body the midline is an estimate and the bound widens by
//   estimate_slack_mm.
// - Below the lungs: no slice within air_reach_mm of the joint's centre holds large enclosed
//   air. A chest slice holds a hundred to several hundred cm^2 of lung; a pelvic slice at the
//   SIJ and 30 mm above it holds bowel gas of a few tens at most.
// A rejected joint is dropped with its reason (JointAnalysis::rejected): "no pelvis in view".
#pragma once

#include <cstdint>
#include <string>

#include "kernels/core/Backend.h"
#include "pipeline/Volume.h"
#include "pipeline/anatomy/BodyMidline.h"

namespace sij::joint {

struct AnatomyCheckOptions {
  double min_lateral_mm = 10.0;
  double max_lateral_mm = 85.0;
  std::int16_t air_hu = -600;                 // air for the lung test
  double max_enclosed_air_cm2 = 100.0;        // enclosed air in a slice near the joint
  double air_reach_mm = 30.0;                 // slices this far above and below the centre
  double estimate_slack_mm = 40.0;
  std::int16_t body_threshold_hu = -400;      // the body, for the midline
};

struct AnatomyVerdict {
  bool plausible = true;
  std::string reason;                         // why not, in words, when not
  double lateral_mm = 0.0;                    // |centroid x - midline x|, when the midline is known
  double enclosed_air_cm2 = 0.0;              // the most in a slice near the joint
};

// `centroid_mm` is the joint's LPS centroid; `midline` the body's (anatomy::body_midline).
AnatomyVerdict check_sacroiliac_anatomy(const Volume& volume, const double centroid_mm[3],
                                        const anatomy::BodyMidline& midline,
                                        const AnatomyCheckOptions& options, Backend backend = Backend::Cpu);

// Area (cm^2) of the air in axial slice z that does not touch the slice's border (air inside
// the body: lungs, bowel), 4-connected in-plane: the holes of the slice's non-air voxels, by
// the per-slice hole filling kernel on `backend`.
double enclosed_air_cm2(const Volume& volume, std::int32_t z, std::int16_t air_hu,
                        Backend backend = Backend::Cpu);

}  // namespace sij::joint
