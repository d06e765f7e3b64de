#include "kernels/sampling/Sampling.h"

#include "kernels/core/Dispatch.h"

namespace sij {
namespace detail {
void sample_trilinear_cpu(const std::int16_t*, const Grid&, const Affine3&, const float*,
                          std::int64_t, float*, float);
void sample_trilinear_cuda(const std::int16_t*, const Grid&, const Affine3&, const float*,
                           std::int64_t, float*, float);
void ray_profile_cpu(const std::int16_t*, const Grid&, const Affine3&, const double[3],
                     const double[3], double, std::int32_t, float*, float);
void ray_profile_cuda(const std::int16_t*, const Grid&, const Affine3&, const double[3],
                      const double[3], double, std::int32_t, float*, float);
decltype(sample_trilinear_cpu) sample_trilinear_emu;
decltype(ray_profile_cpu) ray_profile_emu;
}  // namespace detail

void sample_trilinear(Backend backend, const std::int16_t* volume, const Grid& grid,
                      const Affine3& affine, const float* points_mm, std::int64_t count,
                      float* values, float outside_value) {
  SIJ_DISPATCH(backend, sample_trilinear, volume, grid, affine, points_mm, count, values,
               outside_value);
}

void ray_profile(Backend backend, const std::int16_t* volume, const Grid& grid,
                 const Affine3& affine, const double start_mm[3], const double direction[3],
                 double step_mm, std::int32_t count, float* values, float outside_value) {
  SIJ_DISPATCH(backend, ray_profile, volume, grid, affine, start_mm, direction, step_mm, count,
               values, outside_value);
}

}  // namespace sij
