#include "kernels/edt/DistanceTransform.h"

#include "kernels/core/Dispatch.h"

namespace sij {
namespace detail {
void distance_to_foreground_sq_cpu(const std::uint8_t*, float*, const Grid&);
void distance_to_foreground_cpu(const std::uint8_t*, float*, const Grid&);
void signed_distance_cpu(const std::uint8_t*, float*, const Grid&);
void distance_to_foreground_sq_cuda(const std::uint8_t*, float*, const Grid&);
void distance_to_foreground_cuda(const std::uint8_t*, float*, const Grid&);
void signed_distance_cuda(const std::uint8_t*, float*, const Grid&);
decltype(distance_to_foreground_sq_cpu) distance_to_foreground_sq_emu;
decltype(distance_to_foreground_cpu) distance_to_foreground_emu;
decltype(signed_distance_cpu) signed_distance_emu;
}  // namespace detail

void distance_to_foreground_sq(Backend backend, const std::uint8_t* mask, float* dist_sq_mm2,
                               const Grid& grid) {
  SIJ_DISPATCH(backend, distance_to_foreground_sq, mask, dist_sq_mm2, grid);
}

void distance_to_foreground(Backend backend, const std::uint8_t* mask, float* dist_mm,
                            const Grid& grid) {
  SIJ_DISPATCH(backend, distance_to_foreground, mask, dist_mm, grid);
}

void signed_distance(Backend backend, const std::uint8_t* mask, float* signed_dist_mm,
                     const Grid& grid) {
  SIJ_DISPATCH(backend, signed_distance, mask, signed_dist_mm, grid);
}

}  // namespace sij
