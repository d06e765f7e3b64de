#include "pipeline/align/RigidAlign.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "pipeline/align/BlockPyramid.h"

namespace sij::align {
namespace {

struct SamplePoint {
  double p_mm[3];
  float value;
};

// The blocks of `fixed` with the steepest gradient (at most max_points, above the floor).
std::vector<SamplePoint> bone_surface_points(const BlockVolume& fixed, const AlignOptions& options) {
  const Grid& g = fixed.grid;
  struct Candidate {
    float magnitude;
    std::int64_t index;
  };
  std::vector<Candidate> candidates;
  const double s[3] = {g.sx_mm, g.sy_mm, g.sz_mm};
  const double floor2 = options.min_gradient_hu_per_mm * options.min_gradient_hu_per_mm;
  for (std::int32_t z = 1; z + 1 < g.nz; ++z) {
    for (std::int32_t y = 1; y + 1 < g.ny; ++y) {
      for (std::int32_t x = 1; x + 1 < g.nx; ++x) {
        const double gx = (fixed.at(x + 1, y, z) - fixed.at(x - 1, y, z)) / (2 * s[0]);
        const double gy = (fixed.at(x, y + 1, z) - fixed.at(x, y - 1, z)) / (2 * s[1]);
        const double gz = (fixed.at(x, y, z + 1) - fixed.at(x, y, z - 1)) / (2 * s[2]);
        const double m2 = gx * gx + gy * gy + gz * gz;
        if (m2 >= floor2) candidates.push_back({static_cast<float>(m2), g.index(x, y, z)});
      }
    }
  }
  if (static_cast<int>(candidates.size()) > options.max_points) {
    std::nth_element(candidates.begin(), candidates.begin() + options.max_points, candidates.end(),
                     [](const Candidate& a, const Candidate& b) {
                       return a.magnitude > b.magnitude || (a.magnitude == b.magnitude && a.index < b.index);
                     });
    candidates.resize(static_cast<std::size_t>(options.max_points));
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) { return a.index < b.index; });
  std::vector<SamplePoint> points;
  points.reserve(candidates.size());
  for (const auto& c : candidates) {
    std::int32_t x, y, z;
    g.coords(c.index, x, y, z);
    SamplePoint sp;
    const double idx[3] = {double(x), double(y), double(z)};
    fixed.affine.index_to_physical(g, idx, sp.p_mm);
    sp.value = fixed.values[static_cast<std::size_t>(c.index)];
    points.push_back(sp);
  }
  return points;
}

// Rotation matrix of the rotation vector w (Rodrigues).
void rotation_from_vector(const double w[3], double r[9]) {
  const double angle = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
  if (angle < 1e-12) {
    const double identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    std::copy(identity, identity + 9, r);
    return;
  }
  const double k[3] = {w[0] / angle, w[1] / angle, w[2] / angle};
  const double c = std::cos(angle), s = std::sin(angle), v = 1 - c;
  r[0] = c + k[0] * k[0] * v;        r[1] = k[0] * k[1] * v - k[2] * s; r[2] = k[0] * k[2] * v + k[1] * s;
  r[3] = k[1] * k[0] * v + k[2] * s; r[4] = c + k[1] * k[1] * v;        r[5] = k[1] * k[2] * v - k[0] * s;
  r[6] = k[2] * k[0] * v - k[1] * s; r[7] = k[2] * k[1] * v + k[0] * s; r[8] = c + k[2] * k[2] * v;
}

// Solves the symmetric positive 6x6 system a x = b (Gaussian elimination with pivoting).
bool solve6(double a[36], double b[6], double x[6]) {
  int perm[6] = {0, 1, 2, 3, 4, 5};
  for (int col = 0; col < 6; ++col) {
    int pivot = col;
    for (int row = col + 1; row < 6; ++row)
      if (std::fabs(a[row * 6 + col]) > std::fabs(a[pivot * 6 + col])) pivot = row;
    if (std::fabs(a[pivot * 6 + col]) < 1e-12) return false;
    if (pivot != col) {
      for (int k = 0; k < 6; ++k) std::swap(a[col * 6 + k], a[pivot * 6 + k]);
      std::swap(b[col], b[pivot]);
      std::swap(perm[col], perm[pivot]);
    }
    for (int row = col + 1; row < 6; ++row) {
      const double f = a[row * 6 + col] / a[col * 6 + col];
      for (int k = col; k < 6; ++k) a[row * 6 + k] -= f * a[col * 6 + k];
      b[row] -= f * b[col];
    }
  }
  for (int row = 5; row >= 0; --row) {
    double sum = b[row];
    for (int k = row + 1; k < 6; ++k) sum -= a[row * 6 + k] * x[k];
    x[row] = sum / a[row * 6 + row];
  }
  return true;
}

struct LevelOutcome {
  int iterations = 0;
  double rms_before = 0.0, rms_after = 0.0;
  bool ok = false;
};

double rms_of(const std::vector<SamplePoint>& points, const BlockVolume& moving, const RigidTransform& t) {
  double sum = 0.0;
  int n = 0;
  for (const auto& sp : points) {
    double q[3];
    t.apply(sp.p_mm, q);
    double idx[3];
    moving.affine.physical_to_index(moving.grid, q, idx);
    float v;
    if (!moving.sample_index(idx, v)) continue;
    sum += (v - sp.value) * (v - sp.value);
    ++n;
  }
  return n ? std::sqrt(sum / n) : 0.0;
}

LevelOutcome refine_level(const std::vector<SamplePoint>& points, const BlockVolume& moving,
                          const AlignOptions& options, RigidTransform& transform) {
  LevelOutcome outcome;
  outcome.rms_before = rms_of(points, moving, transform);
  const std::size_t n = points.size();
  std::vector<double> residual(n), q(3 * n), grad(3 * n);
  std::vector<char> valid(n);
  std::vector<double> abs_residuals;
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    ++outcome.iterations;
    double centre[3] = {0, 0, 0};
    int count = 0;
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
      double* qi = &q[3 * i];
      transform.apply(points[i].p_mm, qi);
      float value;
      valid[i] = moving.sample_with_gradient(qi, value, &grad[3 * i]);
      residual[i] = valid[i] ? value - points[i].value : 0.0;
    }
    abs_residuals.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (!valid[i]) continue;
      for (int a = 0; a < 3; ++a) centre[a] += q[3 * i + a];
      abs_residuals.push_back(std::fabs(residual[i]));
      ++count;
    }
    if (count < 50) return outcome;
    for (double& c : centre) c /= count;
    // Huber weights beyond twice the robust spread of the residuals.
    std::nth_element(abs_residuals.begin(), abs_residuals.begin() + abs_residuals.size() / 2, abs_residuals.end());
    const double huber = std::max(5.0, 2.0 * 1.4826 * abs_residuals[abs_residuals.size() / 2]);
    double h[36] = {0}, b[6] = {0};
    for (std::size_t i = 0; i < n; ++i) {
      if (!valid[i]) continue;
      const double* g = &grad[3 * i];
      const double d[3] = {q[3 * i] - centre[0], q[3 * i + 1] - centre[1], q[3 * i + 2] - centre[2]};
      // d(residual)/d(rotation vector) = (d x g), d/d(translation) = g.
      const double j[6] = {d[1] * g[2] - d[2] * g[1], d[2] * g[0] - d[0] * g[2], d[0] * g[1] - d[1] * g[0],
                           g[0], g[1], g[2]};
      const double r = residual[i];
      const double w = std::fabs(r) <= huber ? 1.0 : huber / std::fabs(r);
      for (int a = 0; a < 6; ++a) {
        b[a] -= w * j[a] * r;
        for (int c = a; c < 6; ++c) h[a * 6 + c] += w * j[a] * j[c];
      }
    }
    for (int a = 0; a < 6; ++a)
      for (int c = 0; c < a; ++c) h[a * 6 + c] = h[c * 6 + a];
    for (int a = 0; a < 6; ++a) h[a * 6 + a] *= 1.0 + 1e-6;  // Levenberg damping against flat directions
    double step[6];
    if (!solve6(h, b, step)) return outcome;
    // Apply: p -> R_step (T p - centre) + centre + t_step.
    RigidTransform delta;
    rotation_from_vector(step, delta.r);
    for (int a = 0; a < 3; ++a) {
      delta.t_mm[a] = centre[a] + step[3 + a] -
                      (delta.r[a * 3] * centre[0] + delta.r[a * 3 + 1] * centre[1] + delta.r[a * 3 + 2] * centre[2]);
    }
    transform = transform.then(delta);
    const double step_t = std::sqrt(step[3] * step[3] + step[4] * step[4] + step[5] * step[5]);
    const double step_w = std::sqrt(step[0] * step[0] + step[1] * step[1] + step[2] * step[2]);
    if (step_t < 5e-3 && step_w < 5e-5) break;  // well below a voxel
  }
  outcome.ok = true;
  outcome.rms_after = rms_of(points, moving, transform);
  return outcome;
}

}  // namespace

