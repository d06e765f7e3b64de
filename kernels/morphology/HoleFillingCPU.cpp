#include "kernels/core/ExecCPU.h"
#include "kernels/morphology/HoleFillingImpl.h"

namespace sij::detail {
void fill_holes_cpu(const std::uint8_t* in, std::uint8_t* out, const Grid& grid, bool per_slice) {
  fill_holes_impl(CpuExec{}, in, out, grid, per_slice);
}
}  // namespace sij::detail
