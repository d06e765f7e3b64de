#include "kernels/morphology/HoleFilling.h"

#include "kernels/ccl/IndexLimits.h"
#include "kernels/core/Dispatch.h"

namespace sij {
namespace detail {
void fill_holes_cpu(const std::uint8_t*, std::uint8_t*, const Grid&, bool per_slice);
void fill_holes_cuda(const std::uint8_t*, std::uint8_t*, const Grid&, bool per_slice);
decltype(fill_holes_cpu) fill_holes_emu;
}  // namespace detail

void fill_holes_3d(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid) {
  detail::require_int32_indexable(grid, "fill_holes_3d");
  SIJ_DISPATCH(backend, fill_holes, in, out, grid, /*per_slice=*/false);
}

void fill_holes_per_slice(Backend backend, const std::uint8_t* in, std::uint8_t* out,
                          const Grid& grid) {
  detail::require_int32_indexable(grid, "fill_holes_per_slice");
  SIJ_DISPATCH(backend, fill_holes, in, out, grid, /*per_slice=*/true);
}

}  // namespace sij
