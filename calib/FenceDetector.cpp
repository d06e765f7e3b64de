#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "calib/Fence.h"
#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Classify.h"
#include "kernels/edt/DistanceTransform.h"
#include "kernels/linefit/SymmetricEigen3.h"
#include "kernels/morphology/HoleFilling.h"
#include "kernels/morphology/Morphology.h"
#include "pipeline/joint/KernelCalls.h"

namespace sij::calib {
namespace {

using P3 = std::array<double, 3>;
constexpr double kPi = 3.14159265358979323846;

// Shapes of a rod piece: thinner than this (sqrt(12 * second eigenvalue); a solid cylinder
// of radius r gives 1.7 r) and at least this long.
constexpr double kMaxPieceThicknessMm = 4.0;
constexpr double kMinPieceLengthMm = 3.0;
// Pieces whose lines pass within this distance of each other (at a common z) are one rod.
constexpr double kJoinDistanceMm = 2.0;
// Per slice, the rod's cross-section is gathered within this in-plane radius of the line.
constexpr double kWindowMm = 3.0;
// Voxels above this HU carry the rod's weight (tissue and skin stay below it).
constexpr double kWeightFloorHu = 200.0;
// A run of slices carrying a rod may skip this many slices.
constexpr int kMaxGapSlices = 2;
// A rod's bright cross-section (blur included) stays within this many times its true area
// (plus two voxels of partial volume).
constexpr double kMaxAreaFactor = 4.0;
// Voxels this close to steel are its blooming, not a rod.
constexpr double kSteelMarginMm = 2.0;

P3 operator+(const P3& a, const P3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
P3 operator-(const P3& a, const P3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
P3 operator*(const P3& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }

// Grid-mm frame: index * spacing. LPS = origin + D * grid_mm (D orthonormal, so lines and
// distances are the same in both frames).
P3 to_lps(const Volume& v, const P3& g) {
  P3 p;
  for (int r = 0; r < 3; ++r) {
    p[r] = v.affine.origin_mm[r];
    for (int c = 0; c < 3; ++c) p[r] += v.affine.direction[r * 3 + c] * g[c];
  }
  return p;
}
P3 dir_to_lps(const Volume& v, const P3& d) {
  P3 p{0, 0, 0};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) p[r] += v.affine.direction[r * 3 + c] * d[c];
  return p;
}

struct Line {
  P3 point{0, 0, 0}, dir{0, 0, 1};  // grid mm; dir[2] > 0
  // Point where the line meets the slice plane at grid height z (rods are far from parallel
  // to the slices).
  P3 at_z(double z) const { return point + dir * ((z - point[2]) / dir[2]); }
};

Line principal_line(const double centroid[3], const double cov6[6], double* l1, double* l2) {
  const double m[3][3] = {{cov6[0], cov6[1], cov6[2]}, {cov6[1], cov6[3], cov6[4]}, {cov6[2], cov6[4], cov6[5]}};
  const auto e = detail::symmetric_eigen3(m);
  Line line;
  line.point = {centroid[0], centroid[1], centroid[2]};
  line.dir = {e.vectors[0][0], e.vectors[0][1], e.vectors[0][2]};
  if (line.dir[2] < 0) line.dir = line.dir * -1.0;
  *l1 = std::max(0.0, e.values[0]);
  *l2 = std::max(0.0, e.values[1]);
  return line;
}

struct Piece {
  Line line;
  double zmin = 0, zmax = 0;  // grid mm
};

struct SliceSample {
  bool has_rod = false;
  P3 centroid{0, 0, 0};   // grid mm
  double density = 0;     // sum of (HU - floor)+ times the in-plane voxel area
  double bright_area_mm2 = 0;  // in-plane area of the voxels above the floor
  bool occluded = false;  // steel (a needle) in the window: this slice says nothing about the rod
  double peak_hu = -1e9;
};

SliceSample sample_slice(const Volume& v, const Line& line, std::int32_t k, std::int16_t rod_min_hu,
                         std::int16_t metal_hu) {
  const Grid& g = v.grid;
  SliceSample s;
  const P3 c = line.at_z(k * static_cast<double>(g.sz_mm));
  const int rx = static_cast<int>(std::ceil(kWindowMm / g.sx_mm)), ry = static_cast<int>(std::ceil(kWindowMm / g.sy_mm));
  const int cx = static_cast<int>(std::lround(c[0] / g.sx_mm)), cy = static_cast<int>(std::lround(c[1] / g.sy_mm));
  double wsum = 0, sx = 0, sy = 0;
  for (int y = cy - ry; y <= cy + ry; ++y) {
    for (int x = cx - rx; x <= cx + rx; ++x) {
      if (!g.contains(x, y, k)) continue;
      const double gx = x * static_cast<double>(g.sx_mm), gy = y * static_cast<double>(g.sy_mm);
      if ((gx - c[0]) * (gx - c[0]) + (gy - c[1]) * (gy - c[1]) > kWindowMm * kWindowMm) continue;
      const double hu = v.at(x, y, k);
      if (hu >= metal_hu) s.occluded = true;
      s.peak_hu = std::max(s.peak_hu, hu);
      const double w = hu - kWeightFloorHu;
      if (w <= 0) continue;
      s.bright_area_mm2 += g.sx_mm * g.sy_mm;
      wsum += w;
      sx += w * gx;
      sy += w * gy;
    }
  }
  s.density = wsum * g.sx_mm * g.sy_mm;
  s.has_rod = !s.occluded && s.peak_hu >= rod_min_hu && wsum > 0;
  if (wsum > 0) s.centroid = {sx / wsum, sy / wsum, k * static_cast<double>(g.sz_mm)};
  return s;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Bilinear value of slice k at the line's point in that slice.
double on_axis_hu(const Volume& v, const Line& line, std::int32_t k) {
  const Grid& g = v.grid;
  const P3 c = line.at_z(k * static_cast<double>(g.sz_mm));
  const double fx = c[0] / g.sx_mm, fy = c[1] / g.sy_mm;
  const int x0 = static_cast<int>(std::floor(fx)), y0 = static_cast<int>(std::floor(fy));
  const double ax = fx - x0, ay = fy - y0;
  double acc = 0, wsum = 0;
  for (int dy = 0; dy <= 1; ++dy)
    for (int dx = 0; dx <= 1; ++dx) {
      if (!g.contains(x0 + dx, y0 + dy, k)) continue;
      const double w = (dx ? ax : 1 - ax) * (dy ? ay : 1 - ay);
      acc += w * v.at(x0 + dx, y0 + dy, k);
      wsum += w;
    }
  return wsum > 0 ? acc / wsum : -1000.0;
}

// Fits one rod from its pieces' first line; false when too few slices carry it.
bool fit_rod(const Volume& v, const Line& first, const FenceModel& model, std::int16_t metal_hu, FenceRod& rod) {
  const Grid& g = v.grid;
  const double sz = g.sz_mm;
  std::vector<SliceSample> samples(static_cast<std::size_t>(g.nz));
  Line line = first;
  // Two passes: centroids along the first line, then along the line fitted to them.
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<P3> pts;
    for (std::int32_t k = 0; k < g.nz; ++k) {
      samples[static_cast<std::size_t>(k)] = sample_slice(v, line, k, model.rod_min_hu, metal_hu);
      if (samples[static_cast<std::size_t>(k)].has_rod) pts.push_back(samples[static_cast<std::size_t>(k)].centroid);
    }
    if (pts.size() < 3) return false;
    double c[3] = {0, 0, 0}, cov[6] = {0, 0, 0, 0, 0, 0};
    for (const P3& p : pts)
      for (int a = 0; a < 3; ++a) c[a] += p[a] / static_cast<double>(pts.size());
    for (const P3& p : pts) {
      const P3 d = p - P3{c[0], c[1], c[2]};
      cov[0] += d[0] * d[0], cov[1] += d[0] * d[1], cov[2] += d[0] * d[2];
      cov[3] += d[1] * d[1], cov[4] += d[1] * d[2], cov[5] += d[2] * d[2];
    }
    for (double& x : cov) x /= static_cast<double>(pts.size());
    double l1 = 0, l2 = 0;
    line = principal_line(c, cov, &l1, &l2);
    double ss = 0;
    for (const P3& p : pts) {
      const P3 q = line.at_z(p[2]) - p;
      ss += q[0] * q[0] + q[1] * q[1];
    }
    rod.fit_rms_mm = std::sqrt(ss / static_cast<double>(pts.size()));
    rod.slices = static_cast<int>(pts.size());
  }
  // The longest run of slices carrying the rod; gaps of up to kMaxGapSlices slices (noise
  // dipping a faint rod below the threshold) do not end a run.
  // Slices where a needle's steel covers the rod are skipped without ending the run.
  int best_lo = -1, best_hi = -2, lo = -1, last_on = -100, occluded_since = 0;
  for (std::int32_t k = 0; k <= g.nz; ++k) {
    const bool on = k < g.nz && samples[static_cast<std::size_t>(k)].has_rod;
    if (k < g.nz && samples[static_cast<std::size_t>(k)].occluded) {
      ++occluded_since;
      continue;
    }
    if (on) {
      if (lo < 0 || k - last_on - occluded_since > kMaxGapSlices + 1) lo = k;
      last_on = k;
      occluded_since = 0;
      if (k - lo > best_hi - best_lo) best_lo = lo, best_hi = k;
    }
  }
  std::vector<double> dens, peaks, areas;
  for (int k = best_lo; k <= best_hi; ++k) {
    dens.push_back(samples[static_cast<std::size_t>(k)].density);
    peaks.push_back(samples[static_cast<std::size_t>(k)].peak_hu);
    areas.push_back(samples[static_cast<std::size_t>(k)].bright_area_mm2);
  }
  const double plateau = median(dens);
  rod.peak_hu = median(peaks);
  // A rod's bright cross-section is small; a plate (the table's shell) fills the window.
  const double rod_area = 0.25 * kPi * model.rod_diameter_mm * model.rod_diameter_mm;
  if (median(areas) > kMaxAreaFactor * rod_area + 2.0 * g.sx_mm * g.sy_mm) return false;
  const double along_per_z = 1.0 / line.dir[2];  // mm along the rod per mm of z
  if ((best_hi - best_lo + 1) * sz * along_per_z < model.min_length_mm || plateau <= 0) return false;

  // An end is only an end when the rod fades out well inside the volume: not at the top or
  // bottom slice, and not where its line leaves the volume sideways (a rod rising out of a
  // targeted field of view).
  const auto inside_in_plane = [&](double z) {
    const P3 q = line.at_z(z);
    const double margin = kWindowMm;
    return q[0] >= margin && q[1] >= margin && q[0] <= (g.nx - 1) * static_cast<double>(g.sx_mm) - margin &&
           q[1] <= (g.ny - 1) * static_cast<double>(g.sy_mm) - margin;
  };
  // ... and where the slices past it show no rod at all (a faint rod dipping below the
  // threshold for a few slices has not ended).
  const auto no_rod = [&](int from, int to) {
    for (int k = from; k <= to; ++k) {
      if (k < 0 || k >= g.nz || samples[static_cast<std::size_t>(k)].peak_hu >= 0.5 * model.rod_min_hu) return false;
    }
    return true;
  };
  rod.cranial_end_in_view = no_rod(best_hi + 2, best_hi + 4) && inside_in_plane((best_hi + 1) * sz);
  rod.caudal_end_in_view = no_rod(best_lo - 4, best_lo - 2) && inside_in_plane((best_lo - 1) * sz);
  // Ends: the on-axis value of slice k is background + f_k (plateau - background), f_k the
  // fraction of the slice the rod covers, so from a slice well inside the rod it extends
  // (sum of f_k) slice thicknesses beyond that slice's edge. The background is the on-axis
  // value just past the end.
  const int mid = (best_lo + best_hi) / 2;
  std::vector<double> axis_hu(static_cast<std::size_t>(g.nz));
  for (std::int32_t k = 0; k < g.nz; ++k) axis_hu[static_cast<std::size_t>(k)] = on_axis_hu(v, line, k);
  std::vector<double> run;
  for (int k = best_lo; k <= best_hi; ++k) run.push_back(axis_hu[static_cast<std::size_t>(k)]);
  const double axis_plateau = median(run);
  const auto fraction = [&](int k, double background) {
    return std::clamp((axis_hu[static_cast<std::size_t>(k)] - background) / (axis_plateau - background), 0.0, 1.0);
  };
  const auto past = [&](int from, int to) {  // median on-axis value over slices [from, to]
    std::vector<double> b;
    for (int k = std::max(0, from); k <= std::min(g.nz - 1, to); ++k) b.push_back(axis_hu[static_cast<std::size_t>(k)]);
    return median(b);
  };
  double z_top = (g.nz - 1) * sz, z_bottom = 0.0;
  if (rod.cranial_end_in_view) {
    const double background = past(best_hi + 2, best_hi + 4);
    double sum = 0;
    for (int k = mid; k <= std::min(g.nz - 1, best_hi + 2); ++k) sum += fraction(k, background);
    z_top = mid * sz - 0.5 * sz + sum * sz;
  }
  if (rod.caudal_end_in_view) {
    const double background = past(best_lo - 4, best_lo - 2);
    double sum = 0;
    for (int k = mid; k >= std::max(0, best_lo - 2); --k) sum += fraction(k, background);
    z_bottom = mid * sz + 0.5 * sz - sum * sz;
  }
  // Orientation in LPS: the head end is +z. The grid's z axis may point either way.
  const P3 mid_g = line.at_z(0.5 * (g.nz - 1) * sz);
  P3 top = line.at_z(z_top), bottom = line.at_z(z_bottom);
  P3 d = dir_to_lps(v, line.dir);
  bool top_is_cranial = d[2] >= 0;
  if (!top_is_cranial) {
    d = d * -1.0;
    std::swap(top, bottom);
    std::swap(rod.cranial_end_in_view, rod.caudal_end_in_view);
  }
  const P3 p = to_lps(v, mid_g), cr = to_lps(v, top), ca = to_lps(v, bottom);
  for (int a = 0; a < 3; ++a) {
    rod.point_mm[a] = p[a];
    rod.direction[a] = d[a];
    rod.cranial_end_mm[a] = cr[a];
    rod.caudal_end_mm[a] = ca[a];
  }
  const P3 span = cr - ca;
  rod.visible_length_mm = std::sqrt(span[0] * span[0] + span[1] * span[1] + span[2] * span[2]);
  return true;
}

}  // namespace

void FenceRod::at_z(double z_mm, double out[3]) const {
  const double t = std::fabs(direction[2]) > 1e-9 ? (z_mm - point_mm[2]) / direction[2] : 0.0;
  for (int a = 0; a < 3; ++a) out[a] = point_mm[a] + direction[a] * t;
}

FenceOptions fence_options_from(const ScannerProfile& profile) {
  FenceOptions o;
  o.model = profile.fence;
  o.body_hu = profile.thresholds.body_hu;
  o.metal_hu = profile.thresholds.metal_hu;
  return o;
}

Fence detect_fence(const Volume& v, const FenceOptions& o) {
  Fence fence;
  fence.expected_rod_count = o.model.rod_count;
  const Grid& g = v.grid;
  const std::int64_t n = g.voxel_count();
  if (n == 0 || g.nz < 3) return fence;

  // Bright voxels near the air outside the body.
  std::vector<std::uint8_t> above(static_cast<std::size_t>(n)), body(static_cast<std::size_t>(n));
  joint::k_threshold(o.backend, v.hu, above, HuRange{static_cast<std::int16_t>(o.body_hu + 1), 32767});
  joint::k_fill_holes_per_slice(o.backend, above, body, g);
  for (auto& b : body) b = !b;  // now: outside the body
  std::vector<float> to_outside(static_cast<std::size_t>(n));
  joint::k_distance(o.backend, body, to_outside, g);
  // Steel (a needle crossing the skin between the rods) and its blooming would join a rod
  // into a piece that is neither thin nor along z: left out of the pieces.
  std::vector<std::uint8_t> steel(static_cast<std::size_t>(n)), near_steel(static_cast<std::size_t>(n));
  joint::k_threshold(o.backend, v.hu, steel, HuRange{o.metal_hu, 32767});
  joint::k_dilate(o.backend, steel, near_steel, g, static_cast<float>(kSteelMarginMm));
  std::vector<std::uint8_t> cand(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    cand[k] = v.hu[k] >= o.model.rod_min_hu && to_outside[k] <= o.model.max_skin_distance_mm && !near_steel[k];
  }
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  const std::int32_t count = joint::k_label(o.backend, cand, labels, g, Connectivity::Full26);
  const auto stats = joint::k_stats(o.backend, labels, g, count);

  // Thin pieces along z.
  std::vector<Piece> pieces;
  for (const auto& s : stats) {
    if (s.voxel_count < 3) continue;
    double l1 = 0, l2 = 0;
    const Line line = principal_line(s.centroid_mm, s.covariance_mm2, &l1, &l2);
    const double length = std::sqrt(12.0 * l1), thickness = std::sqrt(12.0 * l2);
    const double z_extent = (s.max_index[2] - s.min_index[2] + 1) * static_cast<double>(g.sz_mm);
    if (thickness > kMaxPieceThicknessMm || std::max(length, z_extent) < kMinPieceLengthMm) continue;
    const P3 d = dir_to_lps(v, line.dir);
    const double angle = std::acos(std::min(1.0, std::fabs(d[2]))) * 180.0 / kPi;
    // A piece one or two slices long has no reliable direction: accept it when it is small.
    if (angle > o.model.max_angle_to_z_deg && length > 2.0 * g.sz_mm) continue;
    Piece p;
    p.line = line;
    if (angle > o.model.max_angle_to_z_deg) p.line.dir = {0, 0, 1};
    p.zmin = s.min_index[2] * static_cast<double>(g.sz_mm);
    p.zmax = s.max_index[2] * static_cast<double>(g.sz_mm);
    pieces.push_back(p);
  }
  // Join pieces on one line (a rod broken by noise or a dip in intensity); longest first.
  std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.zmax - a.zmin > b.zmax - b.zmin; });
  std::vector<Line> rod_lines;
  for (const Piece& p : pieces) {
    bool joined = false;
    for (const Line& l : rod_lines) {
      const double zc = 0.5 * (p.zmin + p.zmax);
      const P3 a = l.at_z(zc), b = p.line.at_z(zc);
      if (std::hypot(a[0] - b[0], a[1] - b[1]) <= kJoinDistanceMm) joined = true;
    }
    if (!joined) rod_lines.push_back(p.line);
  }
  for (const Line& l : rod_lines) {
    FenceRod rod;
    if (fit_rod(v, l, o.model, o.metal_hu, rod)) fence.rods.push_back(rod);
  }
  // Two lines found from separate pieces may still be the same rod after fitting.
  std::vector<FenceRod> unique;
  for (const FenceRod& r : fence.rods) {
    bool dup = false;
    for (const FenceRod& u : unique) {
      double q[3];
      u.at_z(r.point_mm[2], q);
      if (std::hypot(q[0] - r.point_mm[0], q[1] - r.point_mm[1]) <= kJoinDistanceMm) dup = true;
    }
    if (!dup) unique.push_back(r);
  }
  // Numbering: patient's left (largest x) first.
  std::sort(unique.begin(), unique.end(), [](const FenceRod& a, const FenceRod& b) { return a.point_mm[0] > b.point_mm[0]; });
  for (std::size_t i = 0; i < unique.size(); ++i) unique[i].number = static_cast<int>(i) + 1;
  fence.rods = unique;
  if (fence.rods.size() >= 2) {
    double sum = 0;
    for (std::size_t i = 1; i < fence.rods.size(); ++i) {
      double q[3];
      fence.rods[i].at_z(fence.rods[i - 1].point_mm[2], q);
      sum += fence.rods[i - 1].point_mm[0] - q[0];  // lateral (x), as the rod positions are interpolated
    }
    fence.mean_spacing_mm = sum / static_cast<double>(fence.rods.size() - 1);
  }
  if (!fence.rods.empty() && static_cast<int>(fence.rods.size()) != o.model.rod_count) {
    fence.warnings.push_back("found " + std::to_string(fence.rods.size()) + " rods, the fence has " +
                             std::to_string(o.model.rod_count) +
                             ": rods may lie outside the field of view, so rod numbers may be shifted; count the rods on the patient");
  }
  if (fence.rods.size() >= 2 && std::fabs(fence.mean_spacing_mm - o.model.spacing_mm) > 0.2 * o.model.spacing_mm) {
    fence.warnings.push_back("mean rod spacing " + std::to_string(fence.mean_spacing_mm) + " mm differs from the profile's " +
                             std::to_string(o.model.spacing_mm) + " mm");
  }
  return fence;
}

}  // namespace sij::calib
