// Rigid alignment of a scan to an earlier scan of the same procedure, so that the gas stage can
// look up, for every voxel of this scan, what was at the same anatomical place before.
//
// Method: both volumes are clamped to a bone window ([100, 1500] HU: soft tissue, fat, gas and
// new gas all read 100, needle steel no more than cortical bone) and block-averaged to about
// 3 mm and 1.5 mm. On each level, coarse first, the blocks of the current scan with the
// steepest intensity gradient (bone surfaces) are the sample points; Gauss-Newton on the sum of
// squared intensity differences (Huber-weighted, so that a needle or new gas present in only
// one scan does not pull) finds the 6-DoF transform current -> previous, rotation about the
// points' centre. About 20,000 points per level: the cost is building the two block copies.
#pragma once

#include "pipeline/Volume.h"
#include "pipeline/align/RigidTransform.h"

namespace sij::align {

struct AlignOptions {
  float low_hu = 100.f;    // clamp window: below is soft tissue (and gas, fat)
  float high_hu = 1500.f;  // above is cortical bone (and steel)
  double fine_spacing_mm = 1.5;
  int levels = 2;          // fine, then each coarser level halves it (coarse runs first)
  int max_points = 20000;  // sample points per level
  double min_gradient_hu_per_mm = 20.0;
  int max_iterations = 40; // Gauss-Newton steps per level
};

struct AlignResult {
  bool ok = false;                      // false: too few bone points, or the solve failed
  RigidTransform current_to_previous;   // LPS of this scan -> LPS of the earlier scan
  int points = 0;                       // sample points on the finest level
  int iterations = 0;                   // over all levels
  double rms_residual_hu = 0.0;         // on the finest level, after alignment (clamped HU)
  double rms_before_hu = 0.0;           // the same with the identity transform
};

AlignResult align_rigid(const Volume& current, const Volume& previous, const AlignOptions& options = {});

}  // namespace sij::align
