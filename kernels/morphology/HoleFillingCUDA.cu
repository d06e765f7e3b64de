#include "kernels/core/ExecCUDA.cuh"
#include "kernels/morphology/HoleFillingImpl.h"

namespace sij::detail {
void fill_holes_cuda(const std::uint8_t* in, std::uint8_t* out, const Grid& grid, bool per_slice) {
  fill_holes_impl(CudaExec{}, in, out, grid, per_slice);
}
}  // namespace sij::detail
