// Template bodies of RunMask.h (included at its end).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace sij {

template <class T, class Selected>
void append_spans(const T* row, std::int32_t x0, std::int32_t x1, Selected&& selected, std::vector<Run>& out) {
  std::int32_t x = x0;
  while (x < x1) {
    while (x < x1 && !selected(row[x])) ++x;
    if (x == x1) break;
    const std::int32_t start = x;
    while (x < x1 && selected(row[x])) ++x;
    out.push_back(Run{start, x});
  }
}

template <class SliceRuns>
RunMask build_run_mask(const Grid& grid, SliceRuns&& slice_runs) {
  RunMask mask;
  mask.grid = grid;
  const auto rows = static_cast<std::int64_t>(grid.ny) * grid.nz;
  mask.row_start.assign(static_cast<std::size_t>(rows + 1), 0);
  std::vector<std::vector<Run>> per_slice(static_cast<std::size_t>(grid.nz));
  // Runs per row first (row_start[r + 1]), then a prefix sum turns counts into starts.
#pragma omp parallel for schedule(dynamic, 4)
  for (std::int32_t z = 0; z < grid.nz; ++z) {
    slice_runs(z, per_slice[static_cast<std::size_t>(z)], mask.row_start.data() + mask.row(0, z) + 1);
  }
  for (std::int64_t r = 0; r < rows; ++r) mask.row_start[static_cast<std::size_t>(r + 1)] += mask.row_start[static_cast<std::size_t>(r)];
  mask.runs.resize(static_cast<std::size_t>(mask.row_start.back()));
#pragma omp parallel for schedule(static)
  for (std::int32_t z = 0; z < grid.nz; ++z) {
    const auto& slice = per_slice[static_cast<std::size_t>(z)];
    std::copy(slice.begin(), slice.end(),
              mask.runs.begin() + static_cast<std::ptrdiff_t>(mask.row_start[static_cast<std::size_t>(mask.row(0, z))]));
  }
  return mask;
}

template <class RowRuns>
RunMask build_run_mask_by_rows(const Grid& grid, RowRuns&& row_runs) {
  return build_run_mask(grid, [&](std::int32_t z, std::vector<Run>& out, std::int64_t* row_counts) {
    for (std::int32_t y = 0; y < grid.ny; ++y) {
      const std::size_t before = out.size();
      row_runs(y, z, out);
      row_counts[y] = static_cast<std::int64_t>(out.size() - before);
    }
  });
}

template <class Keep>
RunMask select_runs(const RunMask& mask, const std::vector<std::int32_t>& run_label, Keep&& keep,
                    std::vector<std::int32_t>* kept_labels) {
  RunMask out;
  out.grid = mask.grid;
  out.row_start.assign(mask.row_start.size(), 0);
  for (std::size_t r = 0; r + 1 < mask.row_start.size(); ++r) {
    for (auto k = mask.row_start[r]; k < mask.row_start[r + 1]; ++k) {
      const std::int32_t label = run_label[static_cast<std::size_t>(k)];
      if (!keep(label)) continue;
      out.runs.push_back(mask.runs[static_cast<std::size_t>(k)]);
      if (kept_labels) kept_labels->push_back(label);
    }
    out.row_start[r + 1] = static_cast<std::int64_t>(out.runs.size());
  }
  return out;
}

}  // namespace sij
