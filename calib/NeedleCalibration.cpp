#include "calib/NeedleCalibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "pipeline/needle/SkinEntry.h"
#include "pipeline/needle/TipProfile.h"
#include "pipeline/needle/Vec.h"
#include "pipeline/needle/VolumeOnBackend.h"

namespace sij::calib {
namespace {

using needle::Axis;
using needle::V3;
using needle::operator+;
using needle::operator-;
using needle::operator*;

constexpr double kHalfWidthMm = 4.0;       // profile from -4 to +4 mm across the axis
constexpr double kStepMm = 0.05;
constexpr double kBackgroundFromMm = 2.5;  // background: beyond this distance from the axis
constexpr double kPeakWithinMm = 1.0;      // the peak is looked for this close to the axis
constexpr double kEveryMm = 2.0;           // profile positions along the shaft
constexpr double kAwayFromTipMm = 5.0;     // stay clear of the tip's fall-off
constexpr double kAwayFromSkinMm = 3.0;    // and of the skin
constexpr double kBackEndMarginVoxels = 3.0;

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Full width at half maximum of one profile across the shaft (NaN when it has no clear peak).
double fwhm(const std::vector<float>& p) {
  const int n = static_cast<int>(p.size());
  const int centre = n / 2;
  const int within = static_cast<int>(std::lround(kPeakWithinMm / kStepMm));
  const int bg_from = static_cast<int>(std::lround(kBackgroundFromMm / kStepMm));
  int peak_k = centre;
  for (int k = centre - within; k <= centre + within; ++k) {
    if (std::isfinite(p[k]) && p[k] > p[peak_k]) peak_k = k;
  }
  std::vector<double> bg;
  for (int k = 0; k < n; ++k) {
    if (std::abs(k - centre) >= bg_from && std::isfinite(p[k])) bg.push_back(p[k]);
  }
  const double background = median(bg), peak = p[peak_k];
  if (!std::isfinite(background) || !std::isfinite(peak) || peak - background < 200.0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const double level = 0.5 * (peak + background);
  double left = NAN, right = NAN;
  for (int k = peak_k; k > 0; --k) {
    if (p[k - 1] < level) {
      left = (k - 1) + (level - p[k - 1]) / (p[k] - p[k - 1]);
      break;
    }
  }
  for (int k = peak_k; k + 1 < n; ++k) {
    if (p[k + 1] < level) {
      right = k + (p[k] - level) / (p[k] - p[k + 1]);
      break;
    }
  }
  return (right - left) * kStepMm;
}

}  // namespace

NeedleCalibration calibrate_needle(const Volume& volume, const NeedleModel& model,
                                   const needle::NeedleOptions& options_in) {
  NeedleCalibration c;
  needle::NeedleOptions options = options_in;
  options.needle_diameter_mm = model.outer_diameter_mm;
  options.max_needles = 1;
  const auto found = needle::find_needles(volume, options);
  if (found.empty()) return c;
  c.needle_found = true;
  c.needle = found.front();
  const needle::NeedleFinding& f = c.needle;
  const needle::VolumeOnBackend vb(volume, options.backend);

  Axis axis;
  axis.point = needle::v3(f.tip_mm);
  axis.direction = needle::unit(needle::v3(f.direction));
  // In-plane: perpendicular to the axis and to z (lies in the axial plane); through-plane: the third.
  V3 in_plane = needle::cross(axis.direction, V3{0, 0, 1});
  if (needle::norm(in_plane) < 1e-6) in_plane = V3{1, 0, 0};
  in_plane = needle::unit(in_plane);
  const V3 through = needle::unit(needle::cross(axis.direction, in_plane));

  // Profiles across the shaft inside the body (t < 0: behind the tip).
  const double t_from = -(f.inserted_length_mm - kAwayFromSkinMm), t_to = -kAwayFromTipMm;
  std::vector<double> w_in, w_through;
  const auto count = static_cast<std::int32_t>(std::lround(2 * kHalfWidthMm / kStepMm)) + 1;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (double t = t_to; t >= t_from; t -= kEveryMm) {
    const V3 c0 = axis.at(t);
    const double a = fwhm(vb.profile(c0 - in_plane * kHalfWidthMm, in_plane, kStepMm, count, nan));
    const double b = fwhm(vb.profile(c0 - through * kHalfWidthMm, through, kStepMm, count, nan));
    if (std::isfinite(a)) w_in.push_back(a);
    if (std::isfinite(b)) w_through.push_back(b);
  }
  c.profiles_used = static_cast<int>(std::min(w_in.size(), w_through.size()));
  c.fwhm_in_plane_mm = median(w_in);
  c.fwhm_through_plane_mm = median(w_through);

  // The shaft's back end: the tip rule run from the other end, on the reversed axis.
  const V3 back_bright = axis.at(-f.visible_length_mm);
  Axis reversed;
  reversed.point = axis.point;
  reversed.direction = axis.direction * -1.0;
  const needle::TipEstimate back = needle::find_tip(vb, reversed, reversed.along(back_bright), options);
  if (back.found) {
    const V3 b = reversed.at(back.t_mm);
    if (vb.inside(b, kBackEndMarginVoxels)) {
      c.back_end_in_view = true;
      for (int k = 0; k < 3; ++k) c.back_end_mm[k] = b[k];
      c.measured_length_mm = back.t_mm;  // from the tip (t = 0 on both axes) to the back end
      c.tip_offset_mm = c.measured_length_mm - model.length_mm;
      c.tip_offset_rule = "hub_to_tip_length";
    }
  }
  return c;
}

void tip_offset_against(NeedleCalibration& c, const double true_tip_mm[3]) {
  if (!c.needle_found) return;
  const V3 d = needle::v3(c.needle.tip_mm) - needle::v3(true_tip_mm);
  const V3 dir = needle::unit(needle::v3(c.needle.direction));
  c.tip_offset_mm = needle::dot(d, dir);
  c.tip_lateral_offset_mm = needle::norm(needle::cross(d, dir));
  c.tip_offset_rule = "phantom_truth";
}

NeedleModel calibrated_model(const NeedleModel& model, const NeedleCalibration& c, const std::string& scan_name) {
  NeedleModel m = model;
  if (!c.needle_found) return m;
  if (std::isfinite(c.fwhm_in_plane_mm)) m.blooming_diameter_mm = c.fwhm_in_plane_mm;
  if (c.tip_offset_mm) {
    m.tip_offset_mm = *c.tip_offset_mm;
    m.tip_offset_rule = c.tip_offset_rule;
  }
  m.calibrated_on = scan_name;
  return m;
}

}  // namespace sij::calib
