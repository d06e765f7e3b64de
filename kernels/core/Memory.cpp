#include "kernels/core/Memory.h"

#include "kernels/core/Emulated.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#if SIJTRACK_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace sij {
namespace {

constexpr std::size_t kHostAlignment = 64;  // one cache line; also enough for AVX-512 loads

// Volumes are hundreds of MB and kernels such as sampling, CCL merges and the EDT's column
// passes touch them far apart: with 4 KiB pages nearly every such access misses the TLB.
// Large host buffers are therefore 2 MiB aligned and marked for transparent huge pages
// (Linux's default THP mode here is "madvise", so nothing happens without the hint).
constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;
constexpr std::size_t kHugePageThresholdBytes = std::size_t{8} << 20;

void* allocate_host(std::size_t bytes) {
  const std::size_t alignment = bytes >= kHugePageThresholdBytes ? kHugePageBytes : kHostAlignment;
  const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  void* ptr = std::aligned_alloc(alignment, rounded);
  if (ptr == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (alignment == kHugePageBytes) madvise(ptr, rounded, MADV_HUGEPAGE);  // a hint; failure is harmless
#endif
  return ptr;
}

#if SIJTRACK_WITH_CUDA
void check_cuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw std::runtime_error(std::string("CUDA ") + what + " failed: " + cudaGetErrorString(status));
  }
}
#endif

bool use_pinned_host_memory() { return backend_available(Backend::Cuda); }

void require_cuda_build() {
  if (!cuda_compiled()) {
    throw std::runtime_error("the CUDA backend is not compiled into this build (-DSIJTRACK_CUDA=OFF)");
  }
}

}  // namespace

void* backend_allocate(Backend backend, std::size_t bytes) {
  if (bytes == 0) bytes = 1;  // a valid, distinct pointer even for empty buffers
  if (backend == Backend::Emulated) return detail::emulated_allocate(bytes);
  if (backend == Backend::Cpu) {
#if SIJTRACK_WITH_CUDA
    if (use_pinned_host_memory()) {
      void* ptr = nullptr;
      check_cuda(cudaMallocHost(&ptr, bytes), "pinned host allocation");
      return ptr;
    }
#endif
    return allocate_host(bytes);
  }
  require_cuda_build();
#if SIJTRACK_WITH_CUDA
  void* ptr = nullptr;
  check_cuda(cudaMalloc(&ptr, bytes), "device allocation");
  return ptr;
#else
  return nullptr;
#endif
}

void backend_free(Backend backend, void* ptr) noexcept {
  if (ptr == nullptr) return;
  if (backend == Backend::Emulated) {
    detail::emulated_free(ptr);
    return;
  }
  if (backend == Backend::Cpu) {
#if SIJTRACK_WITH_CUDA
    if (use_pinned_host_memory()) {
      cudaFreeHost(ptr);
      return;
    }
#endif
    std::free(ptr);
    return;
  }
#if SIJTRACK_WITH_CUDA
  cudaFree(ptr);
#endif
}

void backend_copy(Backend dst_backend, void* dst, Backend src_backend, const void* src,
                  std::size_t bytes) {
  if (bytes == 0) return;
  if (dst_backend == Backend::Cpu && src_backend == Backend::Cpu) {
    std::memcpy(dst, src, bytes);
    return;
  }
  if (dst_backend == Backend::Emulated || src_backend == Backend::Emulated) {
    detail::emulated_copy(dst_backend, dst, src_backend, src, bytes);
    return;
  }
  require_cuda_build();
#if SIJTRACK_WITH_CUDA
  check_cuda(cudaMemcpy(dst, src, bytes, cudaMemcpyDefault), "copy");
#endif
}

void backend_memset(Backend backend, void* ptr, int value, std::size_t bytes) {
  if (bytes == 0) return;
  if (backend == Backend::Cpu) {
    std::memset(ptr, value, bytes);
    return;
  }
  if (backend == Backend::Emulated) {
    detail::emulated_memset(ptr, value, bytes);
    return;
  }
  require_cuda_build();
#if SIJTRACK_WITH_CUDA
  check_cuda(cudaMemset(ptr, value, bytes), "memset");
#endif
}

}  // namespace sij
