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
  cudaStream_t stream = nullptr;

  template <class Body>
  void parallel_for(std::int64_t n, const Body& body) const {
    if (n <= 0) return;
    constexpr int kThreads = 256;
    // Enough blocks to fill any current GPU; the grid-stride loop covers the rest.
    const std::int64_t wanted = (n + kThreads - 1) / kThreads;
    const int blocks = static_cast<int>(wanted < 65536 ? wanted : 65536);
    detail::grid_stride_kernel<<<blocks, kThreads, 0, stream>>>(n, body);
    detail::throw_if_cuda_error(cudaGetLastError(), "kernel launch");
  }

  auto policy() const { return thrust::cuda::par.on(stream); }

  void synchronize() const {
    detail::throw_if_cuda_error(cudaStreamSynchronize(stream), "stream synchronize");
  }
};

}  // namespace sij
