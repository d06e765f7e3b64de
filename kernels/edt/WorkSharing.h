// How the lines of a separable pass are shared among a fixed number of workers, each of
// which owns one scratch area (workers, not items, index the scratch: there is one area per
// worker, reused for every item it takes).
//
//   GPU: worker w takes items w, w + workers, w + 2 * workers, ...: neighbouring threads take
//        neighbouring lines, so their memory accesses coalesce.
//   CPU: workers take chunks of neighbouring items from a shared atomic counter: neighbouring
//        lines share cache lines, and a thread slowed down by another process on the machine
//        no longer holds up the whole pass (a static split would wait for it).
#pragma once

#include <cstdint>

#include "kernels/core/Atomic.h"
#include "kernels/core/Macros.h"

namespace sij::detail {

struct WorkPlan {
  std::int64_t item_count = 0;
  std::int64_t workers = 0;
  std::int64_t chunk_size = 1;            // CPU only
  std::int64_t* next_chunk = nullptr;     // CPU only: a zeroed counter on the backend
  bool interleaved = false;

  // Calls f(item) for every item this worker takes.
  template <class F>
  SIJ_HD void for_each_item(std::int64_t worker, F&& f) const {
    if (interleaved) {
      for (std::int64_t item = worker; item < item_count; item += workers) f(item);
      return;
    }
    for (;;) {
      const std::int64_t first = atomic_add(*next_chunk, std::int64_t{1}) * chunk_size;
      if (first >= item_count) return;
      const std::int64_t end = first + chunk_size < item_count ? first + chunk_size : item_count;
      for (std::int64_t item = first; item < end; ++item) f(item);
    }
  }
};

// Chunks per CPU pass: enough to balance two to a few dozen threads, few enough that the
// counter is touched rarely.
inline constexpr std::int64_t kCpuChunksPerPass = 512;

inline WorkPlan interleaved_plan(std::int64_t item_count, std::int64_t max_workers) {
  WorkPlan plan;
  plan.item_count = item_count;
  plan.workers = item_count < max_workers ? item_count : max_workers;
  plan.interleaved = true;
  return plan;
}

inline WorkPlan chunked_plan(std::int64_t item_count, std::int64_t max_workers,
                             std::int64_t* zeroed_counter) {
  WorkPlan plan;
  plan.item_count = item_count;
  plan.chunk_size = (item_count + kCpuChunksPerPass - 1) / kCpuChunksPerPass;
  if (plan.chunk_size < 1) plan.chunk_size = 1;
  const std::int64_t chunks = (item_count + plan.chunk_size - 1) / plan.chunk_size;
  plan.workers = chunks < max_workers ? chunks : max_workers;
  plan.next_chunk = zeroed_counter;
  return plan;
}

}  // namespace sij::detail
