// The one body of component statistics, instantiated by ComponentStatsCPU.cpp and
// ComponentStatsCUDA.cu.
//
// Each row is walked once; consecutive voxels of the same label are summed locally and
// flushed with one set of int64 atomics per change of label, so a big component costs a few
// atomics per row instead of per voxel. Integer sums make the result independent of thread
// order (and identical on both backends).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/ccl/ComponentMoments.h"
#include "kernels/core/Atomic.h"
#include "kernels/core/Buffer.h"
#include "kernels/core/Grid.h"
#include "kernels/core/Macros.h"

namespace sij::detail {

struct ResetMomentsBody {
  ComponentMoments* moments;
  SIJ_HD void operator()(std::int64_t k) const {
    ComponentMoments& m = moments[k];
    m.voxel_count = 0;
    m.intensity_sum = 0;
    for (int a = 0; a < 3; ++a) {
      m.min_index[a] = std::numeric_limits<std::int64_t>::max();
      m.max_index[a] = -1;
      m.sum[a] = 0;
    }
    for (int a = 0; a < 6; ++a) m.sum_sq[a] = 0;
  }
};

// Sums over the voxels of one label met so far in the current row.
struct RowPartial {
  std::int64_t count = 0, sum_x = 0, sum_xx = 0, intensity = 0;
  std::int32_t min_x = 0, max_x = 0;
};

struct AccumulateMomentsBody {
  const std::int32_t* labels;
  const std::int16_t* intensity;  // may be null
  ComponentMoments* moments;
  std::int32_t component_count;
  std::int32_t nx, ny;

  SIJ_HD void flush(std::int32_t label, const RowPartial& p, std::int64_t y, std::int64_t z) const {
    ComponentMoments& m = moments[label - 1];
    const std::int64_t n = p.count;
    atomic_add(m.voxel_count, n);
    atomic_min(m.min_index[0], static_cast<std::int64_t>(p.min_x));
    atomic_min(m.min_index[1], y);
    atomic_min(m.min_index[2], z);
    atomic_max(m.max_index[0], static_cast<std::int64_t>(p.max_x));
    atomic_max(m.max_index[1], y);
    atomic_max(m.max_index[2], z);
    if (p.intensity != 0) atomic_add(m.intensity_sum, p.intensity);
    atomic_add(m.sum[0], p.sum_x);
    atomic_add(m.sum[1], y * n);
    atomic_add(m.sum[2], z * n);
    atomic_add(m.sum_sq[0], p.sum_xx);
    atomic_add(m.sum_sq[1], y * p.sum_x);
    atomic_add(m.sum_sq[2], z * p.sum_x);
    atomic_add(m.sum_sq[3], y * y * n);
    atomic_add(m.sum_sq[4], y * z * n);
    atomic_add(m.sum_sq[5], z * z * n);
  }

  SIJ_HD void operator()(std::int64_t row) const {
    const std::int64_t y = row % ny;
    const std::int64_t z = row / ny;
    const std::int64_t base = row * nx;
    std::int32_t current = 0;
    RowPartial partial;
    for (std::int32_t x = 0; x < nx; ++x) {
      const std::int32_t label = labels[base + x];
      if (label <= 0 || label > component_count) continue;  // background (or not a component)
      if (label != current) {
        if (current != 0) flush(current, partial, y, z);
        current = label;
        partial = RowPartial{};
        partial.min_x = x;
      }
      partial.count += 1;
      partial.sum_x += x;
      partial.sum_xx += static_cast<std::int64_t>(x) * x;
      partial.max_x = x;
      if (intensity != nullptr) partial.intensity += intensity[base + x];
    }
    if (current != 0) flush(current, partial, y, z);
  }
};

template <class Exec>
std::vector<ComponentMoments> component_moments_impl(const Exec& exec, const std::int32_t* labels,
                                                     const std::int16_t* intensity,
                                                     const Grid& grid,
                                                     std::int32_t component_count) {
  if (component_count <= 0) return {};
  Buffer<ComponentMoments> moments(Exec::backend, static_cast<std::size_t>(component_count));
  exec.parallel_for(component_count, ResetMomentsBody{moments.data()});
  const std::int64_t rows = static_cast<std::int64_t>(grid.ny) * grid.nz;
  exec.parallel_for(rows, AccumulateMomentsBody{labels, intensity, moments.data(), component_count,
                                                grid.nx, grid.ny});
  exec.synchronize();
  return moments.to_host();
}

}  // namespace sij::detail
