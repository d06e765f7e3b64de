// The one body of hysteresis classification, instantiated by HysteresisCPU.cpp and
// HysteresisCUDA.cu.
//
// The same steps as threshold_mask + label_components + a per-label "holds a core voxel"
// table, fused: the union-find forest is built directly over "hu in edge" (no thresholded
// copy, no compaction to 1..K), the root of every run holding a core voxel is marked, and a
// last pass keeps the runs whose root is marked.
#pragma once

#include <cstdint>

#include "kernels/ccl/ForestImpl.h"
#include "kernels/ccl/RowRuns.h"
#include "kernels/ccl/UnionFind.h"
#include "kernels/classify/Hysteresis.h"
#include "kernels/core/Atomic.h"
#include "kernels/core/Buffer.h"
#include "kernels/core/Macros.h"

namespace sij::detail {

struct HuInRange {
  const std::int16_t* hu;
  HuRange range;
  SIJ_HD bool operator()(std::int64_t i) const {
    const std::int16_t v = hu[i];
    return v >= range.low_hu && v <= range.high_hu;
  }
  SIJ_HD std::int64_t next_selected(std::int64_t i, std::int64_t end) const {
    while (i < end && !(*this)(i)) ++i;
    return i;
  }
  SIJ_HD std::int64_t next_unselected(std::int64_t i, std::int64_t end) const {
    while (i < end && (*this)(i)) ++i;
    return i;
  }
  SIJ_HD std::uint64_t selected_flags(std::int64_t i, std::int64_t end) const {
    std::uint64_t flags = 0;
    for (int b = 0; b < 8 && i + b < end; ++b) {
      if ((*this)(i + b)) flags |= 0x80ull << (8 * b);
    }
    return flags;
  }
};

// Negative root entry: this edge component holds a core voxel. find_root stops there.
constexpr std::int32_t kHoldsCore = -1;

struct FlattenAndMarkCoreBody {
  HuInRange edge;
  HuInRange core;
  std::int32_t* parent;
  std::int32_t nx;
  SIJ_HD void operator()(std::int64_t row) const {
    const std::int64_t base = row * nx;
    for_each_run(edge, base, nx, [&](std::int32_t x0, std::int32_t x1) {
      const auto start = static_cast<std::int32_t>(base + x0);
      const std::int32_t root = find_root(parent, start);
      if (root != start) atomic_store(parent[start], root);
      for (std::int32_t x = x0; x < x1; ++x) {
        if (core(base + x)) {
          atomic_store(parent[root], kHoldsCore);
          break;
        }
      }
    });
  }
};

struct WriteKeptBody {
  HuInRange edge;
  const std::int32_t* parent;
  std::uint8_t* out;
  std::int32_t nx;
  SIJ_HD void operator()(std::int64_t row) const {
    const std::int64_t base = row * nx;
    for_each_span(
        edge, base, nx,
        [&](std::int32_t x0, std::int32_t x1) {
          for (std::int32_t x = x0; x < x1; ++x) out[base + x] = 0;
        },
        [&](std::int32_t x0, std::int32_t x1) {
          const std::int32_t up = parent[base + x0];  // the root, or the start itself
          const bool kept = up < 0 || (up != base + x0 && parent[up] < 0);
          const std::uint8_t value = kept ? 1 : 0;
          for (std::int32_t x = x0; x < x1; ++x) out[base + x] = value;
        });
  }
};

template <class Exec>
void hysteresis_mask_impl(const Exec& exec, const std::int16_t* hu, std::uint8_t* out,
                          const Grid& grid, HuRange core, HuRange edge,
                          Connectivity connectivity) {
  if (grid.voxel_count() == 0) return;
  const std::int64_t rows = static_cast<std::int64_t>(grid.ny) * grid.nz;
  Buffer<std::int32_t> parent(Exec::backend, static_cast<std::size_t>(grid.voxel_count()));
  const HuInRange in_edge{hu, edge};
  build_forest(exec, in_edge, parent.data(), grid, connectivity);
  exec.parallel_for(rows, FlattenAndMarkCoreBody{in_edge, HuInRange{hu, core}, parent.data(), grid.nx});
  exec.parallel_for(rows, WriteKeptBody{in_edge, parent.data(), out, grid.nx});
  exec.synchronize();  // `parent` is freed on return
}

}  // namespace sij::detail
