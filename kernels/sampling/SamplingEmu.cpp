#include "kernels/core/ExecEmu.h"
#include "kernels/sampling/SamplingImpl.h"

namespace sij::detail {
void sample_trilinear_emu(const std::int16_t* volume, const Grid& grid, const Affine3& affine,
                          const float* points_mm, std::int64_t count, float* values,
                          float outside_value) {
  sample_trilinear_impl(EmuExec{}, volume, grid, affine, points_mm, count, values, outside_value);
}
void ray_profile_emu(const std::int16_t* volume, const Grid& grid, const Affine3& affine,
                     const double start_mm[3], const double direction[3], double step_mm,
                     std::int32_t count, float* values, float outside_value) {
  ray_profile_impl(EmuExec{}, volume, grid, affine, start_mm, direction, step_mm, count, values,
                   outside_value);
}
}  // namespace sij::detail
