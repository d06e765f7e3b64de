// component_stats: dispatch to the backend for the integer moments, then the conversion to
// centroid and covariance in mm, which is a handful of operations per component on the host.
#include <vector>

#include "kernels/ccl/ComponentMoments.h"
#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/ccl/IndexLimits.h"
#include "kernels/core/Dispatch.h"

namespace sij {
namespace detail {
std::vector<ComponentMoments> component_moments_cpu(const std::int32_t*, const std::int16_t*,
                                                    const Grid&, std::int32_t);
std::vector<ComponentMoments> component_moments_cuda(const std::int32_t*, const std::int16_t*,
                                                     const Grid&, std::int32_t);
decltype(component_moments_cpu) component_moments_emu;

namespace {
// (n * s_ab - s_a * s_b) / n^2 with an exact 128-bit numerator: the textbook one-pass formula
// loses every digit in double when the centroid is far from the origin.
double central_moment(std::int64_t n, std::int64_t s_ab, std::int64_t s_a, std::int64_t s_b) {
  const __int128 numerator = static_cast<__int128>(n) * s_ab - static_cast<__int128>(s_a) * s_b;
  const double n2 = static_cast<double>(n) * static_cast<double>(n);
  return static_cast<double>(numerator) / n2;
}
}  // namespace

ComponentStats stats_from_moments(const ComponentMoments& m, const Grid& grid) {
  ComponentStats s;
  s.voxel_count = m.voxel_count;
  s.intensity_sum = m.intensity_sum;
  if (m.voxel_count == 0) return s;
  const double spacing[3] = {grid.sx_mm, grid.sy_mm, grid.sz_mm};
  for (int a = 0; a < 3; ++a) {
    s.min_index[a] = static_cast<std::int32_t>(m.min_index[a]);
    s.max_index[a] = static_cast<std::int32_t>(m.max_index[a]);
    s.centroid_mm[a] = static_cast<double>(m.sum[a]) / static_cast<double>(m.voxel_count) * spacing[a];
  }
  // sum_sq order: xx, xy, xz, yy, yz, zz, the same as covariance_mm2.
  const int axes[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
  for (int e = 0; e < 6; ++e) {
    const int a = axes[e][0], b = axes[e][1];
    s.covariance_mm2[e] = central_moment(m.voxel_count, m.sum_sq[e], m.sum[a], m.sum[b]) *
                          spacing[a] * spacing[b];
  }
  return s;
}

std::vector<ComponentMoments> component_moments(Backend backend, const std::int32_t* labels,
                                                const std::int16_t* intensity, const Grid& grid,
                                                std::int32_t component_count) {
  SIJ_DISPATCH(backend, component_moments, labels, intensity, grid, component_count);
}
}  // namespace detail

std::vector<ComponentStats> component_stats(Backend backend, const std::int32_t* labels,
                                            const std::int16_t* intensity, const Grid& grid,
                                            std::int32_t component_count) {
  detail::require_int32_indexable(grid, "component_stats");
  const auto moments = detail::component_moments(backend, labels, intensity, grid, component_count);
  std::vector<ComponentStats> stats;
  stats.reserve(moments.size());
  for (const auto& m : moments) stats.push_back(detail::stats_from_moments(m, grid));
  return stats;
}

}  // namespace sij
