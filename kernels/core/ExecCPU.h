// The CPU execution backend: an OpenMP loop over the same body the CUDA backend launches.
//
// Include this only from *CPU.cpp translation units (compiled by the host compiler).
#pragma once

#include <cstdint>

#include <thrust/system/omp/execution_policy.h>

#include "kernels/core/Backend.h"

namespace sij {

struct CpuExec {
  static constexpr Backend backend = Backend::Cpu;
  static constexpr bool gpu_configuration = false;  // CPU tile widths and worker counts

  // Calls body(i) for i in [0, n). Iterations must be independent (or use atomics).
  template <class Body>
  void parallel_for(std::int64_t n, const Body& body) const {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) body(i);
  }

  // Thrust execution policy for reductions, scans, sorts and compactions on this backend.
  auto policy() const { return thrust::omp::par; }

  // Runs a host call that does the backend's work itself (a Thrust algorithm on policy()).
  template <class F>
  void device_algorithm(F&& f) const {
    f();
  }

  // Work is synchronous on the CPU.
  void synchronize() const {}
};

}  // namespace sij
