// Raw memory on a backend: the only place (with Exec*.h) where the backends differ.
#pragma once

#include <cstddef>

#include "kernels/core/Backend.h"

namespace sij {

// Allocates `bytes` on `backend` (host memory for CPU: pinned when a CUDA device is present,
// so uploads are fast; device memory for CUDA). Throws std::bad_alloc or std::runtime_error.
void* backend_allocate(Backend backend, std::size_t bytes);
void backend_free(Backend backend, void* ptr) noexcept;

// Copies `bytes` between any two backends (not between CUDA and the emulated device);
// synchronous. The emulated device counts the bytes moved.
void backend_copy(Backend dst_backend, void* dst, Backend src_backend, const void* src,
                  std::size_t bytes);

// Sets every byte of [ptr, ptr + bytes) to `value`; synchronous.
void backend_memset(Backend backend, void* ptr, int value, std::size_t bytes);

}  // namespace sij
