// Builds the union-find forest of the selected voxels of a volume: the shared first half of
// connected-component labelling, hole filling and hysteresis. One body for both backends.
//
// Every selected voxel's parent starts at the first voxel of its x-run, so a run is one tree
// from the start and only run starts ever take part in unions. Each row is then merged with
// the rows before it in raster order that can touch it (y-1 in the same slice; for 3D also
// rows of slice z-1): for each run of the row, the earlier row is scanned only under the run
// (widened by one voxel each side for diagonal contact), and one union is issued per touching
// earlier run. So unions happen per pair of touching runs, never per voxel, and background
// costs one scan.
#pragma once

#include <cstdint>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/ccl/RowRuns.h"
#include "kernels/ccl/UnionFind.h"
#include "kernels/ccl/VoxelPredicates.h"  // byte-word helpers
#include "kernels/core/Grid.h"
#include "kernels/core/Macros.h"

namespace sij::detail {

inline bool is_three_dimensional(Connectivity c) {
  return c == Connectivity::Face6 || c == Connectivity::Full26;
}
inline bool touches_diagonally(Connectivity c) {
  return c == Connectivity::Full26 || c == Connectivity::SliceFull8;
}

template <class Pred>
struct InitRunStartsBody {
  Pred selected;
  std::int32_t* parent;
  std::int32_t nx;
  SIJ_HD void operator()(std::int64_t row) const {
    const std::int64_t base = row * nx;
    for_each_run(selected, base, nx, [&](std::int32_t x0, std::int32_t x1) {
      const auto start = static_cast<std::int32_t>(base + x0);
      for (std::int32_t x = x0; x < x1; ++x) parent[base + x] = start;
    });
  }
};

// Merges row `row` with up to four earlier rows. `Diagonal` widens the contact between two
// rows from the face neighbour (x) to the 8-neighbourhood (x-1, x, x+1).
template <class Pred, bool Diagonal>
struct MergeRowsBody {
  Pred selected;
  std::int32_t* parent;
  std::int32_t nx, ny;
  bool three_d;

  SIJ_HD void operator()(std::int64_t row) const {
    const std::int32_t y = static_cast<std::int32_t>(row % ny);
    const std::int64_t z = row / ny;
    const std::int64_t base = row * nx;
    const std::int64_t plane = static_cast<std::int64_t>(nx) * ny;

    std::int64_t earlier[4];
    int count = 0;
    if (y > 0) earlier[count++] = base - nx;
    if (three_d && z > 0) {
      if (Diagonal && y > 0) earlier[count++] = base - plane - nx;
      earlier[count++] = base - plane;
      if (Diagonal && y + 1 < ny) earlier[count++] = base - plane + nx;
    }
    if (count == 0) return;

    constexpr std::int32_t reach = Diagonal ? 1 : 0;
    for_each_run(selected, base, nx, [&](std::int32_t x0, std::int32_t x1) {
      std::int32_t root = static_cast<std::int32_t>(base + x0);  // this run's tree, so far
      const std::int32_t lo = x0 - reach < 0 ? 0 : x0 - reach;
      const std::int32_t hi = x1 + reach > nx ? nx : x1 + reach;
      for (int k = 0; k < count; ++k) {
        // Each run of the earlier row met under [lo, hi) touches this run: one union each,
        // at the first voxel of the run inside the window. Eight voxels per step: a byte
        // flag is a run start when the voxel before it (in the window) is unselected.
        const std::int64_t end = earlier[k] + hi;
        std::uint64_t previous_selected = 0;  // 0x80 when the last voxel of the word before was
        for (std::int64_t i = earlier[k] + lo; i < end; i += 8) {
          const std::uint64_t flags = selected.selected_flags(i, end);
          std::uint64_t starts = flags & ~((flags << 8) | previous_selected);
          previous_selected = flags >> 56;
          while (starts != 0) {
            const int b = lowest_nonzero_byte(starts);
            root = unite(parent, root, static_cast<std::int32_t>(i + b));
            starts &= starts - 1;
          }
        }
      }
    });
  }
};

// Initialises and merges the forest of voxels where `selected(i)` under `connectivity`.
// Asynchronous on CUDA (ordered on the exec's stream).
template <class Exec, class Pred>
void build_forest(const Exec& exec, const Pred& selected, std::int32_t* parent, const Grid& grid,
                  Connectivity connectivity) {
  const std::int64_t rows = static_cast<std::int64_t>(grid.ny) * grid.nz;
  exec.parallel_for(rows, InitRunStartsBody<Pred>{selected, parent, grid.nx});
  const bool three_d = is_three_dimensional(connectivity);
  if (touches_diagonally(connectivity)) {
    exec.parallel_for(rows, MergeRowsBody<Pred, true>{selected, parent, grid.nx, grid.ny, three_d});
  } else {
    exec.parallel_for(rows, MergeRowsBody<Pred, false>{selected, parent, grid.nx, grid.ny, three_d});
  }
}

}  // namespace sij::detail
