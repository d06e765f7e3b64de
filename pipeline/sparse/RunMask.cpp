#include "pipeline/sparse/RunMask.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sij {
namespace {

std::int32_t find_root(std::vector<std::int32_t>& parent, std::int32_t i) {
  while (parent[static_cast<std::size_t>(i)] != i) {
    parent[static_cast<std::size_t>(i)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(i)])];
    i = parent[static_cast<std::size_t>(i)];
  }
  return i;
}

void unite(std::vector<std::int32_t>& parent, std::int32_t a, std::int32_t b) {
  a = find_root(parent, a);
  b = find_root(parent, b);
  if (a == b) return;
  // The earlier run becomes the root: the result does not depend on the order of unions.
  if (a < b) parent[static_cast<std::size_t>(b)] = a;
  else parent[static_cast<std::size_t>(a)] = b;
}

// Joins every run of row `cur` with the runs of row `other` it touches. slack 0: the runs share
// an x (face neighbours across rows); slack 1: they share or neighbour one (edge and corner
// neighbours too).
void connect_rows(const RunMask& m, std::vector<std::int32_t>& parent, std::int64_t cur, std::int64_t other,
                  std::int32_t slack) {
  auto a = m.row_start[static_cast<std::size_t>(cur)];
  const auto a_end = m.row_start[static_cast<std::size_t>(cur + 1)];
  auto b = m.row_start[static_cast<std::size_t>(other)];
  const auto b_end = m.row_start[static_cast<std::size_t>(other + 1)];
  while (a < a_end && b < b_end) {
    const Run& ra = m.runs[static_cast<std::size_t>(a)];
    const Run& rb = m.runs[static_cast<std::size_t>(b)];
    if (ra.x0 < rb.x1 + slack && rb.x0 < ra.x1 + slack) unite(parent, static_cast<std::int32_t>(a), static_cast<std::int32_t>(b));
    // Advance the run that ends first; the other may still touch the next one.
    if (ra.x1 < rb.x1) ++a;
    else ++b;
  }
}

}  // namespace

std::int64_t RunMask::voxel_count() const {
  std::int64_t n = 0;
  for (const Run& r : runs) n += r.x1 - r.x0;
  return n;
}

std::vector<std::uint8_t> RunMask::to_dense() const {
  std::vector<std::uint8_t> dense(static_cast<std::size_t>(grid.voxel_count()), 0);
#pragma omp parallel for schedule(static)
  for (std::int32_t z = 0; z < grid.nz; ++z) {
    for (std::int32_t y = 0; y < grid.ny; ++y) {
      const std::int64_t r = row(y, z);
      for (auto k = row_start[static_cast<std::size_t>(r)]; k < row_start[static_cast<std::size_t>(r + 1)]; ++k) {
        const Run& run = runs[static_cast<std::size_t>(k)];
        const auto base = static_cast<std::size_t>(grid.index(0, y, z));
        std::fill(dense.begin() + static_cast<std::ptrdiff_t>(base + static_cast<std::size_t>(run.x0)),
                  dense.begin() + static_cast<std::ptrdiff_t>(base + static_cast<std::size_t>(run.x1)), std::uint8_t{1});
      }
    }
  }
  return dense;
}

std::vector<std::int32_t> label_runs(const RunMask& mask, Connectivity connectivity, std::int32_t& count) {
  if (mask.runs.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw std::length_error("label_runs: more runs than an int32 can number");
  }
  const auto n = static_cast<std::int32_t>(mask.runs.size());
  std::vector<std::int32_t> parent(static_cast<std::size_t>(n));
  for (std::int32_t i = 0; i < n; ++i) parent[static_cast<std::size_t>(i)] = i;
  const Grid& g = mask.grid;
  const bool full = connectivity == Connectivity::Full26;
  const std::int32_t slack = full ? 1 : 0;
  // Each row looks back at the rows before it in raster order that hold its neighbours.
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const std::int64_t cur = mask.row(y, z);
      if (mask.row_start[static_cast<std::size_t>(cur)] == mask.row_start[static_cast<std::size_t>(cur + 1)]) continue;
      if (y > 0) connect_rows(mask, parent, cur, mask.row(y - 1, z), slack);
      if (z == 0) continue;
      connect_rows(mask, parent, cur, mask.row(y, z - 1), slack);
      if (!full) continue;
      if (y > 0) connect_rows(mask, parent, cur, mask.row(y - 1, z - 1), slack);
      if (y + 1 < g.ny) connect_rows(mask, parent, cur, mask.row(y + 1, z - 1), slack);
    }
  }
  // Numbered in raster order of the component's first run (runs are in raster order).
  std::vector<std::int32_t> label(static_cast<std::size_t>(n), 0);
  count = 0;
  for (std::int32_t i = 0; i < n; ++i) {
    const std::int32_t root = find_root(parent, i);
    if (root == i) label[static_cast<std::size_t>(i)] = ++count;
    else label[static_cast<std::size_t>(i)] = label[static_cast<std::size_t>(root)];
  }
  return label;
}

