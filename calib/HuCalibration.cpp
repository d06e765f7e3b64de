#include "calib/HuCalibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Classify.h"
#include "kernels/edt/DistanceTransform.h"
#include "kernels/morphology/HoleFilling.h"
#include "kernels/morphology/Morphology.h"
#include "pipeline/joint/KernelCalls.h"

namespace sij::calib {
namespace {

using Mask = std::vector<std::uint8_t>;

// Reconstruction padding (outside the scan circle) sits far below air; never part of air.
constexpr std::int16_t kPaddingBelowHu = -2000;

struct RobustStats {
  double median = 0, mad = 0;
};

RobustStats robust_stats(std::vector<double> v) {
  RobustStats s;
  if (v.empty()) return s;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  s.median = *mid;
  if (v.size() % 2 == 0) s.median = 0.5 * (s.median + *std::max_element(v.begin(), mid));
  for (double& x : v) x = std::fabs(x - s.median);
  std::nth_element(v.begin(), mid, v.end());
  s.mad = *mid;
  return s;
}

Mask inverted(const Mask& m) {
  Mask out(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) out[i] = m[i] ? 0 : 1;
  return out;
}

// Keeps the largest 6-connected component of `mask`; returns its voxel count.
std::int64_t keep_largest(Mask& mask, const Grid& grid, Backend backend) {
  std::vector<std::int32_t> labels(mask.size());
  const std::int32_t k = joint::k_label(backend, mask, labels, grid, Connectivity::Face6);
  if (k == 0) return 0;
  std::vector<std::int64_t> count(static_cast<std::size_t>(k) + 1, 0);
  for (const std::int32_t l : labels) ++count[static_cast<std::size_t>(l)];
  count[0] = 0;
  const auto best = static_cast<std::int32_t>(std::max_element(count.begin(), count.end()) - count.begin());
  for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = labels[i] == best;
  return count[static_cast<std::size_t>(best)];
}

// Box mean of (2r+1)^3 voxels (edges: the voxels that exist), separable.
std::vector<float> local_mean(const Volume& v, int r) {
  const Grid& g = v.grid;
  std::vector<float> a(v.hu.begin(), v.hu.end()), b(a.size());
  const std::int64_t stride[3] = {1, g.nx, static_cast<std::int64_t>(g.nx) * g.ny};
  const std::int32_t dims[3] = {g.nx, g.ny, g.nz};
  for (int axis = 0; axis < 3; ++axis) {
#pragma omp parallel for schedule(static)
    for (std::int32_t z = 0; z < g.nz; ++z) {
      for (std::int32_t y = 0; y < g.ny; ++y) {
        for (std::int32_t x = 0; x < g.nx; ++x) {
          const std::int32_t c[3] = {x, y, z};
          const std::int64_t i = g.index(x, y, z);
          float sum = 0;
          int n = 0;
          for (int d = -r; d <= r; ++d) {
            if (c[axis] + d < 0 || c[axis] + d >= dims[axis]) continue;
            sum += a[static_cast<std::size_t>(i + d * stride[axis])];
            ++n;
          }
          b[static_cast<std::size_t>(i)] = sum / static_cast<float>(n);
        }
      }
    }
    std::swap(a, b);
  }
  return a;
}

struct Mode {
  double hu = 0, height = 0;
};

// Local maxima of the Gaussian-smoothed histogram of `values` in [lo, hi], strongest first.
std::vector<Mode> histogram_modes(const std::vector<double>& values, int lo, int hi, double sigma) {
  const int bins = hi - lo + 1;
  std::vector<double> h(static_cast<std::size_t>(bins), 0.0), s(h.size(), 0.0);
  for (const double v : values) {
    const long b = std::lround(v) - lo;
    if (b >= 0 && b < bins) h[static_cast<std::size_t>(b)] += 1.0;
  }
  const int r = static_cast<int>(std::ceil(3 * sigma));
  for (int i = 0; i < bins; ++i) {
    double acc = 0;
    for (int d = -r; d <= r; ++d) {
      const int j = i + d;
      if (j >= 0 && j < bins) acc += h[static_cast<std::size_t>(j)] * std::exp(-0.5 * d * d / (sigma * sigma));
    }
    s[static_cast<std::size_t>(i)] = acc;
  }
  std::vector<Mode> modes;
  for (int i = 1; i + 1 < bins; ++i) {
    const double c = s[static_cast<std::size_t>(i)];
    if (c > 0 && c >= s[static_cast<std::size_t>(i - 1)] && c > s[static_cast<std::size_t>(i + 1)]) {
      modes.push_back({static_cast<double>(lo + i), c});
    }
  }
  std::sort(modes.begin(), modes.end(), [](const Mode& a, const Mode& b) { return a.height > b.height; });
  return modes;
}

}  // namespace

HuCorrection correction_from(double air, double tissue, const References& ref) {
  if (!(tissue - air > 300.0)) {
    throw HuCalibrationError("air (" + std::to_string(air) + " HU) and tissue (" + std::to_string(tissue) +
                             " HU) are too close to define a correction (expected about 1000 HU apart)");
  }
  HuCorrection c;
  c.slope = (ref.tissue_hu - ref.air_hu) / (tissue - air);
  c.intercept_hu = ref.air_hu - c.slope * air;
  c.measured = true;
  c.air_measured_hu = air;
  c.tissue_measured_hu = tissue;
  return c;
}

HuMeasurement measure_hu_references(const Volume& volume, const HuCalibrationOptions& o) {
  const Grid& g = volume.grid;
  const std::int64_t n = g.voxel_count();
  if (n == 0) throw HuCalibrationError("the volume is empty");
  HuMeasurement m;

  // Body outline and the distances to it and from it.
  Mask above(static_cast<std::size_t>(n)), body(static_cast<std::size_t>(n));
  joint::k_threshold(o.backend, volume.hu, above, HuRange{static_cast<std::int16_t>(o.body_hu + 1), 32767});
  joint::k_fill_holes_per_slice(o.backend, above, body, g);
  std::vector<float> to_body(static_cast<std::size_t>(n)), to_outside(static_cast<std::size_t>(n));
  joint::k_distance(o.backend, body, to_body, g);
  const Mask outside = inverted(body);
  joint::k_distance(o.backend, outside, to_outside, g);

  // Air: far from the body, the largest piece.
  Mask air(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    air[k] = !body[k] && to_body[k] >= o.air_margin_mm && volume.hu[k] > kPaddingBelowHu;
  }
  m.air_voxels = keep_largest(air, g, o.backend);
  if (m.air_voxels < o.min_voxels) {
    throw HuCalibrationError("too little air outside the body in the field of view (" + std::to_string(m.air_voxels) +
                             " voxels at least " + std::to_string(o.air_margin_mm) +
                             " mm from the skin): scan with air around the patient or phantom");
  }
  std::vector<double> values;
  for (std::int64_t i = 0; i < n; ++i) {
    if (air[static_cast<std::size_t>(i)]) values.push_back(volume.hu[static_cast<std::size_t>(i)]);
  }
  const RobustStats air_stats = robust_stats(values);
  m.air_hu = air_stats.median;
  m.air_mad_hu = air_stats.mad;

  // Soft tissue: the interior, without the bones (dense shells filled, dilated).
  Mask dense(static_cast<std::size_t>(n)), filled(static_cast<std::size_t>(n)), bones(static_cast<std::size_t>(n));
  joint::k_threshold(o.backend, volume.hu, dense, HuRange{o.dense_bone_hu, 32767});
  joint::k_fill_holes_per_slice(o.backend, dense, filled, g);
  joint::k_dilate(o.backend, filled, bones, g, static_cast<float>(o.bone_margin_mm));
  Mask interior(static_cast<std::size_t>(n));
  const std::vector<float> mean = local_mean(volume, o.local_mean_radius_voxels);
  values.clear();
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    interior[k] = body[k] && !bones[k] && to_outside[k] >= o.interior_margin_mm;
    if (interior[k]) values.push_back(mean[k]);
  }
  if (static_cast<std::int64_t>(values.size()) < o.min_voxels) {
    throw HuCalibrationError("too little soft tissue inside the body (" + std::to_string(values.size()) + " voxels)");
  }
  // Soft-tissue modes of the local means (noise averaged down, so muscle and the slightly
  // less dense viscera separate), between limits anchored on the measured air so that an
  // offset miscalibration does not push them out of the search.
  const int lo = static_cast<int>(std::lround(m.air_hu + 700.0));
  const int hi = static_cast<int>(std::lround(m.air_hu + 1300.0));
  const std::vector<Mode> modes = histogram_modes(values, lo, hi, o.histogram_smoothing_hu);
  if (modes.empty()) throw HuCalibrationError("no soft-tissue peak in the body's histogram");
  Mode chosen = modes[0];
  if (o.reference.tissue == "muscle") {
    // Muscle: the densest strong mode below cancellous bone.
    for (const Mode& md : modes) {
      if (md.height >= o.min_mode_fraction * modes[0].height && md.hu < m.air_hu + o.muscle_below_air_plus_hu &&
          (md.hu > chosen.hu || chosen.hu >= m.air_hu + o.muscle_below_air_plus_hu)) {
        chosen = md;
      }
    }
  }
  m.tissue_mode_hu = chosen.hu;
  // The nearest other strong mode bounds the window on its side.
  double nearest_other = 1e9;
  m.other_mode_hu = std::numeric_limits<double>::quiet_NaN();
  for (const Mode& md : modes) {
    if (md.hu == chosen.hu || md.height < o.min_mode_fraction * modes[0].height) continue;
    if (std::fabs(md.hu - chosen.hu) < nearest_other) nearest_other = std::fabs(md.hu - chosen.hu), m.other_mode_hu = md.hu;
  }
  const double window = std::min(o.mode_window_hu, 0.5 * nearest_other);

