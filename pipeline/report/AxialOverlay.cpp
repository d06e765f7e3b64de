#include "pipeline/report/AxialOverlay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "pipeline/report/OverlayDrawing.h"

namespace sij::report {
namespace {

std::array<double, 3> to_index(const Volume& v, const double p[3]) {
  std::array<double, 3> index{};
  v.affine.physical_to_index(v.grid, p, index.data());
  return index;
}

int clamp_slice(double z, const Grid& g) {
  return std::clamp(static_cast<int>(std::lround(z)), 0, std::max(0, g.nz - 1));
}

struct SliceChoice {
  int z = 0;
  double centre_x = 0, centre_y = 0;  // voxel index the field is centred on
  std::string rule;
};

// Which slice to show, where to centre the field, and why.
SliceChoice choose_slice(const analysis::ScanReport& report, const Volume& volume, const std::uint8_t* gas) {
  const Grid& g = volume.grid;
  if (!report.needles.empty()) {
    const auto& n = report.needles.front().needle;
    const auto i = to_index(volume, n.tip_mm);
    return {clamp_slice(i[2], g), i[0], i[1], "through the tip of needle " + std::to_string(n.id)};
  }
  if (gas != nullptr) {
    const std::int64_t per_slice = static_cast<std::int64_t>(g.nx) * g.ny;
    int best = -1;
    std::int64_t best_count = 0;
    for (int z = 0; z < g.nz; ++z) {
      const auto* s = gas + z * per_slice;
      const auto count = std::count(s, s + per_slice, static_cast<std::uint8_t>(gas::kInjected));
      if (count > best_count) best_count = count, best = z;
    }
    if (best >= 0) {
      double sx = 0, sy = 0;
      for (std::int64_t i = 0; i < per_slice; ++i) {
        if (gas[best * per_slice + i] == gas::kInjected) sx += i % g.nx, sy += i / g.nx;
      }
      return {best, sx / best_count, sy / best_count, "the slice with the most injected gas (no needle)"};
    }
  }
  if (!report.joints.empty()) {
    const auto i = to_index(volume, report.joints.front().centroid_mm);
    return {clamp_slice(i[2], g), i[0], i[1], "through the " + report.joints.front().side + " joint's centroid (no needle)"};
  }
  return {g.nz / 2, (g.nx - 1) / 2.0, (g.ny - 1) / 2.0, "the middle slice (no needle, no joint)"};
}

// The voxels shown: a square of field_mm around the centre, shifted (not shrunk) to stay inside
// the slice; the whole slice when it is smaller or field_mm is 0.
cv::Rect choose_field(const Grid& g, double cx, double cy, double field_mm) {
  if (field_mm <= 0) return {0, 0, g.nx, g.ny};
  const int w = std::min(g.nx, static_cast<int>(std::lround(field_mm / g.sx_mm)));
  const int h = std::min(g.ny, static_cast<int>(std::lround(field_mm / g.sy_mm)));
  const int x = std::clamp(static_cast<int>(std::lround(cx - w / 2.0)), 0, g.nx - w);
  const int y = std::clamp(static_cast<int>(std::lround(cy - h / 2.0)), 0, g.ny - h);
  return {x, y, std::max(w, 1), std::max(h, 1)};
}

cv::Mat joint_label_slice(const joint::JointAnalysis& ja, const Grid& g, int z) {
  cv::Mat labels(g.ny, g.nx, CV_8U, cv::Scalar(0));
  const Grid& mg = ja.mask_grid;
  const int bz = z - ja.box_min[2];
  if (ja.joint_label.empty() || bz < 0 || bz >= mg.nz) return labels;
  for (int by = 0; by < mg.ny; ++by) {
    const int y = by + ja.box_min[1];
    if (y < 0 || y >= g.ny) continue;
    const std::uint8_t* row = ja.joint_label.data() + mg.index(0, by, bz);
    for (int bx = 0; bx < mg.nx; ++bx) {
      const int x = bx + ja.box_min[0];
      if (x >= 0 && x < g.nx) labels.at<std::uint8_t>(y, x) = row[bx];
    }
  }
  return labels;
}

cv::Point rounded(const cv::Point2d& p) { return {static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y))}; }

}  // namespace

