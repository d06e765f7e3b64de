// The one body of trilinear sampling and ray profiles, instantiated by SamplingCPU.cpp and
// SamplingCUDA.cu.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/core/Macros.h"
#include "kernels/sampling/Sampling.h"
#include "kernels/sampling/TrilinearSampler.h"

namespace sij::detail {

struct SamplePointsBody {
  // How many points ahead the CPU asks for voxels (see TrilinearSampler::prefetch).
  static constexpr std::int64_t kPrefetchDistance = 8;
  TrilinearSampler sampler;
  const float* points_mm;
  float* values;
  std::int64_t count;
  SIJ_HD void operator()(std::int64_t i) const {
    if (i + kPrefetchDistance < count) sampler.prefetch(points_mm + 3 * (i + kPrefetchDistance));
    const double p[3] = {points_mm[3 * i], points_mm[3 * i + 1], points_mm[3 * i + 2]};
    values[i] = sampler(p);
  }
};

// Points along the ray are computed in double from k (not accumulated), so sample k does not
// inherit the rounding of samples 0..k-1.
struct RayProfileBody {
  TrilinearSampler sampler;
  double start_mm[3];
  double step_vector_mm[3];  // step_mm * unit direction
  float* values;
  SIJ_HD void operator()(std::int64_t k) const {
    const double s = static_cast<double>(k);
    const double p[3] = {start_mm[0] + s * step_vector_mm[0], start_mm[1] + s * step_vector_mm[1],
                         start_mm[2] + s * step_vector_mm[2]};
    values[k] = sampler(p);
  }
};

template <class Exec>
void sample_trilinear_impl(const Exec& exec, const std::int16_t* volume, const Grid& grid,
                           const Affine3& affine, const float* points_mm, std::int64_t count,
                           float* values, float outside_value) {
  const TrilinearSampler sampler{volume, grid, affine, outside_value};
  exec.parallel_for(count, SamplePointsBody{sampler, points_mm, values, count});
  exec.synchronize();
}

template <class Exec>
void ray_profile_impl(const Exec& exec, const std::int16_t* volume, const Grid& grid,
                      const Affine3& affine, const double start_mm[3], const double direction[3],
                      double step_mm, std::int32_t count, float* values, float outside_value) {
  if (count <= 0) return;
  const double length = std::sqrt(direction[0] * direction[0] + direction[1] * direction[1] +
                                  direction[2] * direction[2]);
  RayProfileBody body{TrilinearSampler{volume, grid, affine, outside_value},
                      {start_mm[0], start_mm[1], start_mm[2]},
                      {0.0, 0.0, 0.0},
                      values};
  // A zero (or non-finite) direction has no meaning; every sample then sits at start_mm.
  if (length > 0.0 && std::isfinite(length)) {
    for (int c = 0; c < 3; ++c) body.step_vector_mm[c] = step_mm * (direction[c] / length);
  }
  exec.parallel_for(count, body);
  exec.synchronize();
}

}  // namespace sij::detail
