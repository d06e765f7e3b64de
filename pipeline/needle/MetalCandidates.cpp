#include "pipeline/needle/MetalCandidates.h"

#include <algorithm>
#include <cmath>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Classify.h"
#include "kernels/core/Buffer.h"
#include "kernels/core/Memory.h"
#include "kernels/linefit/SymmetricEigen3.h"

namespace sij::needle {
namespace {

constexpr double kPi = 3.14159265358979323846;

// A fence rod: long (at least 8 mm), much longer than thick, and along z.
constexpr double kRodMinLengthMm = 8.0;
constexpr double kRodMinElongation = 4.0;  // length / thickness

MetalComponent describe(const ComponentStats& s, const Volume& volume, double rod_angle_deg) {
  MetalComponent c;
  c.voxel_count = s.voxel_count;
  const double* v = s.covariance_mm2;
  const double m[3][3] = {{v[0], v[1], v[2]}, {v[1], v[3], v[4]}, {v[2], v[4], v[5]}};
  const detail::SymmetricEigen3 e = detail::symmetric_eigen3(m);
  c.length_mm = std::sqrt(12.0 * std::max(0.0, e.values[0]));
  c.thickness_mm = std::sqrt(12.0 * std::max(0.0, e.values[1]));
  // The covariance is in index axes scaled by the spacing: map the axis to LPS.
  const double* d = volume.affine.direction;
  for (int r = 0; r < 3; ++r)
    c.axis_lps[r] = d[r * 3] * e.vectors[0][0] + d[r * 3 + 1] * e.vectors[0][1] + d[r * 3 + 2] * e.vectors[0][2];
  const double n = std::sqrt(c.axis_lps[0] * c.axis_lps[0] + c.axis_lps[1] * c.axis_lps[1] +
                             c.axis_lps[2] * c.axis_lps[2]);
  for (double& a : c.axis_lps) a /= n > 0 ? n : 1.0;
  c.angle_to_z_deg = std::acos(std::min(1.0, std::fabs(c.axis_lps[2]))) * 180.0 / kPi;
  c.rod = c.length_mm >= kRodMinLengthMm &&
          c.length_mm >= kRodMinElongation * std::max(c.thickness_mm, 1e-3) &&
          parallel_to_z(c.axis_lps, rod_angle_deg);
  return c;
}

}  // namespace

bool parallel_to_z(const double direction[3], double max_angle_deg) {
  return std::fabs(direction[2]) >= std::cos(max_angle_deg * kPi / 180.0);
}

MetalCandidates extract_metal_candidates(const VolumeOnBackend& vb, const NeedleOptions& options) {
  MetalCandidates out;
  const Volume& volume = vb.host();
  const Grid& grid = volume.grid;
  const std::int64_t n = grid.voxel_count();
  if (n == 0) return out;
  const Backend backend = vb.backend();

  Buffer<std::uint8_t> mask(backend, static_cast<std::size_t>(n));
  threshold_mask(backend, vb.hu(), mask.data(), n, HuRange{options.metal_threshold_hu, 32767});
  Buffer<std::int32_t> labels(backend, static_cast<std::size_t>(n));
  const std::int32_t count = label_components(backend, mask.data(), labels.data(), grid, Connectivity::Full26);
  if (count == 0) return out;
  const std::vector<ComponentStats> stats = component_stats(backend, labels.data(), vb.hu(), grid, count);

  // Keep every component that is not a rod; collect the z range of the kept ones.
  std::vector<char> keep(static_cast<std::size_t>(count) + 1, 0);
  std::int32_t z0 = grid.nz, z1 = -1;
  for (std::int32_t k = 0; k < count; ++k) {
    MetalComponent c = describe(stats[k], volume, options.rod_max_angle_to_z_deg);
    if (c.rod) {
      ++out.rods_rejected;
    } else {
      keep[k + 1] = 1;
      z0 = std::min(z0, stats[k].min_index[2]);
      z1 = std::max(z1, stats[k].max_index[2]);
    }
    out.components.push_back(c);
  }
  if (z1 < z0) return out;

  // The labels of the kept slabs on the host (the CPU backend reads them in place).
  const std::int64_t slice = static_cast<std::int64_t>(grid.nx) * grid.ny;
  const std::int64_t first = z0 * slice, slab = (z1 - z0 + 1) * slice;
  std::vector<std::int32_t> host_labels;
  const std::int32_t* lab = nullptr;
  if (backend == Backend::Cpu) {
    lab = labels.data() + first;
  } else {
    host_labels.resize(static_cast<std::size_t>(slab));
    backend_copy(Backend::Cpu, host_labels.data(), backend, labels.data() + first,
                 static_cast<std::size_t>(slab) * sizeof(std::int32_t));
    lab = host_labels.data();
  }

  const double thr = options.metal_threshold_hu;
  for (std::int32_t k = 0; k < count; ++k) {
    if (!keep[k + 1]) continue;
    const ComponentStats& s = stats[k];
    for (std::int32_t z = s.min_index[2]; z <= s.max_index[2]; ++z)
      for (std::int32_t y = s.min_index[1]; y <= s.max_index[1]; ++y)
        for (std::int32_t x = s.min_index[0]; x <= s.max_index[0]; ++x) {
          const std::int64_t i = grid.index(x, y, z);
          if (lab[i - first] != k + 1) continue;
          const double idx[3] = {double(x), double(y), double(z)};
          double p[3];
          volume.affine.index_to_physical(grid, idx, p);
          out.points_mm.insert(out.points_mm.end(), {float(p[0]), float(p[1]), float(p[2])});
          const std::int16_t hu = volume.hu[static_cast<std::size_t>(i)];
          out.weights.push_back(static_cast<float>(hu - thr + 1.0));
          out.max_hu = std::max(out.max_hu, hu);
        }
  }
  // Clipping: a scanner range that saturates steel leaves many candidates at exactly the top.
  std::int64_t at_max = 0;
  for (float w : out.weights)
    if (w == static_cast<float>(out.max_hu - thr + 1.0)) ++at_max;
  out.any_clipped = !out.weights.empty() && at_max * 10 >= static_cast<std::int64_t>(out.weights.size());
  return out;
}

}  // namespace sij::needle