AxialOverlay render_axial_overlay(const analysis::ScanReport& report, const Volume& volume, const OverlayOptions& options) {
  const Grid& g = volume.grid;
  if (g.voxel_count() == 0 || static_cast<std::int64_t>(volume.hu.size()) != g.voxel_count()) {
    throw OverlayError("the volume is empty or its voxels do not match its grid");
  }
  const std::uint8_t* gas = gas_mask_or_null(report.gas, g);
  AxialOverlay out;
  const SliceChoice choice = choose_slice(report, volume, gas);
  out.slice_z = choice.z;
  out.slice_rule = choice.rule;
  out.field = choose_field(g, choice.centre_x, choice.centre_y, options.axial_field_mm);
  const int z = out.slice_z;
  const cv::Rect& field = out.field;

  // Square output pixels: the finer in-plane spacing, magnified to min_image_px.
  const double width_mm = field.width * g.sx_mm, height_mm = field.height * g.sy_mm;
  out.pixel_mm = output_pixel_mm(width_mm, height_mm, std::min(g.sx_mm, g.sy_mm), options.min_image_px);
  out.image_size = {std::max(1, static_cast<int>(std::lround(width_mm / out.pixel_mm))),
                    std::max(1, static_cast<int>(std::lround(height_mm / out.pixel_mm)))};
  out.px_per_voxel_x = double(out.image_size.width) / field.width;
  out.px_per_voxel_y = double(out.image_size.height) / field.height;

  const std::int64_t per_slice = static_cast<std::int64_t>(g.nx) * g.ny;
  const cv::Mat hu(g.ny, g.nx, CV_16S, const_cast<std::int16_t*>(volume.hu.data() + z * per_slice));
  cv::Mat grey;
  cv::resize(window_to_grey(hu(field), options.window), grey, out.image_size, 0, 0, cv::INTER_LINEAR);
  cv::Mat image;
  cv::cvtColor(grey, image, cv::COLOR_GRAY2BGR);

  if (gas != nullptr) {
    const cv::Mat gas_slice(g.ny, g.nx, CV_8U, const_cast<std::uint8_t*>(gas + z * per_slice));
    cv::Mat gas_big;
    cv::resize(gas_slice(field), gas_big, out.image_size, 0, 0, cv::INTER_NEAREST_EXACT);
    blend_gas(image, gas_big);
  }
  if (report.joint_analysis) {
    const cv::Mat labels = joint_label_slice(*report.joint_analysis, g, z);
    for (std::size_t j = 0; j < report.joint_analysis->joints.size(); ++j) {
      cv::Mat one = labels(field) == static_cast<int>(j + 1), big;
      cv::resize(one, big, out.image_size, 0, 0, cv::INTER_NEAREST_EXACT);
      draw_outline(image, big, colour::kJoint);
    }
  }

  const int tip_radius = std::max(2, static_cast<int>(std::lround(0.8 / out.pixel_mm)));
  bool correction_drawn = false;
  for (const auto& entry : report.needles) {
    const auto tip = to_index(volume, entry.needle.tip_mm);
    const auto skin = to_index(volume, entry.needle.entry_mm);
    const cv::Point2d tip_px = out.to_pixel(tip[0], tip[1]);
    cv::line(image, rounded(out.to_pixel(skin[0], skin[1])), rounded(tip_px), colour::kNeedle, 1, cv::LINE_8);
    const auto& r = entry.relation;
    if (r.joint_found && !r.tip_in_joint && r.correction_distance_mm > 0) {
      const auto target = to_index(volume, r.nearest_joint_point_mm);
      cv::Point2d d = out.to_pixel(target[0], target[1]) - tip_px;
      const double length = std::hypot(d.x, d.y);
      if (length > 0.5) {
        if (length < 14) d *= 14 / length;  // a correction of a few pixels still shows its direction
        cv::arrowedLine(image, rounded(tip_px), rounded(tip_px + d), colour::kCorrection, 1, cv::LINE_AA, 0, 0.3);
        correction_drawn = true;
      }
    }
    cv::circle(image, rounded(tip_px), tip_radius + 1, cv::Scalar(0, 0, 0), 1, cv::LINE_8);
    cv::circle(image, rounded(tip_px), tip_radius, colour::kNeedle, cv::FILLED, cv::LINE_8);
  }

  // Orientation letters from the direction cosines: columns run along D's first column, rows
  // (downwards) along its second.
  const double* D = volume.affine.direction;
  const double col[3] = {D[0], D[3], D[6]}, row[3] = {D[1], D[4], D[7]};
  const double neg_col[3] = {-col[0], -col[1], -col[2]}, neg_row[3] = {-row[0], -row[1], -row[2]};
  draw_orientation_letters(image, cv::Rect({0, 0}, out.image_size), orientation_letter(neg_col), orientation_letter(col),
                           orientation_letter(neg_row), orientation_letter(row));

  double centre[3], centre_mm[3];
  centre[0] = (g.nx - 1) / 2.0, centre[1] = (g.ny - 1) / 2.0, centre[2] = z;
  volume.affine.index_to_physical(g, centre, centre_mm);
  const WindowLevel wl = window_of(options.window);
  const auto& v = report.verdict;
  const std::string field_text =
      field.width == g.nx && field.height == g.ny ? std::string("whole slice")
                                                  : cv::format("%.0f x %.0f mm field", field.width * g.sx_mm, field.height * g.sy_mm);
  std::vector<std::string> lines = {
      v.needle_text.empty() ? std::string("verdict not computed") : v.needle_text,
      v.gas_text,
      cv::format("axial slice %d of %d, z = %.1f mm (LPS), %s", z + 1, g.nz, centre_mm[2], out.slice_rule.c_str()),
      cv::format("%s window L %.0f / W %.0f HU; %s, %.2f mm per pixel", options.window == CtWindow::Bone ? "bone" : "soft-tissue",
                 wl.level_hu, wl.width_hu, field_text.c_str(), out.pixel_mm),
  };
  if (lines[1].empty()) lines.erase(lines.begin() + 1);
  out.image = append_panel(image, lines, standard_legend(!report.needles.empty(), correction_drawn), out.pixel_mm);
  return out;
}

}  // namespace sij::report
