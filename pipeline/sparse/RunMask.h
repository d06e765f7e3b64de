// Sparse 3D masks as runs of consecutive voxels along x, for the stages that label a small part
// of a scan on the host: the gas stage (body, air) and the needle stage (metal candidates).
//
// The body and the air inside it, or the steel of a needle, are few runs per image row: a
// 512x512x300 scan holds 78 M voxels but well under a million body runs and some thousands of
// air or metal runs. Labelling runs instead of voxels skips the full-volume label arrays (a
// 314 MB int32 array per labelling, zeroed by the kernel page by page) that made those stages
// memory-bound on the CPU. The dense kernels of kernels/ccl and kernels/morphology remain the
// reference the tests compare with (tests/gas_run_mask_test.cpp, tests/needle_*): same hole
// filling, same connectivity, same numbering. This is host code on either backend: after the
// runs there is too little work left for a device.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/core/Grid.h"

namespace sij {

struct Run {
  std::int32_t x0 = 0, x1 = 0;  // voxels x0 .. x1 - 1 of one row
};

struct RunMask {
  Grid grid;
  std::vector<Run> runs;                // row by row (z, then y), left to right within a row
  std::vector<std::int64_t> row_start;  // ny * nz + 1 entries: row r holds runs[row_start[r] .. row_start[r + 1])

  std::int64_t row(std::int32_t y, std::int32_t z) const { return static_cast<std::int64_t>(z) * grid.ny + y; }
  std::int64_t voxel_count() const;
  // 0/1 per voxel of the grid.
  std::vector<std::uint8_t> to_dense() const;
};

// Builds a mask slice by slice (slices in parallel): slice_runs(z, out, row_counts) appends the
// runs of slice z to `out` row by row, left to right, and sets row_counts[y] to the number of
// runs of row y.
template <class SliceRuns>
RunMask build_run_mask(const Grid& grid, SliceRuns&& slice_runs);

// The same, row by row: row_runs(y, z, out) appends the runs of row (y, z) to `out`.
template <class RowRuns>
RunMask build_run_mask_by_rows(const Grid& grid, RowRuns&& row_runs);

// Appends the maximal spans of x in [x0, x1) where selected(row[x]) holds, left to right: the
// runs of one image row (`row` points at its voxel x = 0).
template <class T, class Selected>
void append_spans(const T* row, std::int32_t x0, std::int32_t x1, Selected&& selected, std::vector<Run>& out);

// Connected components of the runs (Face6 or Full26), numbered 1..count in raster order of
// their first voxel, like kernels/ccl's label_components. Returns the label of each run.
std::vector<std::int32_t> label_runs(const RunMask& mask, Connectivity connectivity, std::int32_t& count);

// Statistics of components 1..count (element k-1 for label k) as kernels/ccl's
// component_stats computes them without an intensity volume.
std::vector<ComponentStats> run_component_stats(const RunMask& mask, const std::vector<std::int32_t>& run_label,
                                                std::int32_t count);

// The runs of `mask` whose run_label satisfies keep(label), as a new mask; their labels are
// appended to kept_labels (when not null).
template <class Keep>
RunMask select_runs(const RunMask& mask, const std::vector<std::int32_t>& run_label, Keep&& keep,
                    std::vector<std::int32_t>* kept_labels = nullptr);

}  // namespace sij

#include "pipeline/sparse/RunMaskImpl.h"