AlignResult align_rigid(const Volume& current, const Volume& previous, const AlignOptions& options) {
  AlignResult result;
  const int levels = std::max(1, options.levels);
  std::vector<BlockVolume> fixed_levels, moving_levels;
  fixed_levels.push_back(block_average(current, options.low_hu, options.high_hu, options.fine_spacing_mm));
  moving_levels.push_back(block_average(previous, options.low_hu, options.high_hu, options.fine_spacing_mm));
  for (int level = 1; level < levels; ++level) {
    fixed_levels.push_back(halve(fixed_levels.back()));
    moving_levels.push_back(halve(moving_levels.back()));
  }
  RigidTransform transform;
  for (int level = levels - 1; level >= 0; --level) {
    const auto points = bone_surface_points(fixed_levels[static_cast<std::size_t>(level)], options);
    if (points.size() < 100) {
      if (level == 0) return result;
      continue;
    }
    const LevelOutcome outcome = refine_level(points, moving_levels[static_cast<std::size_t>(level)], options, transform);
    result.iterations += outcome.iterations;
    if (!outcome.ok) return result;
    if (level == 0) {
      result.points = static_cast<int>(points.size());
      result.rms_residual_hu = outcome.rms_after;
      result.rms_before_hu = rms_of(points, moving_levels[0], RigidTransform{});
      result.ok = true;
    }
  }
  result.current_to_previous = transform;
  return result;
}

}  // namespace sij::align
