// Overlay 1: the axial slice through the tip. Windowed CT resampled to square pixels (in the
// volume's own row/column order, as the console shows it), the needle axis projected into the
// slice with the tip marked, the correction arrow when the tip is outside the joint, the joint
// outline, gas coloured by class, orientation letters from the direction cosines, and a panel
// with the verdict, the slice position, a legend and a scale bar.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "pipeline/Volume.h"
#include "pipeline/analysis/ScanReport.h"
#include "pipeline/report/OverlayStyle.h"

namespace sij::report {

struct AxialOverlay {
  cv::Mat image;          // BGR, 8 bit: the slice (top-left, image_size) and the panel below it
  cv::Size image_size;    // the slice part
  int slice_z = 0;        // index of the slice shown
  std::string slice_rule; // why this slice: "tip of needle 1", "most injected gas", ...
  double pixel_mm = 1.0;  // size of one output pixel (square)
  cv::Rect field;         // the voxels shown (x, y index range of the slice)
  double px_per_voxel_x = 1.0, px_per_voxel_y = 1.0;  // image_size / field size

  // Output pixel (centre coordinates) of continuous voxel index (x, y), voxel centres at
  // integers; the same convention as cv::resize.
  cv::Point2d to_pixel(double x, double y) const {
    return {(x - field.x + 0.5) * px_per_voxel_x - 0.5, (y - field.y + 0.5) * px_per_voxel_y - 0.5};
  }
};

// The slice through the first needle's tip; without a needle the slice with the most injected
// gas, else the joint centroid's slice, else the middle slice. The field (options.axial_field_mm)
// is centred on the same point (the gas's centre in its slice, the joint's centroid, the slice's
// centre), clamped to the slice. Throws OverlayError when the
// gas mask is not on the volume's grid.
AxialOverlay render_axial_overlay(const analysis::ScanReport& report, const Volume& volume,
                                  const OverlayOptions& options = {});

}  // namespace sij::report
