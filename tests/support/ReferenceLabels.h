// Independent reference for the labelling kernels: a plain breadth-first flood fill.
//
// Deliberately unlike the kernels (no union-find, no runs, explicit neighbour offsets), so
// a mistake in one is not repeated in the other.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/core/Grid.h"

namespace sij::test {

inline std::vector<std::array<int, 3>> neighbour_offsets(Connectivity connectivity) {
  std::vector<std::array<int, 3>> offsets;
  const bool three_d = connectivity == Connectivity::Face6 || connectivity == Connectivity::Full26;
  const bool full = connectivity == Connectivity::Full26 || connectivity == Connectivity::SliceFull8;
  for (int dz = -1; dz <= 1; ++dz) {
    for (int dy = -1; dy <= 1; ++dy) {
      for (int dx = -1; dx <= 1; ++dx) {
        const int steps = (dx != 0) + (dy != 0) + (dz != 0);
        if (steps == 0 || (!three_d && dz != 0) || (!full && steps > 1)) continue;
        offsets.push_back({dx, dy, dz});
      }
    }
  }
  return offsets;
}

// Flood fills the voxels where selected[i] != 0 from `seeds`, marking reached[i] = 1.
inline void flood_fill(const std::vector<std::uint8_t>& selected, const Grid& g,
                       Connectivity connectivity, const std::vector<std::int64_t>& seeds,
                       std::vector<std::uint8_t>& reached) {
  const auto offsets = neighbour_offsets(connectivity);
  std::deque<std::int64_t> queue;
  for (const std::int64_t s : seeds) {
    if (selected[s] && !reached[s]) {
      reached[s] = 1;
      queue.push_back(s);
    }
  }
  while (!queue.empty()) {
    const std::int64_t i = queue.front();
    queue.pop_front();
    std::int32_t x, y, z;
    g.coords(i, x, y, z);
    for (const auto& o : offsets) {
      const std::int64_t nx = x + o[0], ny = y + o[1], nz = z + o[2];
      if (!g.contains(nx, ny, nz)) continue;
      const std::int64_t j = g.index(static_cast<std::int32_t>(nx), static_cast<std::int32_t>(ny),
                                     static_cast<std::int32_t>(nz));
      if (selected[j] && !reached[j]) {
        reached[j] = 1;
        queue.push_back(j);
      }
    }
  }
}

// Labels 1..K numbered in raster order of each component's first voxel; returns K.
inline std::int32_t reference_labels(const std::vector<std::uint8_t>& mask, const Grid& g,
                                     Connectivity connectivity, std::vector<std::int32_t>& labels) {
  const auto offsets = neighbour_offsets(connectivity);
  labels.assign(mask.size(), 0);
  std::int32_t count = 0;
  std::vector<std::int64_t> stack;
  for (std::int64_t first = 0; first < static_cast<std::int64_t>(mask.size()); ++first) {
    if (!mask[first] || labels[first] != 0) continue;
    labels[first] = ++count;
    stack.assign(1, first);
    while (!stack.empty()) {
      const std::int64_t i = stack.back();
      stack.pop_back();
      std::int32_t x, y, z;
      g.coords(i, x, y, z);
      for (const auto& o : offsets) {
        const std::int64_t nx = x + o[0], ny = y + o[1], nz = z + o[2];
        if (!g.contains(nx, ny, nz)) continue;
        const std::int64_t j = g.index(static_cast<std::int32_t>(nx),
                                       static_cast<std::int32_t>(ny),
                                       static_cast<std::int32_t>(nz));
        if (mask[j] && labels[j] == 0) {
          labels[j] = count;
          stack.push_back(j);
        }
      }
    }
  }
  return count;
}

inline Connectivity all_connectivities[] = {Connectivity::Face6, Connectivity::Full26,
                                            Connectivity::SliceFace4, Connectivity::SliceFull8};

inline const char* connectivity_name(Connectivity c) {
  switch (c) {
    case Connectivity::Face6: return "Face6";
    case Connectivity::Full26: return "Full26";
    case Connectivity::SliceFace4: return "SliceFace4";
    case Connectivity::SliceFull8: return "SliceFull8";
  }
  return "?";
}

}  // namespace sij::test
