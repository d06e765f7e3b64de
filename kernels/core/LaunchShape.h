// The launch configuration of the CUDA backend, shared with the emulated backend so that
// both split a parallel_for into the same blocks and the same grid-stride loop.
#pragma once

#include <cstdint>

namespace sij {

struct LaunchShape {
  std::int64_t blocks = 0;   // grid size (1D); 0 for an empty launch
  std::int64_t threads = 0;  // threads per block
  // Distance between the items one thread visits in its grid-stride loop.
  std::int64_t stride() const { return blocks * threads; }
};

inline constexpr std::int64_t kCudaThreadsPerBlock = 256;
// Enough blocks to fill any current GPU; the grid-stride loop covers the rest.
inline constexpr std::int64_t kCudaMaxBlocks = 65536;

// The grid for a parallel_for over n items (n <= 0 gives an empty launch).
inline LaunchShape cuda_launch_shape(std::int64_t n) {
  if (n <= 0) return {};
  const std::int64_t wanted = (n + kCudaThreadsPerBlock - 1) / kCudaThreadsPerBlock;
  return LaunchShape{wanted < kCudaMaxBlocks ? wanted : kCudaMaxBlocks, kCudaThreadsPerBlock};
}

}  // namespace sij
