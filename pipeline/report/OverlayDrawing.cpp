#include "pipeline/report/OverlayDrawing.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace sij::report {

WindowLevel window_of(CtWindow window) {
  return window == CtWindow::Bone ? WindowLevel{400.0, 1800.0} : WindowLevel{40.0, 400.0};
}

cv::Mat window_to_grey(const cv::Mat& hu, CtWindow window) {
  const WindowLevel wl = window_of(window);
  const double low = wl.level_hu - wl.width_hu / 2;
  cv::Mat grey;
  // grey = (hu - low) * 255 / width, saturated to [0, 255] by convertTo.
  hu.convertTo(grey, CV_8U, 255.0 / wl.width_hu, -low * 255.0 / wl.width_hu);
  return grey;
}

std::string orientation_letter(const double v[3]) {
  int axis = 0;
  for (int a = 1; a < 3; ++a) {
    if (std::fabs(v[a]) > std::fabs(v[axis])) axis = a;
  }
  static constexpr const char* kPositive[3] = {"L", "P", "S"};
  static constexpr const char* kNegative[3] = {"R", "A", "I"};
  return v[axis] >= 0 ? kPositive[axis] : kNegative[axis];
}

void put_text(cv::Mat& image, const std::string& text, cv::Point at, double scale, const cv::Scalar& colour) {
  cv::putText(image, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
  cv::putText(image, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv::LINE_AA);
}

void draw_orientation_letters(cv::Mat& image, const cv::Rect& area, const std::string& left, const std::string& right,
                              const std::string& top, const std::string& bottom) {
  const double scale = 0.6;
  int baseline = 0;
  const auto size = [&](const std::string& s) { return cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline); };
  const int cx = area.x + area.width / 2, cy = area.y + area.height / 2;
  put_text(image, left, {area.x + 4, cy + size(left).height / 2}, scale);
  put_text(image, right, {area.x + area.width - 4 - size(right).width, cy + size(right).height / 2}, scale);
  put_text(image, top, {cx - size(top).width / 2, area.y + 4 + size(top).height}, scale);
  put_text(image, bottom, {cx - size(bottom).width / 2, area.y + area.height - 6}, scale);
}

void blend_gas(cv::Mat& bgr, const cv::Mat& gas, double opacity) {
  CV_Assert(bgr.type() == CV_8UC3 && gas.type() == CV_8U && bgr.size() == gas.size());
  const cv::Scalar colours[4] = {{}, colour::kInjected, colour::kPreexisting, colour::kArtifact};
  for (int r = 0; r < bgr.rows; ++r) {
    const auto* g = gas.ptr<std::uint8_t>(r);
    auto* p = bgr.ptr<cv::Vec3b>(r);
    for (int c = 0; c < bgr.cols; ++c) {
      if (g[c] == 0 || g[c] > 3) continue;
      const cv::Scalar& col = colours[g[c]];
      for (int k = 0; k < 3; ++k) {
        p[c][k] = cv::saturate_cast<std::uint8_t>((1 - opacity) * p[c][k] + opacity * col[k]);
      }
    }
  }
}

void draw_outline(cv::Mat& bgr, const cv::Mat& mask, const cv::Scalar& colour) {
  std::vector<std::vector<cv::Point>> contours;
  cv::Mat work = mask != 0;
  cv::findContours(work, contours, cv::RETR_LIST, cv::CHAIN_APPROX_NONE);
  cv::drawContours(bgr, contours, -1, colour, 1, cv::LINE_8);
}

std::vector<LegendEntry> standard_legend(bool needle, bool correction) {
  std::vector<LegendEntry> legend;
  if (needle) legend.push_back({colour::kNeedle, "needle/tip"});
  if (correction) legend.push_back({colour::kCorrection, "move tip"});
  legend.push_back({colour::kJoint, "joint"});
  legend.push_back({colour::kInjected, "injected gas"});
  legend.push_back({colour::kPreexisting, "pre-existing"});
  legend.push_back({colour::kArtifact, "artifact"});
  return legend;
}

