// Drawing helpers shared by the three overlays: CT windowing, gas colouring, mask outlines,
// orientation letters from direction cosines, the legend panel with scale bar.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "pipeline/gas/GasFinding.h"
#include "pipeline/report/OverlayStyle.h"

namespace sij::report {

// HU (any numeric cv type, one channel) -> 8-bit grey through the window.
cv::Mat window_to_grey(const cv::Mat& hu, CtWindow window);

// The patient-orientation letter of LPS direction v (dominant component): +x "L", -x "R",
// +y "P", -y "A", +z "S", -z "I".
std::string orientation_letter(const double v[3]);

// Letters at the middle of each edge of the image region `area` (left, right, top, bottom).
void draw_orientation_letters(cv::Mat& image, const cv::Rect& area, const std::string& left, const std::string& right,
                              const std::string& top, const std::string& bottom);

// Blends the gas colours into `bgr` where `gas` (GasClass values, same size) is set.
void blend_gas(cv::Mat& bgr, const cv::Mat& gas, double opacity = kGasOpacity);

// Outlines each nonzero region of `mask` (CV_8U, same size as `bgr`) in `colour`, 1 px, on
// the region's own border pixels.
void draw_outline(cv::Mat& bgr, const cv::Mat& mask, const cv::Scalar& colour);

// Text with a dark outline, readable on any background.
void put_text(cv::Mat& image, const std::string& text, cv::Point at, double scale = 0.42,
              const cv::Scalar& colour = colour::kText);

// A legend panel below the image: text lines (wrapped to fit), colour swatches and a scale
// bar of `bar_mm` at `pixel_mm` per pixel. Returns the image with the panel appended.
struct LegendEntry {
  cv::Scalar colour;
  std::string label;
};
cv::Mat append_panel(const cv::Mat& image, const std::vector<std::string>& lines, const std::vector<LegendEntry>& legend,
                     double pixel_mm, double bar_mm = 10.0);

// The legend entries for what an overlay shows.
std::vector<LegendEntry> standard_legend(bool needle, bool correction);

}  // namespace sij::report

namespace sij::report {

// The gas classification per voxel when the gas stage produced one for this volume's grid;
// nullptr when there is none. Throws OverlayError when a mask is there but on another grid.
const std::uint8_t* gas_mask_or_null(const gas::GasFinding& gas, const Grid& grid);

// Magnification so that the larger side of an extent of (width_mm x height_mm), sampled at
// base_mm, covers at least min_px pixels: the output pixel size in mm.
double output_pixel_mm(double width_mm, double height_mm, double base_mm, int min_px);

}  // namespace sij::report