std::vector<ComponentStats> run_component_stats(const RunMask& mask, const std::vector<std::int32_t>& run_label,
                                                std::int32_t count) {
  struct Sums {
    double x = 0, y = 0, z = 0, xx = 0, xy = 0, xz = 0, yy = 0, yz = 0, zz = 0;
  };
  std::vector<ComponentStats> stats(static_cast<std::size_t>(count));
  std::vector<Sums> sums(static_cast<std::size_t>(count));
  for (auto& s : stats) {
    for (int a = 0; a < 3; ++a) {
      s.min_index[a] = std::numeric_limits<std::int32_t>::max();
      s.max_index[a] = std::numeric_limits<std::int32_t>::min();
    }
  }
  const Grid& g = mask.grid;
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const std::int64_t r = mask.row(y, z);
      for (auto k = mask.row_start[static_cast<std::size_t>(r)]; k < mask.row_start[static_cast<std::size_t>(r + 1)]; ++k) {
        const Run& run = mask.runs[static_cast<std::size_t>(k)];
        const std::int32_t label = run_label[static_cast<std::size_t>(k)];
        ComponentStats& s = stats[static_cast<std::size_t>(label - 1)];
        Sums& m = sums[static_cast<std::size_t>(label - 1)];
        const double n = run.x1 - run.x0;
        // Sums of x and x^2 over x0 .. x1 - 1 in closed form.
        const double a = run.x0, b = run.x1 - 1;
        const double sx = n * (a + b) / 2.0;
        const double sxx = (b * (b + 1) * (2 * b + 1) - (a - 1) * a * (2 * a - 1)) / 6.0;
        s.voxel_count += run.x1 - run.x0;
        s.min_index[0] = std::min(s.min_index[0], run.x0);
        s.max_index[0] = std::max(s.max_index[0], run.x1 - 1);
        s.min_index[1] = std::min(s.min_index[1], y);
        s.max_index[1] = std::max(s.max_index[1], y);
        s.min_index[2] = std::min(s.min_index[2], z);
        s.max_index[2] = std::max(s.max_index[2], z);
        m.x += sx;
        m.y += n * y;
        m.z += n * z;
        m.xx += sxx;
        m.xy += sx * y;
        m.xz += sx * z;
        m.yy += n * y * y;
        m.yz += n * y * z;
        m.zz += n * z * z;
      }
    }
  }
  const double sp[3] = {g.sx_mm, g.sy_mm, g.sz_mm};
  for (std::int32_t k = 0; k < count; ++k) {
    ComponentStats& s = stats[static_cast<std::size_t>(k)];
    const Sums& m = sums[static_cast<std::size_t>(k)];
    const double n = static_cast<double>(s.voxel_count);
    if (n == 0) continue;
    const double mean[3] = {m.x / n, m.y / n, m.z / n};
    for (int a = 0; a < 3; ++a) s.centroid_mm[a] = mean[a] * sp[a];
    s.covariance_mm2[0] = (m.xx / n - mean[0] * mean[0]) * sp[0] * sp[0];
    s.covariance_mm2[1] = (m.xy / n - mean[0] * mean[1]) * sp[0] * sp[1];
    s.covariance_mm2[2] = (m.xz / n - mean[0] * mean[2]) * sp[0] * sp[2];
    s.covariance_mm2[3] = (m.yy / n - mean[1] * mean[1]) * sp[1] * sp[1];
    s.covariance_mm2[4] = (m.yz / n - mean[1] * mean[2]) * sp[1] * sp[2];
    s.covariance_mm2[5] = (m.zz / n - mean[2] * mean[2]) * sp[2] * sp[2];
  }
  return stats;
}

}  // namespace sij
