// Robust 3D line fitting on point sets: RANSAC with a fixed seed finds the line with the most
// support; intensity-weighted PCA of its inliers refines it.
#pragma once

#include <cstdint>

#include "kernels/core/Backend.h"

namespace sij {

struct LineFitParams {
  float inlier_distance_mm = 1.0f;  // a point supports a line when this close to it
  std::int32_t iterations = 512;    // RANSAC hypotheses (pairs of points)
  std::uint64_t seed = 0x5EED5EEDull;  // fixed: same input, same line
  std::int64_t min_inliers = 10;    // fewer inliers than this: no line found
};

struct LineFitResult {
  bool found = false;
  double point_mm[3] = {0, 0, 0};   // weighted centroid of the inliers (on the line)
  double direction[3] = {0, 0, 0};  // unit; sign fixed so its largest |component| is positive
  std::int64_t inlier_count = 0;
  double rms_distance_mm = 0.0;     // weighted RMS distance of inliers to the refined line
  // Extent of the inliers along the line: projections relative to point_mm.
  double extent_min_mm = 0.0;
  double extent_max_mm = 0.0;
  double eigenvalues_mm2[3] = {0, 0, 0};  // weighted covariance, descending
};

// points_mm: count points as x,y,z triples on `backend`; weights: count non-negative
// weights on `backend`, or null for all 1. inlier_mask: count bytes on `backend` receiving
// 1 for the final inliers (within inlier_distance_mm of the refined line), or null.
//
// Refinement repeats inliers -> weighted PCA until the inlier set stops changing (at most 32
// passes; see LineFitImpl.h), so point_mm is the weighted centroid of exactly the inliers the
// mask reports. Distances are compared in double as d^2 <= inlier_distance_mm^2. Negative or
// NaN weights count as 0. When no line is found the result is the default LineFitResult
// (found = false, zeros) and the mask, if given, is all 0.
LineFitResult fit_line(Backend backend, const float* points_mm, const float* weights,
                       std::int64_t count, const LineFitParams& params,
                       std::uint8_t* inlier_mask);

}  // namespace sij
