#include "pipeline/needle/AxisFit.h"

#include <algorithm>
#include <cmath>

#include "kernels/core/Buffer.h"
#include "kernels/linefit/LineFit.h"
#include "kernels/linefit/SymmetricEigen3.h"

namespace sij::needle {
namespace {

// Inliers further apart than this along the axis belong to different pieces of metal.
constexpr double kClusterGapMm = 5.0;

}  // namespace

RansacLine ransac_line(const std::vector<float>& points_mm, const std::vector<float>& weights,
                       const std::vector<char>& active, const NeedleOptions& options,
                       Backend backend) {
  RansacLine out;
  std::vector<std::int64_t> index;
  std::vector<float> pts, w;
  for (std::size_t i = 0; i < active.size(); ++i) {
    if (!active[i]) continue;
    index.push_back(static_cast<std::int64_t>(i));
    pts.insert(pts.end(), {points_mm[3 * i], points_mm[3 * i + 1], points_mm[3 * i + 2]});
    w.push_back(weights[i]);
  }
  const auto count = static_cast<std::int64_t>(index.size());
  if (count < 2) return out;

  LineFitParams params;
  params.inlier_distance_mm = static_cast<float>(options.inlier_distance_mm);
  params.iterations = 1024;
  params.min_inliers = 10;
  Buffer<float> p = Buffer<float>::from_host(backend, pts);
  Buffer<float> wb = Buffer<float>::from_host(backend, w);
  Buffer<std::uint8_t> mask(backend, static_cast<std::size_t>(count));
  const LineFitResult fit = fit_line(backend, p.data(), wb.data(), count, params, mask.data());
  if (!fit.found) return out;
  const std::vector<std::uint8_t> inlier = mask.to_host();

  out.axis.point = v3(fit.point_mm);
  out.axis.direction = unit(v3(fit.direction));
  out.rms_mm = fit.rms_distance_mm;
  // The main cluster of inliers along the axis (a stray speck far along the line must not
  // stretch the needle).
  std::vector<std::pair<double, double>> along;  // (t, weight)
  for (std::int64_t k = 0; k < count; ++k) {
    if (!inlier[k]) continue;
    out.inliers.push_back(index[k]);
    const V3 q{pts[3 * k], pts[3 * k + 1], pts[3 * k + 2]};
    along.emplace_back(out.axis.along(q), w[k]);
  }
  std::sort(along.begin(), along.end());
  double best_weight = -1, run_weight = 0;
  std::size_t run_start = 0;
  for (std::size_t k = 0; k < along.size(); ++k) {
    if (k > 0 && along[k].first - along[k - 1].first > kClusterGapMm) {
      run_start = k;
      run_weight = 0;
    }
    run_weight += along[k].second;
    if (run_weight > best_weight) {
      best_weight = run_weight;
      out.extent_min_mm = along[run_start].first;
      out.extent_max_mm = along[k].first;
    }
  }
  out.found = true;
  return out;
}

CylinderFit refine_in_cylinder(const VolumeOnBackend& vb, const Axis& start, double t_from,
                               double t_to, const NeedleOptions& options) {
  const Volume& volume = vb.host();
  const Grid& g = volume.grid;
  CylinderFit fit;
  fit.axis = start;
  const double radius = options.cylinder_radius_mm;
  const double floor_hu = options.refine_floor_hu;

  // Index box around the segment, one voxel of margin beyond the radius.
  double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
  const double spacing[3] = {g.sx_mm, g.sy_mm, g.sz_mm};
  for (double t : {t_from, t_to}) {
    const V3 i = vb.to_index(start.at(t));
    for (int c = 0; c < 3; ++c) {
      const double m = (radius + 1.0) / spacing[c] + 1.0;
      lo[c] = std::min(lo[c], i[c] - m);
      hi[c] = std::max(hi[c], i[c] + m);
    }
  }
  const std::int32_t n[3] = {g.nx, g.ny, g.nz};
  std::int32_t b0[3], b1[3];
  for (int c = 0; c < 3; ++c) {
    b0[c] = std::max<std::int32_t>(0, static_cast<std::int32_t>(std::floor(lo[c])));
    b1[c] = std::min<std::int32_t>(n[c] - 1, static_cast<std::int32_t>(std::ceil(hi[c])));
  }
  // Voxels of the box that can carry weight (above the floor), in LPS mm.
  std::vector<V3> pts;
  std::vector<double> wts;
  for (std::int32_t z = b0[2]; z <= b1[2]; ++z)
    for (std::int32_t y = b0[1]; y <= b1[1]; ++y)
      for (std::int32_t x = b0[0]; x <= b1[0]; ++x) {
        const double w = volume.at(x, y, z) - floor_hu;
        if (w <= 0) continue;
        const double idx[3] = {double(x), double(y), double(z)};
        V3 p;
        volume.affine.index_to_physical(g, idx, p.data());
        const double t = start.along(p);
        if (t < t_from - 2.0 || t > t_to + 2.0 || start.distance(p) > radius + 1.0) continue;
        pts.push_back(p);
        wts.push_back(w);
      }

  Axis axis = start;
  for (int pass = 0; pass < 3; ++pass) {
    double sw = 0;
    V3 c{0, 0, 0};
    for (std::size_t k = 0; k < pts.size(); ++k) {
      const double t = start.along(pts[k]);
      if (t < t_from || t > t_to || axis.distance(pts[k]) > radius) continue;
      sw += wts[k];
      c = c + pts[k] * wts[k];
    }
    if (!(sw > 0)) break;
    c = c * (1.0 / sw);
    double m[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    std::int64_t used = 0;
    for (std::size_t k = 0; k < pts.size(); ++k) {
      const double t = start.along(pts[k]);
      if (t < t_from || t > t_to || axis.distance(pts[k]) > radius) continue;
      const V3 d = pts[k] - c;
      for (int r = 0; r < 3; ++r)
        for (int s = 0; s < 3; ++s) m[r][s] += wts[k] * d[r] * d[s];
      ++used;
    }
    if (used < 10) break;
    const detail::SymmetricEigen3 e = detail::symmetric_eigen3(m);
    V3 dir{e.vectors[0][0], e.vectors[0][1], e.vectors[0][2]};
    if (dot(dir, start.direction) < 0) dir = dir * -1.0;
    axis.point = c;
    axis.direction = unit(dir);
    double ss = 0, sw2 = 0;
    for (std::size_t k = 0; k < pts.size(); ++k) {
      const double t = start.along(pts[k]);
      if (t < t_from || t > t_to || axis.distance(pts[k]) > radius) continue;
      const double d = axis.distance(pts[k]);
      ss += wts[k] * d * d;
      sw2 += wts[k];
    }
    fit.axis = axis;
    fit.rms_mm = sw2 > 0 ? std::sqrt(ss / sw2) : 0.0;
    fit.voxels = used;
  }
  return fit;
}

}  // namespace sij::needle
