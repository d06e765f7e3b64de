// Walking one image row (fixed y and z) as runs of consecutive selected voxels along x.
//
// The labelling kernels work row by row: one row per thread on the GPU, a block of rows per
// OpenMP thread on the CPU. A run is represented by its first voxel, so per-run work (finds,
// unions, flags) happens once per run rather than once per voxel.
#pragma once

#include <cstdint>

#include "kernels/core/Macros.h"

namespace sij::detail {

// Calls on_gap(x0, x1) for each maximal span of unselected voxels and on_run(x0, x1) for
// each maximal span of selected voxels, left to right, with x in [x0, x1). `selected` is a
// predicate from VoxelPredicates.h (or one with the same next_selected/next_unselected).
template <class Pred, class OnGap, class OnRun>
SIJ_HD inline void for_each_span(const Pred& selected, std::int64_t row_base, std::int32_t nx,
                                 OnGap&& on_gap, OnRun&& on_run) {
  const std::int64_t end = row_base + nx;
  std::int64_t i = row_base;
  while (i < end) {
    const std::int64_t run_start = selected.next_selected(i, end);
    if (run_start > i) {
      on_gap(static_cast<std::int32_t>(i - row_base), static_cast<std::int32_t>(run_start - row_base));
    }
    if (run_start >= end) break;
    i = selected.next_unselected(run_start, end);
    on_run(static_cast<std::int32_t>(run_start - row_base), static_cast<std::int32_t>(i - row_base));
  }
}

template <class Pred, class OnRun>
SIJ_HD inline void for_each_run(const Pred& selected, std::int64_t row_base, std::int32_t nx,
                                OnRun&& on_run) {
  for_each_span(selected, row_base, nx, [](std::int32_t, std::int32_t) {}, on_run);
}

}  // namespace sij::detail
