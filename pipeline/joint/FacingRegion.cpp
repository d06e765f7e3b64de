#include "pipeline/joint/FacingRegion.h"

#include <algorithm>
#include <cmath>

namespace sij::joint {
namespace {

// Bounding box of the voxels where keep(i) holds, one slice per iteration in parallel (a pass
// over a box of tens of millions of voxels), then merged.
template <class Keep>
Box parallel_bounding_box(const Grid& g, Keep keep) {
  std::vector<Box> per_slice(static_cast<std::size_t>(g.nz));
#pragma omp parallel for schedule(dynamic, 4)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    Grid slice = g;
    slice.nz = 1;
    const std::int64_t offset = g.index(0, 0, z);
    Box b = bounding_box(slice, [&](std::int64_t i) { return keep(offset + i); });
    if (!b.empty()) {
      b.lo[2] = z;
      b.hi[2] = z + 1;
    }
    per_slice[static_cast<std::size_t>(z)] = b;
  }
  Box close;
  for (const Box& b : per_slice) close = Box::hull(close, b);
  return close;
}

}  // namespace

Box facing_region(const std::vector<float>& dist_to_a_mm, const std::vector<std::int32_t>& labels, const Grid& g,
                  const std::vector<std::int32_t>& bone_b, double reach_mm,
                  const std::vector<std::uint8_t>& needle_zone, double zone_reach_mm) {
  const auto limit = static_cast<float>(reach_mm);
  const Box close_b = parallel_bounding_box(g, [&](std::int64_t i) {
    const std::int32_t l = labels[static_cast<std::size_t>(i)];
    return l != 0 && dist_to_a_mm[static_cast<std::size_t>(i)] <= limit &&
           std::find(bone_b.begin(), bone_b.end(), l) != bone_b.end();
  });
  Box near_needle;
  if (!needle_zone.empty()) {
    const auto zone_limit = static_cast<float>(zone_reach_mm);
    near_needle = parallel_bounding_box(g, [&](std::int64_t i) {
      return needle_zone[static_cast<std::size_t>(i)] != 0 && dist_to_a_mm[static_cast<std::size_t>(i)] <= zone_limit;
    });
  }
  const Box whole = Box::whole(g);
  return Box::hull(close_b.empty() ? Box{} : close_b.grown(g, reach_mm, whole),
              near_needle.empty() ? Box{} : near_needle.grown(g, zone_reach_mm, whole));
}

}  // namespace sij::joint
