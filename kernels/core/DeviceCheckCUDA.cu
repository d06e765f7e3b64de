// The CUDA half of DeviceCheck.h: device probe, architecture match and a self-test kernel.
#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/DeviceCheck.h"
#include "kernels/core/ExecCUDA.cuh"

namespace sij::detail {
namespace {

// Architectures nvcc compiled this file for (the same list as every kernel: one CMake flag).
std::vector<int> compiled_architectures() {
#if defined(__CUDA_ARCH_LIST__)
  return {__CUDA_ARCH_LIST__};
#else
  return {};
#endif
}

// Whether code built for `arch` (e.g. 800) can run on a device of compute capability `cc`
// (e.g. 90): same major version at or below the device's minor (real code), or any older
// architecture through the driver's PTX JIT. The self-test launch settles the PTX case.
bool runs_on(int arch, int cc) {
  const int a = arch / 10;
  return (a / 10 == cc / 10 && a <= cc) || a < cc;
}

struct SelfTestBody {
  std::int32_t* out;
  __host__ __device__ void operator()(std::int64_t i) const {
    out[i] = static_cast<std::int32_t>(i * 3 + 1);
  }
};

std::string cuda_text(cudaError_t status) {
  return std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
}

// Launches SelfTestBody over a few blocks and checks every value; "" when all is well.
std::string self_test() {
  constexpr std::int64_t kCount = 1000;
  std::int32_t* device = nullptr;
  cudaError_t status = cudaMalloc(&device, kCount * sizeof(std::int32_t));
  if (status != cudaSuccess) return "self-test allocation failed (" + cuda_text(status) + ")";
  std::string failure;
  try {
    CudaExec exec;
    exec.parallel_for(kCount, SelfTestBody{device});
    exec.synchronize();
    std::vector<std::int32_t> host(kCount);
    status = cudaMemcpy(host.data(), device, kCount * sizeof(std::int32_t), cudaMemcpyDeviceToHost);
    if (status != cudaSuccess) {
      failure = "self-test copy failed (" + cuda_text(status) + ")";
    } else {
      for (std::int64_t i = 0; i < kCount && failure.empty(); ++i) {
        if (host[i] != i * 3 + 1) failure = "self-test kernel wrote wrong values";
      }
    }
  } catch (const std::exception& e) {
    failure = std::string("self-test kernel failed: ") + e.what();
  }
  cudaFree(device);
  cudaGetLastError();  // leave no error behind for the next call
  return failure;
}

// Why cudaGetDeviceCount failed, in words: without a GPU the runtime reports an "insufficient
// driver", which reads as if a driver update would help.
std::string probe_failure_text(cudaError_t status) {
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  const std::string version = std::to_string(runtime / 1000) + "." + std::to_string(runtime % 1000 / 10);
  switch (status) {
    case cudaErrorInsufficientDriver:
      return "no GPU with an NVIDIA driver for CUDA " + version +
             " on this machine (no GPU or no driver, or a driver older than the runtime; " +
             cudaGetErrorName(status) + ")";
    case cudaErrorNoDevice:
      return std::string("no CUDA-capable GPU on this machine (") + cudaGetErrorName(status) + ")";
    default:
      return "the CUDA runtime found no usable GPU (" + cuda_text(status) + ")";
  }
}

}  // namespace

CudaCheck run_cuda_check() {
  CudaCheck check;
  for (int arch : compiled_architectures()) {
    if (!check.compiled_architectures.empty()) check.compiled_architectures += ' ';
    check.compiled_architectures += std::to_string(arch / 10);
  }
  int count = 0;
  const cudaError_t probe = cudaGetDeviceCount(&count);
  if (probe != cudaSuccess) {
    cudaGetLastError();
    check.reason = probe_failure_text(probe);
    return check;
  }
  check.device_count = count;
  if (count == 0) {
    check.reason = "no CUDA device on this machine";
    return check;
  }
  cudaDeviceProp prop{};
  const cudaError_t props = cudaGetDeviceProperties(&prop, 0);
  if (props != cudaSuccess) {
    cudaGetLastError();
    check.reason = "cannot read CUDA device 0's properties: " + cuda_text(props);
    return check;
  }
  check.device_name = prop.name;
  check.compute_capability = prop.major * 10 + prop.minor;
  bool covered = false;
  for (int arch : compiled_architectures()) covered |= runs_on(arch, check.compute_capability);
  const std::string device = check.device_name + " (compute capability " +
                             std::to_string(prop.major) + "." + std::to_string(prop.minor) + ")";
  if (!covered) {
    check.reason = device + " is not covered by the compiled architectures (" +
                   check.compiled_architectures + "): rebuild with CUDAARCHS=" +
                   std::to_string(check.compute_capability);
    return check;
  }
  const std::string failure = self_test();
  if (!failure.empty()) {
    check.reason = device + ": " + failure;
    return check;
  }
  check.usable = true;
  check.reason = device + " passed the self-test kernel";
  return check;
}

}  // namespace sij::detail
