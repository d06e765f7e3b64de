// Run-time dispatch from a public kernel function to its CPU or CUDA instantiation.
//
// SIJ_DISPATCH(backend, name, args...) calls detail::name_cpu(args...),
// detail::name_emu(args...) (the emulated device, every build) or detail::name_cuda(args...).
// Declare the emulated entry next to the CPU one as `decltype(name_cpu) name_emu;`. In a CPU-only build the CUDA branch throws a clear error
// instead of referring to a symbol that was never compiled.
#pragma once

#include <stdexcept>
#include <string>

#include "kernels/core/Backend.h"

namespace sij::detail {
[[noreturn]] inline void throw_backend_unavailable(Backend backend, const char* kernel) {
  throw std::runtime_error(std::string("kernel '") + kernel + "' cannot run on the " +
                           std::string(backend_name(backend)) +
                           " backend: it is not compiled in or no device is present");
}
}  // namespace sij::detail

// Use as the whole body of a public kernel function: it returns what the backend returns.
#if SIJTRACK_WITH_CUDA
#define SIJ_DISPATCH(backend, name, ...)                                      \
  if ((backend) == ::sij::Backend::Cpu) return ::sij::detail::name##_cpu(__VA_ARGS__); \
  if ((backend) == ::sij::Backend::Emulated) return ::sij::detail::name##_emu(__VA_ARGS__); \
  if (::sij::backend_available(backend)) return ::sij::detail::name##_cuda(__VA_ARGS__); \
  ::sij::detail::throw_backend_unavailable(backend, #name)
#else
#define SIJ_DISPATCH(backend, name, ...)                                      \
  if ((backend) == ::sij::Backend::Cpu) return ::sij::detail::name##_cpu(__VA_ARGS__); \
  if ((backend) == ::sij::Backend::Emulated) return ::sij::detail::name##_emu(__VA_ARGS__); \
  ::sij::detail::throw_backend_unavailable(backend, #name)
#endif
