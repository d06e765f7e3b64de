#include "pipeline/report/JointReformat.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "pipeline/joint/Box.h"
#include "pipeline/needle/Vec.h"
#include "pipeline/report/OverlayDrawing.h"

namespace sij::report {
namespace {

using needle::V3;
// The vector operators live in sij::needle; std::array does not bring them in by ADL.
using needle::operator+;
using needle::operator-;
using needle::operator*;

// The joint's own frame: origin at the posterior opening, u along the joint (axis_anterior
// made perpendicular to the slice normal), h along the slice normal pointing cranially, n
// across the joint.
struct JointFrame {
  V3 origin, u, n, h;
};

JointFrame joint_frame(const joint::JointFinding& f, const Affine3& affine) {
  JointFrame fr;
  fr.origin = needle::v3(f.posterior_opening_mm);
  const double* D = affine.direction;
  fr.h = needle::unit(V3{D[2], D[5], D[8]});
  if (fr.h[2] < 0) fr.h = fr.h * -1.0;  // cranial up
  V3 a = needle::v3(f.axis_anterior);
  a = needle::unit(a - fr.h * needle::dot(a, fr.h));
  if (needle::norm(a) == 0) a = needle::unit(V3{0, -1, 0} - fr.h * needle::dot(V3{0, -1, 0}, fr.h));
  fr.u = a;
  fr.n = needle::cross(fr.h, fr.u);
  return fr;
}

// Points (u, h, n) of the joint's mid-surface voxels (all its voxels when the mid-surface is
// too sparse). Walks the joint's own voxel list, not the whole mask box.
std::vector<std::array<double, 3>> surface_points(const joint::JointAnalysis& ja, std::size_t joint_index, const JointFrame& fr) {
  std::vector<std::array<double, 3>> all, mid;
  if (joint_index >= ja.joint_points_mm.size()) return all;
  const Grid& mg = ja.mask_grid;
  for (const auto& q : ja.joint_points_mm[joint_index]) {
    const V3 p{q[0], q[1], q[2]};
    const V3 d = p - fr.origin;
    const std::array<double, 3> uhn{needle::dot(d, fr.u), needle::dot(d, fr.h), needle::dot(d, fr.n)};
    all.push_back(uhn);
    double index[3];
    ja.affine.physical_to_index(ja.grid, p.data(), index);
    const auto x = static_cast<std::int32_t>(std::lround(index[0])) - ja.box_min[0];
    const auto y = static_cast<std::int32_t>(std::lround(index[1])) - ja.box_min[1];
    const auto z = static_cast<std::int32_t>(std::lround(index[2])) - ja.box_min[2];
    if (!ja.mid_surface.empty() && mg.contains(x, y, z) && ja.mid_surface[static_cast<std::size_t>(mg.index(x, y, z))] != 0) {
      mid.push_back(uhn);
    }
  }
  return mid.size() >= 10 ? mid : all;
}

// Mean n of the surface per coarse cell, holes filled along u (linear, constant beyond the
// ends) and then across rows (nearest row with data), lightly smoothed.
cv::Mat surface_offsets(const std::vector<std::array<double, 3>>& pts, double u0, double h0, double cell, int nu, int nh) {
  cv::Mat sum(nh, nu, CV_64F, cv::Scalar(0)), count(nh, nu, CV_64F, cv::Scalar(0));
  for (const auto& p : pts) {
    const int c = std::clamp(static_cast<int>((p[0] - u0) / cell), 0, nu - 1);
    const int r = std::clamp(static_cast<int>((p[1] - h0) / cell), 0, nh - 1);
    sum.at<double>(r, c) += p[2];
    count.at<double>(r, c) += 1;
  }
  cv::Mat n(nh, nu, CV_32F, cv::Scalar(0));
  std::vector<int> filled_rows;
  for (int r = 0; r < nh; ++r) {
    std::vector<int> known;
    for (int c = 0; c < nu; ++c)
      if (count.at<double>(r, c) > 0) known.push_back(c);
    if (known.empty()) continue;
    filled_rows.push_back(r);
    for (int c = 0; c < nu; ++c) {
      const auto hi = std::lower_bound(known.begin(), known.end(), c);
      double value;
      if (hi == known.begin()) value = sum.at<double>(r, known.front()) / count.at<double>(r, known.front());
      else if (hi == known.end()) value = sum.at<double>(r, known.back()) / count.at<double>(r, known.back());
      else {
        const int b = *hi, a = *(hi - 1);
        const double va = sum.at<double>(r, a) / count.at<double>(r, a), vb = sum.at<double>(r, b) / count.at<double>(r, b);
        value = b == c ? vb : va + (vb - va) * (c - a) / double(b - a);
      }
      n.at<float>(r, c) = static_cast<float>(value);
    }
  }
  for (int r = 0; r < nh; ++r) {
    if (std::binary_search(filled_rows.begin(), filled_rows.end(), r) || filled_rows.empty()) continue;
    int nearest = filled_rows.front();
    for (int fr : filled_rows)
      if (std::abs(fr - r) < std::abs(nearest - r)) nearest = fr;
    n.row(nearest).copyTo(n.row(r));
  }
  cv::blur(n, n, {3, 3}, {-1, -1}, cv::BORDER_REPLICATE);
  return n;
}

V3 index_step(const Volume& v, const V3& lps_direction) {
  // index = diag(1/spacing) D^T (p - origin): linear, so a step along a direction is fixed.
  const double* D = v.affine.direction;
  const double s[3] = {v.grid.sx_mm, v.grid.sy_mm, v.grid.sz_mm};
  V3 out;
  for (int c = 0; c < 3; ++c) out[c] = (D[c] * lps_direction[0] + D[3 + c] * lps_direction[1] + D[6 + c] * lps_direction[2]) / s[c];
  return out;
}

}  // namespace

std::optional<cv::Mat> render_joint_reformat(const analysis::ScanReport& report, const Volume& volume, std::size_t joint_index,
                                             const OverlayOptions& options) {
  if (!report.joint_analysis || joint_index >= report.joint_analysis->joints.size()) return std::nullopt;
  const joint::JointAnalysis& ja = *report.joint_analysis;
  if (ja.joint_label.empty()) return std::nullopt;
  const Grid& g = volume.grid;
  const std::uint8_t* gas = gas_mask_or_null(report.gas, g);
  const auto& finding = ja.joints[joint_index];
  const JointFrame fr = joint_frame(finding, volume.affine);
  const auto pts = surface_points(ja, joint_index, fr);
  if (pts.empty()) return std::nullopt;

  // Extent: the joint plus a margin, so gas leaving it shows.
  const double margin = 12.0, cell = 2.0;
  double u_lo = 1e9, u_hi = -1e9, h_lo = 1e9, h_hi = -1e9;
  for (const auto& p : pts) {
    u_lo = std::min(u_lo, p[0]), u_hi = std::max(u_hi, p[0]);
    h_lo = std::min(h_lo, p[1]), h_hi = std::max(h_hi, p[1]);
  }
  const int nu = static_cast<int>(std::ceil((u_hi - u_lo + 2 * margin) / cell));
  const int nh = static_cast<int>(std::ceil((h_hi - h_lo + 2 * margin) / cell));
  const double u0 = u_lo - margin, h0 = h_lo - margin;
  const double u_range = nu * cell, h_range = nh * cell;
  const cv::Mat coarse = surface_offsets(pts, u0, h0, cell, nu, nh);

  // Sampled at the finest voxel spacing (finer adds nothing), then magnified for display.
  const double base = std::min({g.sx_mm, g.sy_mm, g.sz_mm});
  const double px = output_pixel_mm(u_range, h_range, base, options.min_image_px);
  const cv::Size sampled(std::max(1, static_cast<int>(std::lround(u_range / base))),
                         std::max(1, static_cast<int>(std::lround(h_range / base))));
  const cv::Size size(static_cast<int>(std::lround(u_range / px)), static_cast<int>(std::lround(h_range / px)));
  const double spx = u_range / sampled.width, spy = h_range / sampled.height;  // mm per sample
  cv::Mat flipped, offsets;  // rows run from cranial (high h) down
  cv::flip(coarse, flipped, 0);
  cv::resize(flipped, offsets, sampled, 0, 0, cv::INTER_LINEAR);

  double origin_index[3];
  volume.affine.physical_to_index(g, fr.origin.data(), origin_index);
  const V3 I0{origin_index[0], origin_index[1], origin_index[2]};
  const V3 IU = index_step(volume, fr.u), IN = index_step(volume, fr.n), IH = index_step(volume, fr.h);
  const double slab = options.reformat_slab_mm;
  const int slab_steps = static_cast<int>(std::ceil(slab / base));
  const std::uint8_t label = static_cast<std::uint8_t>(joint_index + 1);

  cv::Mat hu(sampled, CV_32F), joint_sampled(sampled, CV_8U, cv::Scalar(0)), gas_sampled(sampled, CV_8U, cv::Scalar(0));
  const auto nearest = [&](const V3& i, std::int32_t& x, std::int32_t& y, std::int32_t& z) {
    x = static_cast<std::int32_t>(std::lround(i[0])), y = static_cast<std::int32_t>(std::lround(i[1])),
    z = static_cast<std::int32_t>(std::lround(i[2]));
    return g.contains(x, y, z);
  };
#pragma omp parallel for schedule(dynamic, 8)
  for (int r = 0; r < sampled.height; ++r) {
    const double h = h0 + h_range - (r + 0.5) * spy;
    for (int c = 0; c < sampled.width; ++c) {
      const double u = u0 + (c + 0.5) * spx;
      const double n = offsets.at<float>(r, c);
      const V3 surface = I0 + IU * u + IH * h + IN * n;
      const double value = joint::sample_trilinear_host(volume.hu.data(), g, surface[0], surface[1], surface[2]);
      hu.at<float>(r, c) = std::isnan(value) ? -1000.f : static_cast<float>(value);
      std::int32_t x, y, z;
      if (nearest(surface, x, y, z) && ja.joint_label_at(x, y, z) == label) joint_sampled.at<std::uint8_t>(r, c) = 1;
      if (gas == nullptr) continue;
      std::uint8_t best = 0;  // injected (1) over pre-existing (2) over artifact (3)
      for (int k = -slab_steps; k <= slab_steps && best != gas::kInjected; ++k) {
        if (!nearest(surface + IN * (k * slab / std::max(slab_steps, 1)), x, y, z)) continue;
        const std::uint8_t cls = gas[g.index(x, y, z)];
        if (cls != 0 && cls <= 3 && (best == 0 || cls < best)) best = cls;
      }
      gas_sampled.at<std::uint8_t>(r, c) = best;
    }
  }

  cv::Mat grey, image, joint_mask, gas_view, offsets_shown;
  cv::resize(window_to_grey(hu, options.window), grey, size, 0, 0, cv::INTER_LINEAR);
  cv::resize(joint_sampled, joint_mask, size, 0, 0, cv::INTER_NEAREST_EXACT);
  cv::resize(gas_sampled, gas_view, size, 0, 0, cv::INTER_NEAREST_EXACT);
  cv::resize(offsets, offsets_shown, size, 0, 0, cv::INTER_LINEAR);
  cv::cvtColor(grey, image, cv::COLOR_GRAY2BGR);
  blend_gas(image, gas_view);
  draw_outline(image, joint_mask, colour::kJoint);

  // The displayed craniocaudal extent of injected gas, as a bracket at the right edge.
  int top = -1, bottom = -1;
  for (int r = 0; r < size.height; ++r) {
    if (cv::countNonZero(gas_view.row(r) == gas::kInjected) > 0) {
      if (top < 0) top = r;
      bottom = r;
    }
  }
  if (top >= 0) {
    const int x = size.width - 6;
    cv::line(image, {x, top}, {x, bottom}, colour::kInjected, 2);
    cv::line(image, {x - 5, top}, {x, top}, colour::kInjected, 2);
    cv::line(image, {x - 5, bottom}, {x, bottom}, colour::kInjected, 2);
  }

  // The tip, when it lies within the slab of this joint's surface.
  bool tip_drawn = false;
  for (const auto& entry : report.needles) {
    const V3 d = needle::v3(entry.needle.tip_mm) - fr.origin;
    const double u = needle::dot(d, fr.u), h = needle::dot(d, fr.h), n = needle::dot(d, fr.n);
    const int c = static_cast<int>(std::floor((u - u0) / px)), r = static_cast<int>(std::floor((h0 + h_range - h) / px));
    if (c < 0 || r < 0 || c >= size.width || r >= size.height) continue;
    if (std::fabs(n - offsets_shown.at<float>(r, c)) > slab) continue;
    const int radius = std::max(2, static_cast<int>(std::lround(0.8 / px)));
    cv::circle(image, {c, r}, radius + 1, cv::Scalar(0, 0, 0), 1);
    cv::circle(image, {c, r}, radius, colour::kNeedle, cv::FILLED);
    tip_drawn = true;
  }

  const V3 minus_u = fr.u * -1.0, minus_h = fr.h * -1.0;
  draw_orientation_letters(image, cv::Rect({0, 0}, size), orientation_letter(minus_u.data()), orientation_letter(fr.u.data()),
                           orientation_letter(fr.h.data()), orientation_letter(minus_h.data()));

  std::vector<std::string> lines = {
      cv::format("curved reformat along the %s joint's mid-surface (left: posterior opening); gas within %.0f mm projected",
                 finding.side.c_str(), slab),
  };
  if (report.gas.analysed && report.gas.injected_ml <= 0.0) {
    lines.push_back("no injected gas");
  } else if (report.gas.analysed) {
    const char* bound = report.gas_reaches_scan_edge ? ">= " : "";  // the gas leaves the scanned range
    lines.push_back(cv::format("injected %s%.2f mL, intra-articular %.2f mL, spread %s%.0f mm craniocaudal, %.0f%% of the joint reached",
                               bound, report.gas.injected_ml, report.gas.intra_articular_ml, bound,
                               report.gas.spread_craniocaudal_mm, 100 * report.gas.joint_coverage));
  } else {
    lines.push_back("gas not analysed");
  }
  if (top >= 0) lines.push_back(cv::format("bracket: injected gas shown over %.0f mm craniocaudally", (bottom - top + 1) * px));
  return append_panel(image, lines, standard_legend(tip_drawn, false), px);
}

}  // namespace sij::report
