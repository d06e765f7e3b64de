// The CUDA execution backend: a grid-stride kernel over the same body the CPU backend loops.
//
// Include this only from *CUDA.cu translation units (compiled by nvcc).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>

#include "kernels/core/Backend.h"
#include "kernels/core/LaunchShape.h"

namespace sij {
namespace detail {

template <class Body>
__global__ void grid_stride_kernel(std::int64_t n, Body body) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    body(i);
  }
}

inline void throw_if_cuda_error(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(status));
  }
}

}  // namespace detail

struct CudaExec {
  static constexpr Backend backend = Backend::Cuda;
  // Kernels pick their GPU code paths (tile widths, worker counts) on this flag, which the
  // emulated backend shares, so those paths run in CPU-only tests too.
  static constexpr bool gpu_configuration = true;
  cudaStream_t stream = nullptr;

  template <class Body>
  void parallel_for(std::int64_t n, const Body& body) const {
    if (n <= 0) return;
    const LaunchShape shape = cuda_launch_shape(n);
    detail::grid_stride_kernel<<<static_cast<unsigned>(shape.blocks),
                                 static_cast<unsigned>(shape.threads), 0, stream>>>(n, body);
    detail::throw_if_cuda_error(cudaGetLastError(), "kernel launch");
  }

  auto policy() const { return thrust::cuda::par.on(stream); }

  // Runs a host call that launches device work itself (a Thrust algorithm on policy()).
  template <class F>
  void device_algorithm(F&& f) const {
    f();
  }

  void synchronize() const {
    detail::throw_if_cuda_error(cudaStreamSynchronize(stream), "stream synchronize");
  }
};

}  // namespace sij
