#include "kernels/core/Backend.h"

#include "kernels/core/DeviceCheck.h"

#if SIJTRACK_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace sij {

std::string_view backend_name(Backend backend) {
  switch (backend) {
    case Backend::Cpu: return "cpu";
    case Backend::Cuda: return "cuda";
    case Backend::Emulated: return "emulated";
  }
  return "unknown";
}

bool cuda_compiled() { return SIJTRACK_WITH_CUDA != 0; }

int cuda_device_count() {
#if SIJTRACK_WITH_CUDA
  // Probed once: the answer does not change while the process runs.
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      cudaGetLastError();  // clear the sticky "no device" error
      return 0;
    }
    return n;
  }();
  return count;
#else
  return 0;
#endif
}

bool backend_available(Backend backend) {
  return backend == Backend::Cpu || backend == Backend::Emulated || cuda_check().usable;
}

std::vector<Backend> compiled_backends() {
  std::vector<Backend> list{Backend::Cpu};
  if (cuda_compiled()) list.push_back(Backend::Cuda);
  list.push_back(Backend::Emulated);
  return list;
}

Backend default_backend() { return cuda_check().usable ? Backend::Cuda : Backend::Cpu; }

}  // namespace sij
