#include "kernels/core/DeviceCheck.h"

namespace sij {

const CudaCheck& cuda_check() {
  static const CudaCheck check = [] {
#if SIJTRACK_WITH_CUDA
    return detail::run_cuda_check();
#else
    CudaCheck none;
    none.reason = "the CUDA backend is not compiled into this build (-DSIJTRACK_CUDA=OFF)";
    return none;
#endif
  }();
  return check;
}

}  // namespace sij