namespace {

// Splits `text` at spaces into rows that fit `width` pixels (a single over-long word is cut).
std::vector<std::string> wrap_text(const std::string& text, int width, double scale) {
  int baseline = 0;
  const auto fits = [&](const std::string& s) {
    return cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline).width <= width;
  };
  std::vector<std::string> rows;
  std::string row, word;
  const auto flush_word = [&] {
    if (word.empty()) return;
    const std::string joined = row.empty() ? word : row + " " + word;
    if (fits(joined)) {
      row = joined;
    } else {
      if (!row.empty()) rows.push_back(row);
      row = word;
      while (row.size() > 1 && !fits(row)) row.pop_back();
    }
    word.clear();
  };
  for (char c : text) {
    if (c == ' ') flush_word();
    else word += c;
  }
  flush_word();
  if (!row.empty()) rows.push_back(row);
  return rows;
}

}  // namespace

cv::Mat append_panel(const cv::Mat& image, const std::vector<std::string>& lines, const std::vector<LegendEntry>& legend,
                     double pixel_mm, double bar_mm) {
  const double scale = 0.42;
  const int line_h = 17;
  const int width = std::max(image.cols, 360);
  std::vector<std::string> rows;
  for (const auto& line : lines) {
    for (auto& row : wrap_text(line, width - 12, scale)) rows.push_back(std::move(row));
  }
  const int height = 8 + line_h * static_cast<int>(rows.size() + 3);  // text, up to two swatch rows, the bar
  cv::Mat out(image.rows + height, width, CV_8UC3, colour::kPanel);
  image.copyTo(out(cv::Rect(0, 0, image.cols, image.rows)));
  int y = image.rows + 4 + line_h - 4;
  for (const auto& row : rows) {
    cv::putText(out, row, {6, y}, cv::FONT_HERSHEY_SIMPLEX, scale, colour::kText, 1, cv::LINE_AA);
    y += line_h;
  }
  // Swatches, wrapping to a second row when needed; the scale bar at the right of the last row.
  int x = 6;
  int baseline = 0;
  for (const auto& entry : legend) {
    const int text_w = cv::getTextSize(entry.label, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline).width;
    if (x + 14 + text_w > width - 6) {
      x = 6;
      y += line_h;
    }
    cv::rectangle(out, cv::Rect(x, y - 10, 10, 10), entry.colour, cv::FILLED);
    cv::putText(out, entry.label, {x + 14, y}, cv::FONT_HERSHEY_SIMPLEX, scale, colour::kText, 1, cv::LINE_AA);
    x += 14 + text_w + 12;
  }
  y += line_h;
  const int bar_px = std::max(1, static_cast<int>(std::lround(bar_mm / pixel_mm)));
  const std::string bar_label = cv::format("%g mm", bar_mm);
  const int label_w = cv::getTextSize(bar_label, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline).width;
  const int bar_x = width - 10 - bar_px - 6 - label_w;
  cv::rectangle(out, cv::Rect(bar_x, y - 6, bar_px, 3), colour::kText, cv::FILLED);
  cv::line(out, {bar_x, y - 10}, {bar_x, y}, colour::kText);
  cv::line(out, {bar_x + bar_px - 1, y - 10}, {bar_x + bar_px - 1, y}, colour::kText);
  cv::putText(out, bar_label, {bar_x + bar_px + 6, y}, cv::FONT_HERSHEY_SIMPLEX, scale, colour::kText, 1, cv::LINE_AA);
  return out;
}

}  // namespace sij::report

namespace sij::report {

const std::uint8_t* gas_mask_or_null(const gas::GasFinding& gas, const Grid& grid) {
  if (gas.mask.empty()) return nullptr;
  if (static_cast<std::int64_t>(gas.mask.size()) != grid.voxel_count()) {
    throw OverlayError("the gas mask has " + std::to_string(gas.mask.size()) + " voxels but the volume " +
                       std::to_string(grid.voxel_count()) + ": it belongs to another scan");
  }
  return gas.mask.data();
}

double output_pixel_mm(double width_mm, double height_mm, double base_mm, int min_px) {
  const double base_px = std::max(width_mm, height_mm) / base_mm;
  const double zoom = std::max(1.0, std::ceil(min_px / std::max(base_px, 1.0) - 1e-6));  // 480 / 240.0001 is 2
  return base_mm / zoom;
}

}  // namespace sij::report
