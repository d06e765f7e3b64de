// Weighted moments of the inliers of a line, summed per chunk on the backend and merged in a
// fixed order on the host, and the weighted PCA that turns them into a refined line.
#pragma once

#include <cstdint>

#include "kernels/core/Macros.h"
#include "kernels/linefit/Line3.h"
#include "kernels/linefit/SymmetricEigen3.h"

namespace sij::detail {

// Sums are relative to the line's point (v = p - point), which sits near the inliers'
// centroid, so the covariance S2/W - m m^T does not cancel catastrophically in double.
struct InlierMoments {
  std::int64_t count = 0;    // inliers
  std::int64_t changed = 0;  // mask entries that flipped since the previous pass
  double weight = 0.0;       // sum w
  double first[3] = {0, 0, 0};            // sum w v
  double second[6] = {0, 0, 0, 0, 0, 0};  // sum w v v^T: xx xy xz yy yz zz
  double weighted_distance2 = 0.0;        // sum w |distance|^2
  double along_min = 1e300, along_max = -1e300;  // projections t = v . direction

  SIJ_HD void add(const LineOffset& o, double w) {
    ++count;
    weight += w;
    for (int c = 0; c < 3; ++c) first[c] += w * o.v[c];
    second[0] += w * o.v[0] * o.v[0];
    second[1] += w * o.v[0] * o.v[1];
    second[2] += w * o.v[0] * o.v[2];
    second[3] += w * o.v[1] * o.v[1];
    second[4] += w * o.v[1] * o.v[2];
    second[5] += w * o.v[2] * o.v[2];
    weighted_distance2 += w * o.distance2;
    along_min = o.along < along_min ? o.along : along_min;
    along_max = o.along > along_max ? o.along : along_max;
  }

  // Host-side merge; callers add chunks in index order so the total is reproducible.
  void merge(const InlierMoments& other) {
    count += other.count;
    changed += other.changed;
    weight += other.weight;
    for (int c = 0; c < 3; ++c) first[c] += other.first[c];
    for (int c = 0; c < 6; ++c) second[c] += other.second[c];
    weighted_distance2 += other.weighted_distance2;
    along_min = other.along_min < along_min ? other.along_min : along_min;
    along_max = other.along_max > along_max ? other.along_max : along_max;
  }
};

struct PcaLine {
  Line3 line;                 // weighted centroid, dominant eigenvector (canonical sign)
  double eigenvalues_mm2[3];  // of the weighted (population) covariance, descending
};

// Weighted PCA of the inliers whose moments were taken about `about.point`. False when the
// inliers carry no weight or no spread, so no direction exists.
inline bool pca_line(const InlierMoments& m, const Line3& about, PcaLine& out) {
  if (!(m.weight > 0.0)) return false;
  const double mean[3] = {m.first[0] / m.weight, m.first[1] / m.weight, m.first[2] / m.weight};
  const double s[6] = {m.second[0] / m.weight, m.second[1] / m.weight, m.second[2] / m.weight,
                       m.second[3] / m.weight, m.second[4] / m.weight, m.second[5] / m.weight};
  const double covariance[3][3] = {
      {s[0] - mean[0] * mean[0], s[1] - mean[0] * mean[1], s[2] - mean[0] * mean[2]},
      {s[1] - mean[1] * mean[0], s[3] - mean[1] * mean[1], s[4] - mean[1] * mean[2]},
      {s[2] - mean[2] * mean[0], s[4] - mean[2] * mean[1], s[5] - mean[2] * mean[2]}};
  const SymmetricEigen3 eigen = symmetric_eigen3(covariance);
  if (!(eigen.values[0] > 0.0)) return false;
  for (int c = 0; c < 3; ++c) {
    out.line.point[c] = about.point[c] + mean[c];
    out.line.direction[c] = eigen.vectors[0][c];
    out.eigenvalues_mm2[c] = eigen.values[c];
  }
  canonical_sign(out.line.direction);
  return true;
}

}  // namespace sij::detail