  // The tissue region: local mean within the window of the centre, eroded; its median, with
  // the window re-centred on that median a few times (the mode of a blend of two nearby
  // tissues sits between them; the median of the homogeneous region does not).
  Mask tissue(static_cast<std::size_t>(n)), eroded(static_cast<std::size_t>(n));
  double centre = chosen.hu;
  RobustStats t;
  for (int iteration = 0; iteration < o.recentre_iterations; ++iteration) {
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      tissue[k] = interior[k] && std::fabs(mean[k] - centre) <= window;
    }
    joint::k_erode(o.backend, tissue, eroded, g, static_cast<float>(o.erosion_mm));
    values.clear();
    for (std::int64_t i = 0; i < n; ++i) {
      if (eroded[static_cast<std::size_t>(i)]) values.push_back(volume.hu[static_cast<std::size_t>(i)]);
    }
    m.tissue_voxels = static_cast<std::int64_t>(values.size());
    if (m.tissue_voxels < o.min_voxels) {
      throw HuCalibrationError("the reference tissue region is too small after erosion (" +
                               std::to_string(m.tissue_voxels) + " voxels)");
    }
    t = robust_stats(values);
    if (std::fabs(t.median - centre) < 0.25) break;
    centre = t.median;
  }
  m.tissue_hu = t.median;
  m.tissue_mad_hu = t.mad;
  m.correction = correction_from(m.air_hu, m.tissue_hu, o.reference);
  return m;
}

}  // namespace sij::calib
