// The emulated device: a backend whose memory the host cannot touch outside a kernel launch
// or an explicit copy, so that host code reading device memory crashes on CPU-only machines
// exactly as it would on a GPU.
//
// Every emulated allocation is its own anonymous mapping (whole 4 KiB pages), kept PROT_NONE.
// An EmulatedDeviceScope opens every mapping (read/write) while a launch, a Thrust algorithm,
// a copy or a memset runs, then closes them again; scopes nest and may overlap across
// threads (the mappings stay open until the last scope ends, so a host read on one thread
// while another thread launches is NOT caught). A host access outside any scope is a SIGSEGV;
// a handler prints which emulated allocation was touched, then the default action runs.
//
// The backend also counts what a GPU would pay for: bytes copied each way, allocations,
// launches. Counters are process-wide and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/core/Backend.h"

namespace sij {

struct EmulatedCounters {
  std::uint64_t host_to_device_bytes = 0;
  std::uint64_t device_to_host_bytes = 0;
  std::uint64_t device_to_device_bytes = 0;
  std::uint64_t host_to_device_copies = 0;
  std::uint64_t device_to_host_copies = 0;
  std::uint64_t memset_bytes = 0;
  std::uint64_t allocations = 0;       // device allocations made
  std::uint64_t frees = 0;
  std::uint64_t allocated_bytes = 0;   // sum of the sizes of the allocations made
  std::uint64_t live_bytes = 0;        // allocated now (not reset)
  std::uint64_t peak_live_bytes = 0;   // highest live_bytes since the last reset
  std::uint64_t launches = 0;          // parallel_for launches and Thrust algorithms
};

// A snapshot of the counters.
EmulatedCounters emulated_counters();
// Zeroes every counter except live_bytes; peak_live_bytes restarts at live_bytes.
void reset_emulated_counters();

// True when `ptr` points into a live emulated allocation.
bool is_emulated_device_pointer(const void* ptr);

// Opens emulated device memory to the host for its lifetime (a launch or a copy).
class EmulatedDeviceScope {
 public:
  EmulatedDeviceScope();
  ~EmulatedDeviceScope();
  EmulatedDeviceScope(const EmulatedDeviceScope&) = delete;
  EmulatedDeviceScope& operator=(const EmulatedDeviceScope&) = delete;
};

namespace detail {
// Memory.cpp routes Backend::Emulated here. bytes == 0 still gives a distinct mapping.
void* emulated_allocate(std::size_t bytes);
void emulated_free(void* ptr) noexcept;
// One of the two sides is Backend::Emulated, the other Cpu or Emulated.
void emulated_copy(Backend dst_backend, void* dst, Backend src_backend, const void* src,
                   std::size_t bytes);
void emulated_memset(void* ptr, int value, std::size_t bytes);
// Counts a launch and returns the seed that shuffles its block order: a hash of the launch
// number and SIJTRACK_EMU_SEED (default fixed), so a run is reproducible.
std::uint64_t emulated_launch_seed();
}  // namespace detail

}  // namespace sij
