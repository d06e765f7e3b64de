// The emulated execution backend: the CUDA backend's launch shape (LaunchShape.h), blocks run
// in a shuffled order across OpenMP threads, device memory opened only while a launch runs
// (Emulated.h). Any kernel whose result depends on block order, or host code that touches
// device memory, fails here as it would on a GPU.
//
// Include this only from *Emu.cpp translation units (compiled by the host compiler).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <thrust/system/omp/execution_policy.h>

#include "kernels/core/Backend.h"
#include "kernels/core/Emulated.h"
#include "kernels/core/LaunchShape.h"

namespace sij {
namespace detail {

// A permutation of [0, blocks) drawn from `seed` (Fisher-Yates on splitmix64).
inline std::vector<std::int64_t> shuffled_block_order(std::int64_t blocks, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(blocks));
  for (std::int64_t b = 0; b < blocks; ++b) order[b] = b;
  std::uint64_t state = seed;
  for (std::int64_t b = blocks - 1; b > 0; --b) {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    std::swap(order[b], order[static_cast<std::int64_t>(z % static_cast<std::uint64_t>(b + 1))]);
  }
  return order;
}

}  // namespace detail

struct EmuExec {
  static constexpr Backend backend = Backend::Emulated;
  static constexpr bool gpu_configuration = true;  // the GPU's tile widths and worker counts

  // Calls body(i) for i in [0, n) as CudaExec's grid-stride kernel would: thread t of block b
  // visits b * threads + t, then steps by the grid's stride. Blocks run in a shuffled order,
  // one block at a time per OpenMP thread; a block's threads run in order.
  template <class Body>
  void parallel_for(std::int64_t n, const Body& body) const {
    if (n <= 0) return;
    const LaunchShape shape = cuda_launch_shape(n);
    const std::vector<std::int64_t> order =
        detail::shuffled_block_order(shape.blocks, detail::emulated_launch_seed());
    const std::int64_t threads = shape.threads, stride = shape.stride();
    const EmulatedDeviceScope open;
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t k = 0; k < shape.blocks; ++k) {
      const std::int64_t block = order[static_cast<std::size_t>(k)];
      for (std::int64_t t = 0; t < threads; ++t) {
        for (std::int64_t i = block * threads + t; i < n; i += stride) body(i);
      }
    }
  }

  // Thrust runs on the host's OpenMP system, inside device_algorithm's open scope.
  auto policy() const { return thrust::omp::par; }

  template <class F>
  void device_algorithm(F&& f) const {
    detail::emulated_launch_seed();  // counted as a launch
    const EmulatedDeviceScope open;
    f();
  }

  void synchronize() const {}
};

}  // namespace sij
