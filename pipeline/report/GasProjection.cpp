#include "pipeline/report/GasProjection.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "pipeline/report/OverlayDrawing.h"

namespace sij::report {
namespace {

// Bone from cancellous to dense cortex, drawn faint (grey 0..110) so the gas colours dominate.
constexpr double kBoneLowHu = 200.0, kBoneHighHu = 1500.0, kBoneGrey = 110.0;
// Left and right of the joints, gas and needles.
constexpr double kMarginMm = 25.0;

}  // namespace

cv::Mat render_gas_projection(const analysis::ScanReport& report, const Volume& volume, const OverlayOptions& options) {
  const Grid& g = volume.grid;
  if (g.voxel_count() == 0 || static_cast<std::int64_t>(volume.hu.size()) != g.voxel_count()) {
    throw OverlayError("the volume is empty or its voxels do not match its grid");
  }
  const std::uint8_t* gas = gas_mask_or_null(report.gas, g);

  // Projections along y on the (z, x) plane: one pass over the volume, x fastest, so each
  // thread streams its own slices.
  cv::Mat mip(g.nz, g.nx, CV_16S, cv::Scalar(-1024));
  cv::Mat counts[3] = {cv::Mat(g.nz, g.nx, CV_16U, cv::Scalar(0)), cv::Mat(g.nz, g.nx, CV_16U, cv::Scalar(0)),
                       cv::Mat(g.nz, g.nx, CV_16U, cv::Scalar(0))};
  cv::Mat joint(g.nz, g.nx, CV_8U, cv::Scalar(0));
#pragma omp parallel for schedule(static)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    auto* m = mip.ptr<std::int16_t>(z);
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const std::int64_t row = g.index(0, y, z);
      const std::int16_t* hu = volume.hu.data() + row;
      for (std::int32_t x = 0; x < g.nx; ++x) m[x] = std::max(m[x], hu[x]);
      if (gas == nullptr) continue;
      const std::uint8_t* cls = gas + row;
      // One branch-free (vectorisable) pass per class: most rows hold no gas at all.
      for (int k = 0; k < 3; ++k) {
        auto* count = counts[k].ptr<std::uint16_t>(z);
        const std::uint8_t value = static_cast<std::uint8_t>(k + 1);
        for (std::int32_t x = 0; x < g.nx; ++x) count[x] += cls[x] == value;
      }
    }
  }
  if (report.joint_analysis && !report.joint_analysis->joint_label.empty()) {
    const auto& ja = *report.joint_analysis;
    const Grid& mg = ja.mask_grid;
    for (std::int32_t z = 0; z < mg.nz; ++z)
      for (std::int32_t y = 0; y < mg.ny; ++y)
        for (std::int32_t x = 0; x < mg.nx; ++x) {
          const int vx = x + ja.box_min[0], vz = z + ja.box_min[2];
          if (ja.joint_label[mg.index(x, y, z)] != 0 && vx >= 0 && vx < g.nx && vz >= 0 && vz < g.nz) joint.at<std::uint8_t>(vz, vx) = 1;
        }
  }

  // Gas class per column (injected over pre-existing over artifact) and its opacity.
  cv::Mat cls(g.nz, g.nx, CV_8U, cv::Scalar(0)), alpha(g.nz, g.nx, CV_32F, cv::Scalar(0));
  for (int z = 0; z < g.nz; ++z)
    for (int x = 0; x < g.nx; ++x)
      for (int k = 0; k < 3; ++k) {
        const int n = counts[k].at<std::uint16_t>(z, x);
        if (n == 0) continue;
        cls.at<std::uint8_t>(z, x) = static_cast<std::uint8_t>(k + 1);
        alpha.at<float>(z, x) = static_cast<float>(std::min(1.0, 0.45 + 0.08 * n));
        break;
      }

  // Columns shown: those of the joints, the injected gas and the needles, plus a margin (the
  // rest of a full field of view is table and air); all columns when there is none of them.
  int x_lo = g.nx, x_hi = -1;
  const auto include = [&](double x) {
    x_lo = std::min(x_lo, static_cast<int>(std::floor(x)));
    x_hi = std::max(x_hi, static_cast<int>(std::ceil(x)));
  };
  for (int x = 0; x < g.nx; ++x) {
    if (cv::countNonZero(joint.col(x)) > 0 || cv::countNonZero(cls.col(x) == gas::kInjected) > 0) include(x);
  }
  for (const auto& entry : report.needles) {
    double i[3];
    volume.affine.physical_to_index(g, entry.needle.tip_mm, i);
    include(i[0]);
  }
  const int margin = static_cast<int>(std::lround(kMarginMm / g.sx_mm));
  const int first = x_hi < 0 ? 0 : std::clamp(x_lo - margin, 0, g.nx - 1);
  const int last = x_hi < 0 ? g.nx - 1 : std::clamp(x_hi + margin, first, g.nx - 1);
  const cv::Range columns(first, last + 1);

  // Square pixels, cranial at the top: rows run along -z of the index when the slice axis
  // points cranially (LPS z > 0).
  const double* D = volume.affine.direction;
  const double col[3] = {D[0], D[3], D[6]}, slice_axis[3] = {D[2], D[5], D[8]};
  const bool flip = slice_axis[2] > 0;
  const int shown = columns.size();
  const double width_mm = shown * g.sx_mm, height_mm = g.nz * g.sz_mm;
  const double px = output_pixel_mm(width_mm, height_mm, std::min(g.sx_mm, g.sz_mm), options.min_image_px);
  const cv::Size size(std::max(1, static_cast<int>(std::lround(width_mm / px))), std::max(1, static_cast<int>(std::lround(height_mm / px))));
  const auto resample = [&](const cv::Mat& m, int interpolation) {
    cv::Mat oriented, out;
    if (flip) cv::flip(m.colRange(columns), oriented, 0);
    else oriented = m.colRange(columns);
    cv::resize(oriented, out, size, 0, 0, interpolation);
    return out;
  };

  cv::Mat bone;
  mip.convertTo(bone, CV_8U, kBoneGrey / (kBoneHighHu - kBoneLowHu), -kBoneLowHu * kBoneGrey / (kBoneHighHu - kBoneLowHu));
  cv::Mat image;
  cv::cvtColor(resample(bone, cv::INTER_LINEAR), image, cv::COLOR_GRAY2BGR);
  const cv::Mat cls_big = resample(cls, cv::INTER_NEAREST_EXACT), alpha_big = resample(alpha, cv::INTER_NEAREST_EXACT);
  const cv::Scalar colours[4] = {{}, colour::kInjected, colour::kPreexisting, colour::kArtifact};
  for (int r = 0; r < size.height; ++r)
    for (int c = 0; c < size.width; ++c) {
      const int k = cls_big.at<std::uint8_t>(r, c);
      if (k == 0) continue;
      const double a = alpha_big.at<float>(r, c);
      auto& p = image.at<cv::Vec3b>(r, c);
      for (int ch = 0; ch < 3; ++ch) p[ch] = cv::saturate_cast<std::uint8_t>((1 - a) * p[ch] + a * colours[k][ch]);
    }
  draw_outline(image, resample(joint, cv::INTER_NEAREST_EXACT), colour::kJoint);

  // The needles, projected: index (x, z) to output pixels (the same centre convention as resize).
  const auto to_pixel = [&](const double p_mm[3]) {
    double i[3];
    volume.affine.physical_to_index(g, p_mm, i);
    const double row = flip ? (g.nz - 1 - i[2]) : i[2];
    return cv::Point(static_cast<int>(std::lround((i[0] - first + 0.5) * size.width / shown - 0.5)),
                     static_cast<int>(std::lround((row + 0.5) * size.height / g.nz - 0.5)));
  };
  for (const auto& entry : report.needles) {
    const cv::Point tip = to_pixel(entry.needle.tip_mm);
    cv::line(image, to_pixel(entry.needle.entry_mm), tip, colour::kNeedle, 1);
    cv::circle(image, tip, 3, cv::Scalar(0, 0, 0), 1);
    cv::circle(image, tip, 2, colour::kNeedle, cv::FILLED);
  }

  const double neg_col[3] = {-col[0], -col[1], -col[2]};
  const double up[3] = {flip ? slice_axis[0] : -slice_axis[0], flip ? slice_axis[1] : -slice_axis[1], flip ? slice_axis[2] : -slice_axis[2]};
  const double down[3] = {-up[0], -up[1], -up[2]};
  draw_orientation_letters(image, cv::Rect({0, 0}, size), orientation_letter(neg_col), orientation_letter(col),
                           orientation_letter(up), orientation_letter(down));

  std::vector<std::string> lines = {cv::format("coronal projection: gas (all depths) over a faint bone MIP; %.0f mm wide", width_mm)};
  const auto& gf = report.gas;
  if (!gf.analysed) {
    lines.push_back("gas not analysed");
  } else {
    // ">=" where the gas leaves the scanned range (the Hershey fonts have no "≥").
    const char* bound = report.gas_reaches_scan_edge ? ">= " : "";
    if (gf.injected_ml <= 0.0) {
      lines.push_back(cv::format("no injected gas; pre-existing %.2f mL excluded", gf.preexisting_ml));
    } else {
      lines.push_back(cv::format("injected %s%.2f mL: intra-articular %.2f (%.0f%%), peri-articular %.2f, distant %.2f; "
                                 "pre-existing %.2f mL excluded",
                                 bound, gf.injected_ml, gf.intra_articular_ml, 100.0 * gf.intra_articular_ml / gf.injected_ml,
                                 gf.peri_articular_ml, gf.distant_ml, gf.preexisting_ml));
      lines.push_back(cv::format("spread %s%.0f mm craniocaudal, farthest %.0f mm from the tip%s", bound,
                                 gf.spread_craniocaudal_mm, gf.farthest_from_tip_mm,
                                 report.gas_reaches_scan_edge ? " (gas leaves the scanned range)" : ""));
    }
    for (const auto& alert : gf.alerts) lines.push_back("ALERT: " + alert.message);
  }
  return append_panel(image, lines, standard_legend(!report.needles.empty(), false), px);
}

}  // namespace sij::report
