#include "pipeline/needle/SkinEntry.h"

#include "pipeline/anatomy/BodyMidline.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sij::needle {
namespace {

constexpr int kRingSamples = 16;
constexpr int kRingTrim = 3;           // lowest and highest samples dropped (streaks, rods)
constexpr double kWalkStepMm = 0.2;
constexpr double kStayOutsideMm = 10.0;
constexpr double kStayOutsideFraction = 0.8;
constexpr double kStartBehindTipMm = 2.0;
constexpr double kMaxWalkMm = 250.0;

}  // namespace

std::vector<double> ring_means(const VolumeOnBackend& vb, const std::vector<V3>& centres,
                               const V3& direction, double radius_mm) {
  V3 u, w;
  perpendicular_basis(direction, u, w);
  std::vector<float> pts;
  pts.reserve(centres.size() * kRingSamples * 3);
  for (const V3& c : centres)
    for (int k = 0; k < kRingSamples; ++k) {
      const double a = 2.0 * 3.14159265358979323846 * k / kRingSamples;
      const V3 q = c + u * (radius_mm * std::cos(a)) + w * (radius_mm * std::sin(a));
      pts.insert(pts.end(), {float(q[0]), float(q[1]), float(q[2])});
    }
  const std::vector<float> v = vb.sample(pts, -1000.0f);
  std::vector<double> means(centres.size());
  float ring[kRingSamples];
  for (std::size_t i = 0; i < centres.size(); ++i) {
    std::copy(v.begin() + i * kRingSamples, v.begin() + (i + 1) * kRingSamples, ring);
    std::sort(ring, ring + kRingSamples);
    double s = 0;
    for (int k = kRingTrim; k < kRingSamples - kRingTrim; ++k) s += ring[k];
    means[i] = s / (kRingSamples - 2 * kRingTrim);
  }
  return means;
}

SkinEntry find_skin_entry(const VolumeOnBackend& vb, const Axis& axis, double t_tip,
                          const NeedleOptions& options) {
  SkinEntry entry;
  // Points from just behind the tip outwards, while the axis is inside the volume.
  std::vector<V3> centres;
  std::vector<double> ts;
  for (double s = kStartBehindTipMm; s <= kMaxWalkMm; s += kWalkStepMm) {
    const V3 c = axis.at(t_tip - s);
    if (!vb.inside(c)) break;
    centres.push_back(c);
    ts.push_back(t_tip - s);
  }
  if (centres.empty()) {
    entry.t_mm = t_tip;
    return entry;
  }
  const std::vector<double> m = ring_means(vb, centres, axis.direction, options.ring_radius_mm);
  const auto n = static_cast<std::int64_t>(m.size());
  const double thr = options.body_threshold_hu;
  const auto stay = static_cast<std::int64_t>(std::lround(kStayOutsideMm / kWalkStepMm));

  // First sample outside the body that stays outside (mostly: a fence rod or a skin fold
  // beside the axis may interrupt it briefly) for kStayOutsideMm or to the volume's edge.
  std::int64_t out = -1;
  for (std::int64_t k = 1; k < n && out < 0; ++k) {
    if (!(m[k] < thr) || !(m[k - 1] >= thr)) continue;
    std::int64_t outside = 0, total = 0;
    for (std::int64_t j = k; j < std::min(n, k + stay); ++j, ++total) outside += m[j] < thr ? 1 : 0;
    if (outside >= kStayOutsideFraction * static_cast<double>(total)) out = k;
  }
  if (out < 0) {
    // Still in the body where the axis leaves the volume.
    entry.t_mm = ts.back();
    return entry;
  }
  // Levels: tissue over 1-5 mm inside, air over 1-5 mm outside; the crossing of their mean.
  auto median_range = [&](std::int64_t a, std::int64_t b) {
    std::vector<double> s;
    for (std::int64_t k = std::max<std::int64_t>(0, a); k < std::min(n, b); ++k) s.push_back(m[k]);
    if (s.empty()) return std::nan("");
    std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
    return s[s.size() / 2];
  };
  const std::int64_t mm1 = std::lround(1.0 / kWalkStepMm), mm5 = std::lround(5.0 / kWalkStepMm);
  double tissue = median_range(out - mm5, out - mm1);
  double air = median_range(out + mm1, out + mm5);
  if (!std::isfinite(tissue)) tissue = thr;
  if (!std::isfinite(air)) air = -1000.0;
  const double level = std::clamp(0.5 * (tissue + air), std::min(tissue, air), std::max(tissue, air));
  // Last crossing of `level` (going outwards) within 3 mm of the threshold crossing.
  const std::int64_t mm3 = std::lround(3.0 / kWalkStepMm);
  double t_cross = ts[out];
  for (std::int64_t k = std::min(n - 1, out + mm3); k >= std::max<std::int64_t>(1, out - mm3); --k) {
    if (m[k - 1] >= level && m[k] < level) {
      const double f = (m[k - 1] - level) / (m[k - 1] - m[k]);
      t_cross = ts[k - 1] + (ts[k] - ts[k - 1]) * f;
      break;
    }
  }
  entry.in_view = true;
  entry.t_mm = t_cross;
  return entry;
}

BodyMidline body_midline(const Volume& volume, const NeedleOptions& options) {
  return anatomy::body_midline(volume, options.body_threshold_hu);
}

}  // namespace sij::needle
