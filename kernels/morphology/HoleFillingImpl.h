// The one body of hole filling, instantiated by HoleFillingCPU.cpp and HoleFillingCUDA.cu.
//
// Builds the union-find forest of the background (6-connected in 3D, 4-connected within each
// slice), marks the root of every background run on the border, then writes foreground plus
// every background voxel whose root is unmarked. No compaction to labels 1..K is needed, so
// this is cheaper than label_components followed by a per-label table.
#pragma once

#include <cstdint>

#include "kernels/ccl/ForestImpl.h"
#include "kernels/ccl/RowRuns.h"
#include "kernels/ccl/UnionFind.h"
#include "kernels/ccl/VoxelPredicates.h"
#include "kernels/core/Atomic.h"
#include "kernels/core/Buffer.h"
#include "kernels/core/Grid.h"
#include "kernels/core/Macros.h"

namespace sij::detail {

// Negative root entry: this background component reaches the border. find_root stops there.
constexpr std::int32_t kReachesBorder = -1;

// Points each background run start at its root, and marks the root when the run lies on the
// border: the whole row on the y edges (and on the first/last slice in 3D), else the runs
// holding x = 0 or x = nx - 1.
struct FlattenAndMarkBorderBody {
  MaskIsClear background;
  std::int32_t* parent;
  std::int32_t nx, ny, nz;
  bool z_faces_are_border;
  SIJ_HD void operator()(std::int64_t row) const {
    const std::int64_t y = row % ny;
    const std::int64_t z = row / ny;
    const std::int64_t base = row * nx;
    const bool whole_row_on_border =
        y == 0 || y == ny - 1 || (z_faces_are_border && (z == 0 || z == nz - 1));
    for_each_run(background, base, nx, [&](std::int32_t x0, std::int32_t x1) {
      const auto start = static_cast<std::int32_t>(base + x0);
      const std::int32_t root = find_root(parent, start);
      if (root != start) atomic_store(parent[start], root);
      if (whole_row_on_border || x0 == 0 || x1 == nx) atomic_store(parent[root], kReachesBorder);
    });
  }
};

// out = 1 on foreground and on background that cannot reach the border, else 0.
struct WriteFilledBody {
  MaskIsClear background;
  std::uint8_t* out;
  const std::int32_t* parent;
  std::int32_t nx;
  SIJ_HD void operator()(std::int64_t row) const {
    const std::int64_t base = row * nx;
    for_each_span(
        background, base, nx,
        [&](std::int32_t x0, std::int32_t x1) {
          for (std::int32_t x = x0; x < x1; ++x) out[base + x] = 1;
        },
        [&](std::int32_t x0, std::int32_t x1) {
          const std::int32_t up = parent[base + x0];  // the root, or the start itself
          const bool reaches_border =
              up < 0 || (up != base + x0 && parent[up] < 0);
          const std::uint8_t value = reaches_border ? 0 : 1;
          for (std::int32_t x = x0; x < x1; ++x) out[base + x] = value;
        });
  }
};

template <class Exec>
void fill_holes_impl(const Exec& exec, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
                     bool per_slice) {
  if (grid.voxel_count() == 0) return;
  const std::int64_t rows = static_cast<std::int64_t>(grid.ny) * grid.nz;
  Buffer<std::int32_t> parent(Exec::backend, static_cast<std::size_t>(grid.voxel_count()));
  const MaskIsClear background{in, grid.voxel_count()};
  build_forest(exec, background, parent.data(), grid,
               per_slice ? Connectivity::SliceFace4 : Connectivity::Face6);
  exec.parallel_for(rows, FlattenAndMarkBorderBody{background, parent.data(), grid.nx, grid.ny,
                                                   grid.nz, !per_slice});
  exec.parallel_for(rows, WriteFilledBody{background, out, parent.data(), grid.nx});
  exec.synchronize();  // `parent` is freed on return
}

}  // namespace sij::detail
