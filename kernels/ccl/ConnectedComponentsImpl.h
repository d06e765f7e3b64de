// The one body of connected-component labelling, instantiated by ConnectedComponentsCPU.cpp
// and ConnectedComponentsCUDA.cu.
//
// `labels` doubles as the union-find parent array. After the forest is built, roots are the
// first voxel of their component in raster order, so numbering roots in raster order gives
// the documented labels: count roots per row, exclusive-scan the counts (Thrust), write each
// root's label at the root as a negative value, then write every voxel's label.
#pragma once

#include <cstdint>

#include <thrust/scan.h>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/ccl/ForestImpl.h"
#include "kernels/ccl/RowRuns.h"
#include "kernels/ccl/UnionFind.h"
#include "kernels/ccl/VoxelPredicates.h"
#include "kernels/core/Atomic.h"
#include "kernels/core/Buffer.h"
#include "kernels/core/Macros.h"
#include "kernels/core/Memory.h"

namespace sij::detail {

// Points every non-root run start straight at its root and counts the roots of each row.
// roots_per_row has rows + 1 entries; the last is zeroed so that after an in-place exclusive
// scan it holds the total.
struct FlattenAndCountRootsBody {
  MaskIsSet selected;
  std::int32_t* parent;
  std::int32_t* roots_per_row;
  std::int32_t nx;
  std::int64_t rows;
  SIJ_HD void operator()(std::int64_t row) const {
    const std::int64_t base = row * nx;
    std::int32_t roots = 0;
    for_each_run(selected, base, nx, [&](std::int32_t x0, std::int32_t) {
      const auto start = static_cast<std::int32_t>(base + x0);
      const std::int32_t root = find_root(parent, start);
      if (root == start) {
        ++roots;
      } else {
        atomic_store(parent[start], root);
      }
    });
    roots_per_row[row] = roots;
    if (row == rows - 1) roots_per_row[rows] = 0;
  }
};

// Stores -(label) at each root; labels of a row's roots start after first_label[row].
struct NumberRootsBody {
  MaskIsSet selected;
  std::int32_t* parent;
  const std::int32_t* first_label;  // exclusive scan of roots per row
  std::int32_t nx;
  SIJ_HD void operator()(std::int64_t row) const {
    std::int32_t label = first_label[row];
    if (first_label[row + 1] == label) return;  // no roots in this row
    const std::int64_t base = row * nx;
    for_each_run(selected, base, nx, [&](std::int32_t x0, std::int32_t) {
      const auto start = static_cast<std::int32_t>(base + x0);
      if (parent[start] == start) atomic_store(parent[start], -(++label));
    });
  }
};

// Writes the final label of every voxel except the root voxels themselves, which other rows
// still read their label from; RestoreRootLabelsBody finishes those afterwards.
struct WriteLabelsBody {
  MaskIsSet selected;
  std::int32_t* labels;
  std::int32_t nx;
  SIJ_HD void operator()(std::int64_t row) const {
    const std::int64_t base = row * nx;
    for_each_span(
        selected, base, nx,
        [&](std::int32_t x0, std::int32_t x1) {
          for (std::int32_t x = x0; x < x1; ++x) labels[base + x] = 0;
        },
        [&](std::int32_t x0, std::int32_t x1) {
          const std::int32_t up = labels[base + x0];  // own run start: no other writer
          const bool is_root = up < 0;
          const std::int32_t label = is_root ? -up : -atomic_load(labels[up]);
          for (std::int32_t x = is_root ? x0 + 1 : x0; x < x1; ++x) labels[base + x] = label;
        });
  }
};

struct RestoreRootLabelsBody {
  MaskIsSet selected;
  std::int32_t* labels;
  const std::int32_t* first_label;
  std::int32_t nx;
  SIJ_HD void operator()(std::int64_t row) const {
    if (first_label[row + 1] == first_label[row]) return;
    const std::int64_t base = row * nx;
    for_each_run(selected, base, nx, [&](std::int32_t x0, std::int32_t) {
      const std::int32_t value = labels[base + x0];
      if (value < 0) labels[base + x0] = -value;
    });
  }
};

template <class Exec>
std::int32_t label_components_impl(const Exec& exec, const std::uint8_t* mask,
                                   std::int32_t* labels, const Grid& grid,
                                   Connectivity connectivity) {
  const std::int64_t rows = static_cast<std::int64_t>(grid.ny) * grid.nz;
  if (grid.voxel_count() == 0) return 0;
  const MaskIsSet selected{mask, grid.voxel_count()};
  build_forest(exec, selected, labels, grid, connectivity);

  Buffer<std::int32_t> first_label(Exec::backend, static_cast<std::size_t>(rows + 1));
  exec.parallel_for(rows, FlattenAndCountRootsBody{selected, labels, first_label.data(), grid.nx, rows});
  exec.device_algorithm([&] {
    thrust::exclusive_scan(exec.policy(), first_label.data(), first_label.data() + rows + 1,
                           first_label.data());
  });
  exec.parallel_for(rows, NumberRootsBody{selected, labels, first_label.data(), grid.nx});
  exec.parallel_for(rows, WriteLabelsBody{selected, labels, grid.nx});
  exec.parallel_for(rows, RestoreRootLabelsBody{selected, labels, first_label.data(), grid.nx});
  exec.synchronize();

  std::int32_t component_count = 0;
  backend_copy(Backend::Cpu, &component_count, Exec::backend, first_label.data() + rows,
               sizeof(component_count));
  return component_count;
}

}  // namespace sij::detail
