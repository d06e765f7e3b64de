// A box of voxels inside a volume (the joint stage works around the bones only), crops and
// host helpers on box-shaped arrays. Index "grid millimetres" are index * spacing along the
// index axes (origin at the box's first voxel); LPS through the volume's Affine3.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij::joint {

struct Box {
  std::int32_t lo[3] = {0, 0, 0};  // first voxel, inclusive
  std::int32_t hi[3] = {0, 0, 0};  // last voxel + 1
  bool empty() const { return hi[0] <= lo[0] || hi[1] <= lo[1] || hi[2] <= lo[2]; }
  Grid grid(const Grid& volume) const {
    Grid g = volume;
    g.nx = hi[0] - lo[0];
    g.ny = hi[1] - lo[1];
    g.nz = hi[2] - lo[2];
    return g;
  }
  // Grows by `mm` on every side (per-axis voxel counts), clamped to `limit`.
  Box grown(const Grid& volume, double mm, const Box& limit) const {
    Box b = *this;
    const double s[3] = {volume.sx_mm, volume.sy_mm, volume.sz_mm};
    for (int a = 0; a < 3; ++a) {
      const auto pad = static_cast<std::int32_t>(std::ceil(mm / s[a]));
      b.lo[a] = std::max(limit.lo[a], lo[a] - pad);
      b.hi[a] = std::min(limit.hi[a], hi[a] + pad);
    }
    return b;
  }
  Box intersect(const Box& o) const {
    Box b;
    for (int a = 0; a < 3; ++a) {
      b.lo[a] = std::max(lo[a], o.lo[a]);
      b.hi[a] = std::min(hi[a], o.hi[a]);
    }
    return b;
  }
  // The smallest box holding both; an empty box adds nothing.
  static Box hull(const Box& a, const Box& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    Box out;
    for (int k = 0; k < 3; ++k) {
      out.lo[k] = std::min(a.lo[k], b.lo[k]);
      out.hi[k] = std::max(a.hi[k], b.hi[k]);
    }
    return out;
  }
  static Box whole(const Grid& g) {
    Box b;
    b.hi[0] = g.nx;
    b.hi[1] = g.ny;
    b.hi[2] = g.nz;
    return b;
  }
};

// Copies the part of `src` (laid out on `outer`, whose origin voxel is `outer_lo`) inside
// `inner` (both boxes in volume indices; inner within outer).
template <class T>
std::vector<T> crop(const std::vector<T>& src, const Grid& outer, const std::int32_t outer_lo[3],
                    const Box& inner) {
  const Grid g = inner.grid(outer);
  std::vector<T> out(static_cast<std::size_t>(g.voxel_count()));
#pragma omp parallel for schedule(static)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const std::int64_t from = outer.index(inner.lo[0] - outer_lo[0], y + inner.lo[1] - outer_lo[1],
                                            z + inner.lo[2] - outer_lo[2]);
      std::copy_n(src.data() + from, g.nx, out.data() + g.index(0, y, z));
    }
  }
  return out;
}

// Writes `part` (laid out on `inner`'s grid) back into `dst` (laid out on `outer`, origin voxel
// `outer_lo`): the inverse of crop.
template <class T>
void paste(const std::vector<T>& part, const Box& inner, std::vector<T>& dst, const Grid& outer,
           const std::int32_t outer_lo[3]) {
  const Grid g = inner.grid(outer);
#pragma omp parallel for schedule(static)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const std::int64_t to = outer.index(inner.lo[0] - outer_lo[0], y + inner.lo[1] - outer_lo[1],
                                          z + inner.lo[2] - outer_lo[2]);
      std::copy_n(part.data() + g.index(0, y, z), g.nx, dst.data() + to);
    }
  }
}

// Bounding box (in the grid's own indices) of the voxels where `keep(i)` holds; empty if none.
template <class Keep>
Box bounding_box(const Grid& g, Keep keep) {
  Box out;
  out.lo[0] = g.nx;
  out.lo[1] = g.ny;
  out.lo[2] = g.nz;
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const std::int64_t row = g.index(0, y, z);
      for (std::int32_t x = 0; x < g.nx; ++x) {
        if (!keep(row + x)) continue;
        const std::int32_t c[3] = {x, y, z};
        for (int a = 0; a < 3; ++a) {
          out.lo[a] = std::min(out.lo[a], c[a]);
          out.hi[a] = std::max(out.hi[a], c[a] + 1);
        }
      }
    }
  }
  return out;
}

// LPS of a (continuous) box index.
inline std::array<double, 3> box_to_lps(const Grid& volume, const Affine3& affine, const Box& box,
                                        double x, double y, double z) {
  const double index[3] = {x + box.lo[0], y + box.lo[1], z + box.lo[2]};
  std::array<double, 3> p{};
  affine.index_to_physical(volume, index, p.data());
  return p;
}

// Trilinear sample of a box-shaped int16 array at a continuous box index; NaN outside.
inline double sample_trilinear_host(const std::int16_t* v, const Grid& g, double x, double y, double z) {
  if (!(x >= 0 && y >= 0 && z >= 0 && x <= g.nx - 1 && y <= g.ny - 1 && z <= g.nz - 1)) return std::nan("");
  const auto x0 = std::min(static_cast<std::int32_t>(x), std::max(g.nx - 2, 0));
  const auto y0 = std::min(static_cast<std::int32_t>(y), std::max(g.ny - 2, 0));
  const auto z0 = std::min(static_cast<std::int32_t>(z), std::max(g.nz - 2, 0));
  const double fx = x - x0, fy = y - y0, fz = z - z0;
  const std::int32_t x1 = std::min(x0 + 1, g.nx - 1), y1 = std::min(y0 + 1, g.ny - 1),
                     z1 = std::min(z0 + 1, g.nz - 1);
  const auto at = [&](std::int32_t a, std::int32_t b, std::int32_t c) {
    return static_cast<double>(v[g.index(a, b, c)]);
  };
  const double c00 = at(x0, y0, z0) * (1 - fx) + at(x1, y0, z0) * fx;
  const double c10 = at(x0, y1, z0) * (1 - fx) + at(x1, y1, z0) * fx;
  const double c01 = at(x0, y0, z1) * (1 - fx) + at(x1, y0, z1) * fx;
  const double c11 = at(x0, y1, z1) * (1 - fx) + at(x1, y1, z1) * fx;
  return (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
}

}  // namespace sij::joint
