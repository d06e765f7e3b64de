#include "pipeline/joint/JointFinder.h"

#include <algorithm>
#include <chrono>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "pipeline/joint/Box.h"
#include "pipeline/joint/FacingRegion.h"
#include "pipeline/joint/GapProfile.h"
#include "pipeline/joint/GasWalls.h"
#include "pipeline/joint/KernelCalls.h"
#include "pipeline/joint/SmoothedField.h"
#include "pipeline/joint/SteelSlices.h"

namespace sij::joint {
namespace {

using P3 = std::array<double, 3>;

// Bounding box of the voxels whose HU lies in [lo, hi), or an empty box.
Box hu_box(const Volume& volume, std::int16_t lo, std::int16_t hi) {
  const Grid& g = volume.grid;
  std::vector<Box> per_slice(static_cast<std::size_t>(g.nz));
#pragma omp parallel for schedule(dynamic, 4)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    Box b;
    b.lo[0] = g.nx;
    b.lo[1] = g.ny;
    b.hi[0] = b.hi[1] = 0;
    bool any = false;
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const std::int16_t* row = volume.hu.data() + g.index(0, y, z);
      std::int32_t first = -1, last = -1;
      for (std::int32_t x = 0; x < g.nx; ++x) {
        if (row[x] >= lo && row[x] < hi) {
          if (first < 0) first = x;
          last = x;
        }
      }
      if (first >= 0) {
        any = true;
        b.lo[0] = std::min(b.lo[0], first);
        b.hi[0] = std::max(b.hi[0], last + 1);
        b.lo[1] = std::min(b.lo[1], y);
        b.hi[1] = y + 1;
      }
    }
    if (any) {
      b.lo[2] = z;
      b.hi[2] = z + 1;
    } else {
      b = Box{};
    }
    per_slice[static_cast<std::size_t>(z)] = b;
  }
  Box out;
  for (const Box& b : per_slice) out = Box::hull(out, b);
  return out;
}

Box stats_box(const ComponentStats& s, const std::int32_t offset[3]) {
  Box b;
  for (int a = 0; a < 3; ++a) {
    b.lo[a] = s.min_index[a] + offset[a];
    b.hi[a] = s.max_index[a] + 1 + offset[a];
  }
  return b;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  const std::size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m), v.end());
  double hi = v[m];
  if (v.size() % 2 == 1) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m));
  return 0.5 * (lo + hi);
}

double quantile_of(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  const double f = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

// Gradient (grid mm) of a box-shaped field at a voxel by central differences (one-sided at
// the box faces).
P3 gradient(const std::vector<float>& f, const Grid& g, std::int32_t x, std::int32_t y, std::int32_t z) {
  const std::int32_t c[3] = {x, y, z};
  const std::int32_t n[3] = {g.nx, g.ny, g.nz};
  const double s[3] = {g.sx_mm, g.sy_mm, g.sz_mm};
  P3 out{};
  for (int a = 0; a < 3; ++a) {
    std::int32_t lo[3] = {c[0], c[1], c[2]}, hi[3] = {c[0], c[1], c[2]};
    lo[a] = std::max(0, c[a] - 1);
    hi[a] = std::min(n[a] - 1, c[a] + 1);
    if (hi[a] == lo[a]) continue;
    const double fl = f[static_cast<std::size_t>(g.index(lo[0], lo[1], lo[2]))];
    const double fh = f[static_cast<std::size_t>(g.index(hi[0], hi[1], hi[2]))];
    if (!std::isfinite(fl) || !std::isfinite(fh)) continue;
    out[a] = (fh - fl) / ((hi[a] - lo[a]) * s[a]);
  }
  return out;
}

P3 unit(const P3& v) {
  const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  return n > 0 ? P3{v[0] / n, v[1] / n, v[2] / n} : P3{0, 0, 0};
}

// The mask dilated by a ball of radius_mm. The needle is a thin line: it is grown inside its own
// bounding box (plus the radius), not over the whole grid; every voxel outside that box is
// farther than the radius.
std::vector<std::uint8_t> grown_in_own_box(Backend backend, const std::vector<std::uint8_t>& mask, const Grid& g,
                                           double radius_mm) {
  std::vector<std::uint8_t> grown(mask.size(), 0);
  const Box own = bounding_box(g, [&](std::int64_t i) { return mask[static_cast<std::size_t>(i)] != 0; });
  if (own.empty()) return grown;
  const Box whole = Box::whole(g);
  const Box around = own.grown(g, radius_mm + 1.0, whole);
  std::vector<std::uint8_t> part_grown;
  k_dilate(backend, crop(mask, g, whole.lo, around), part_grown, around.grid(g), static_cast<float>(radius_mm));
  paste(part_grown, around, grown, g, whole.lo);
  return grown;
}

// Everything the joint-space construction needs on the working box.
struct Work {
  const Volume* volume = nullptr;
  JointOptions options;
  Box box;
  Grid grid;
  std::vector<std::int16_t> hu;
  std::vector<std::uint8_t> solid;   // any bone (cortical, hole-filled, metal removed)
  std::vector<float> d_a, d_b;       // distance to bone A (sacrum or its candidate) and B
  std::vector<float> d_a_smooth, d_b_smooth;  // the same, smoothed in-plane: for directions only
  std::vector<std::uint8_t> metal_zone;  // steel and its blooming margin (bone removed there)
  std::vector<std::uint8_t> steel_reach; // within metal_margin_mm + steel_reach_mm of the steel
  double width[2] = {0, 0};          // gap width per side, once measured
  double zone_radius_mm = 0.0;       // metal margin + blooming radius
  double s_inplane = 1.0;
};

// Non-bone voxels between the two bones whose separation is at most the limit of their side
// (limit_mm[0] where LPS x > split_x, else limit_mm[1]).
std::vector<std::uint8_t> gap_candidates(const Work& w, const double limit_mm[2], double split_x) {
  const Grid& g = w.grid;
  const Affine3& af = w.volume->affine;
  const double ax = af.direction[0] * g.sx_mm, ay = af.direction[1] * g.sy_mm, az = af.direction[2] * g.sz_mm;
  const double x0 = af.origin_mm[0] + ax * w.box.lo[0] + ay * w.box.lo[1] + az * w.box.lo[2];
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(g.voxel_count()), 0);
#pragma omp parallel for schedule(dynamic, 2)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      for (std::int32_t x = 0; x < g.nx; ++x) {
        const auto i = static_cast<std::size_t>(g.index(x, y, z));
        if (w.solid[i]) continue;
        const float a = w.d_a[i], b = w.d_b[i];
        const double lps_x = x0 + ax * x + ay * y + az * z;
        const int side = lps_x > split_x ? 0 : 1;
        if (w.metal_zone.empty() || !w.metal_zone[i] || w.width[side] <= 0) {
          if (!(a + b <= limit_mm[side])) continue;
        } else {
          // Around the needle the cortex was taken out with the steel's blooming, so both walls
          // recede and the separation grows; the offset from the mid-surface, (a - b) / 2, is
          // still right where the needle runs along the joint.
          // A needle on the mid-surface takes out each wall up to (margin + bloom - width / 2).
          const double slack = 2.0 * std::max(0.0, w.zone_radius_mm - 0.5 * w.width[side]);
          if (!(a + b <= limit_mm[side] + slack)) continue;
          if (!(std::fabs(a - b) <= w.width[side] + 0.5 * w.s_inplane)) continue;
        }
        // Between the bones: the directions to the two nearest bone surfaces are opposite. Where
        // the steel took the walls out, the nearest surfaces are the edges of that hole, and
        // only the looser bound holds.
        const P3 ga = unit(gradient(w.d_a_smooth, g, x, y, z)), gb = unit(gradient(w.d_b_smooth, g, x, y, z));
        const bool near_steel = !w.steel_reach.empty() && w.steel_reach[i];
        const double max_cos = near_steel ? w.options.steel_facing_cos : w.options.max_facing_cos;
        if (ga[0] * gb[0] + ga[1] * gb[1] + ga[2] * gb[2] > max_cos) continue;
        mask[i] = 1;
      }
    }
  }
  return mask;
}

// Mid-surface voxels of a gap mask: d_a <= d_b with a face neighbour where d_a > d_b.
std::vector<std::uint8_t> mid_surface_of(const Work& w, const std::vector<std::uint8_t>& gap) {
  const Grid& g = w.grid;
  std::vector<std::uint8_t> mid(gap.size(), 0);
#pragma omp parallel for schedule(dynamic, 2)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      for (std::int32_t x = 0; x < g.nx; ++x) {
        const auto i = static_cast<std::size_t>(g.index(x, y, z));
        if (!gap[i] || w.d_a[i] > w.d_b[i]) continue;
        const std::int32_t nb[6][3] = {{x - 1, y, z}, {x + 1, y, z}, {x, y - 1, z},
                                       {x, y + 1, z}, {x, y, z - 1}, {x, y, z + 1}};
        for (const auto& q : nb) {
          if (!g.contains(q[0], q[1], q[2])) continue;
          const auto j = static_cast<std::size_t>(g.index(q[0], q[1], q[2]));
          if (w.d_a[j] > w.d_b[j]) {
            mid[i] = 1;
            break;
          }
        }
      }
    }
  }
  return mid;
}

// Gap profiles at (at most max_points) mid-surface voxels whose label is `want` (0: any).
std::vector<GapProfile> profiles(const Work& w, const std::vector<std::uint8_t>& mid,
                                 const std::vector<std::uint8_t>* label, std::uint8_t want,
                                 std::size_t max_points) {
  const Grid& g = w.grid;
  std::vector<std::int64_t> points;
  for (std::int64_t i = 0; i < g.voxel_count(); ++i) {
    if (!mid[static_cast<std::size_t>(i)]) continue;
    if (label && want && (*label)[static_cast<std::size_t>(i)] != want) continue;
    points.push_back(i);
  }
  const std::size_t stride = std::max<std::size_t>(1, (points.size() + max_points - 1) / max_points);
  std::vector<std::int64_t> chosen;
  for (std::size_t k = 0; k < points.size(); k += stride) chosen.push_back(points[k]);
  std::vector<GapProfile> out(chosen.size());
  GapProfileOptions po;
  po.wall_min_hu = w.options.cortical_threshold_hu;
  po.search_mm = 0.5 * w.options.max_gap_mm;
  po.reach_mm = 3.0;
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(chosen.size()); ++k) {
    std::int32_t x, y, z;
    g.coords(chosen[static_cast<std::size_t>(k)], x, y, z);
    const P3 ga = gradient(w.d_a, g, x, y, z), gb = gradient(w.d_b, g, x, y, z);
    const P3 n = unit({ga[0] - gb[0], ga[1] - gb[1], ga[2] - gb[2]});
    if (n[0] == 0 && n[1] == 0 && n[2] == 0) continue;
    const double p[3] = {double(x), double(y), double(z)};
    const double nn[3] = {n[0], n[1], n[2]};
    out[static_cast<std::size_t>(k)] = measure_gap(w.hu.data(), g, p, nn, po);
  }
  std::vector<GapProfile> ok;
  for (const auto& p : out) {
    if (p.ok) ok.push_back(p);
  }
  return ok;
}

double median_width(const std::vector<GapProfile>& ps) {
  std::vector<double> v;
  for (const auto& p : ps) v.push_back(p.width_mm);
  return median_of(v);
}

}  // namespace

std::uint8_t JointAnalysis::joint_label_at(std::int32_t x, std::int32_t y, std::int32_t z) const {
  x -= box_min[0];
  y -= box_min[1];
  z -= box_min[2];
  if (joint_label.empty() || !mask_grid.contains(x, y, z)) return 0;
  return joint_label[static_cast<std::size_t>(mask_grid.index(x, y, z))];
}

std::uint8_t JointAnalysis::bone_at(std::int32_t x, std::int32_t y, std::int32_t z) const {
  x -= box_min[0];
  y -= box_min[1];
  z -= box_min[2];
  if (bone_mask.empty() || !mask_grid.contains(x, y, z)) return 0;
  return bone_mask[static_cast<std::size_t>(mask_grid.index(x, y, z))];
}

JointAnalysis find_joints(const Volume& volume, const JointOptions& options) {
  JointAnalysis result;
  result.grid = volume.grid;
  result.affine = volume.affine;
  const Backend backend = options.backend;
  const Grid& vg = volume.grid;
  if (vg.voxel_count() == 0) return result;
  auto step_start = std::chrono::steady_clock::now();
  const auto step_done = [&](const char* step) {
    const auto now = std::chrono::steady_clock::now();
    result.step_ms.emplace_back(step, std::chrono::duration<double, std::milli>(now - step_start).count());
    step_start = now;
  };

  // 1. A box around the cortical bone.
  Box box1 = hu_box(volume, options.cortical_threshold_hu, options.metal_threshold_hu);
  if (box1.empty()) return result;
  box1 = box1.grown(vg, options.box_margin_mm, Box::whole(vg));
  const Grid g1 = box1.grid(vg);
  const std::int32_t zero[3] = {0, 0, 0};
  const std::vector<std::int16_t> hu1 = crop(volume.hu, vg, zero, box1);

  // 2. Bone: cortical voxels without the needle (steel and a margin of blooming), holes of
  //    each axial slice filled so that cancellous interiors are solid.
  std::vector<std::uint8_t> metal, cortical, solid1;
  k_threshold(backend, hu1, metal, {options.metal_threshold_hu, 32767});
  const std::vector<std::uint8_t> metal_grown = grown_in_own_box(backend, metal, g1, options.metal_margin_mm);
  k_threshold(backend, hu1, cortical, {options.cortical_threshold_hu, 32767});
  add_walls_beside_gas(hu1, g1, cortical, options.gas_walls);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < g1.voxel_count(); ++i) {
    cortical[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(!metal_grown[static_cast<std::size_t>(i)]);
  }
  k_fill_holes_per_slice(backend, cortical, solid1, g1);
  step_done("bone_mask");

  // 3. Bone components: the joint gaps separate the sacrum from each ilium. Where a narrow gap
  //    is bridged (blur, partial volume), a small erosion splits the bones; the distances to
  //    the eroded cores minus the radius are then the distances to the bones.
  const double voxel_ml = vg.sx_mm * vg.sy_mm * vg.sz_mm * 1e-3;
  std::vector<std::int32_t> labels1;
  std::vector<ComponentStats> stats;
  std::vector<std::int32_t> big;
  const auto split_bones = [&](const std::vector<std::uint8_t>& mask) {
    const std::int32_t count = k_label_stats(backend, mask, labels1, g1, Connectivity::Face6, stats);
    big.clear();
    for (std::int32_t k = 0; k < count; ++k) {
      if (stats[static_cast<std::size_t>(k)].voxel_count * voxel_ml >= options.min_bone_ml) big.push_back(k + 1);
    }
  };
  split_bones(solid1);
  double erosion_mm = 0.0;
  if (big.size() < 3) {
    // Retry on denser bone (the cortex peaks far above a blurred narrow gap), then with a small
    // erosion; keep the first that separates more bones.
    const std::vector<std::int32_t> labels_kept = labels1;
    const std::vector<ComponentStats> stats_kept = stats;
    const std::vector<std::int32_t> big_kept = big;
    std::vector<std::uint8_t> dense, dense_solid;
    k_threshold(backend, hu1, dense, {options.split_threshold_hu, 32767});
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < g1.voxel_count(); ++i) {
      dense[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(!metal_grown[static_cast<std::size_t>(i)]);
    }
    k_fill_holes_per_slice(backend, dense, dense_solid, g1);
    split_bones(dense_solid);
    if (big.size() > big_kept.size()) {
      solid1 = std::move(dense_solid);
    } else if (options.split_erosion_mm > 0) {
      std::vector<std::uint8_t> eroded;
      k_erode(backend, solid1, eroded, g1, static_cast<float>(options.split_erosion_mm));
      split_bones(eroded);
      if (big.size() > big_kept.size()) erosion_mm = options.split_erosion_mm;
    }
    if (big.size() <= big_kept.size()) {
      labels1 = labels_kept;
      stats = stats_kept;
      big = big_kept;
      erosion_mm = 0.0;
    }
  }
  std::sort(big.begin(), big.end(), [&](std::int32_t a, std::int32_t b) {
    return stats[static_cast<std::size_t>(a - 1)].voxel_count > stats[static_cast<std::size_t>(b - 1)].voxel_count;
  });
  if (big.size() < 2) return result;
  const auto centroid_lps = [&](std::int32_t label) {
    const ComponentStats& s = stats[static_cast<std::size_t>(label - 1)];
    return box_to_lps(vg, volume.affine, box1, s.centroid_mm[0] / vg.sx_mm, s.centroid_mm[1] / vg.sy_mm,
                      s.centroid_mm[2] / vg.sz_mm);
  };
  std::sort(big.begin(), big.end(), [&](std::int32_t a, std::int32_t b) {
    return centroid_lps(a)[0] < centroid_lps(b)[0];
  });
  // With three or more bones in view the ilia are the two most lateral and the sacrum is
  // everything between them: it can come in pieces, as the sacral canal and the foramina cut
  // its posterior arch off the body. With two, A and B are told apart after the joint is found
  // (the sacrum is the medial one).
  const bool sacrum_known = big.size() >= 3;
  std::vector<std::int32_t> bone_a, bone_b;  // A: sacrum (or candidate), B: ilia (or the other)
  if (sacrum_known) {
    bone_a.assign(big.begin() + 1, big.end() - 1);
    bone_b = {big.front(), big.back()};
  } else {
    bone_a = {big[0]};
    bone_b = {big[1]};
  }

  // 4. The working box: where A and B face each other.
  Box box2;
  if (sacrum_known) {
    for (const std::int32_t piece : bone_a) {
      box2 = Box::hull(box2, stats_box(stats[static_cast<std::size_t>(piece - 1)], box1.lo));
    }
    box2 = box2.grown(vg, options.max_gap_mm + options.box_margin_mm, box1);
  } else {
    const Box a = stats_box(stats[static_cast<std::size_t>(bone_a[0] - 1)], box1.lo).grown(vg, options.max_gap_mm, box1);
    const Box b = stats_box(stats[static_cast<std::size_t>(bone_b[0] - 1)], box1.lo).grown(vg, options.max_gap_mm, box1);
    box2 = a.intersect(b).grown(vg, options.box_margin_mm, box1);
  }
  if (box2.empty()) return result;
  // Distances to bone A over that box also tell where B comes within a joint's width of A (the
  // joints' few centimetres of a long scan): only there can a joint space lie, and the rest of
  // the work shrinks to that part.
  const auto in = [](const std::vector<std::int32_t>& set, std::int32_t v) {
    return std::find(set.begin(), set.end(), v) != set.end();
  };
  std::vector<float> d_a_wide;
  const Box wide = box2;
  {
    const Grid gw = wide.grid(vg);
    const std::vector<std::int32_t> labels_wide = crop(labels1, g1, box1.lo, wide);
    std::vector<std::uint8_t> mask_a_wide(labels_wide.size());
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < gw.voxel_count(); ++i) {
      const std::int32_t l = labels_wide[static_cast<std::size_t>(i)];
      mask_a_wide[static_cast<std::size_t>(i)] = l != 0 && in(bone_a, l);
    }
    k_distance(backend, mask_a_wide, d_a_wide, gw);
    // The largest separation the joint-space search accepts (first pass), measured to eroded
    // cores when the split needed an erosion; around the needle, more (see gap_candidates).
    const double reach = options.max_gap_mm + 2.0 * erosion_mm + 2.0 * std::max(vg.sx_mm, vg.sy_mm);
    const double zone_slack = 2.0 * (options.metal_margin_mm + options.bloom_radius_mm);
    Box facing = facing_region(d_a_wide, labels_wide, gw, bone_b, reach, crop(metal_grown, g1, box1.lo, wide),
                               reach + zone_slack);
    if (facing.empty()) return result;
    for (int a = 0; a < 3; ++a) {
      facing.lo[a] += wide.lo[a];
      facing.hi[a] += wide.lo[a];
    }
    box2 = wide.intersect(facing.grown(vg, options.box_margin_mm, wide));
  }
  if (box2.empty()) return result;
  step_done("bone_split");

  Work w;
  w.volume = &volume;
  w.options = options;
  w.box = box2;
  w.grid = box2.grid(vg);
  w.s_inplane = 0.5 * (vg.sx_mm + vg.sy_mm);
  const Grid& g = w.grid;
  w.hu = crop(hu1, g1, box1.lo, box2);
  w.solid = crop(solid1, g1, box1.lo, box2);
  w.metal_zone = crop(metal_grown, g1, box1.lo, box2);
  // Bone edges cut by the margin tilt the nearest-surface directions a gap width further out.
  // (Grown in the joint's box: the fence rods on the skin make the metal's box most of the scan.)
  w.steel_reach = grown_in_own_box(backend, crop(metal, g1, box1.lo, box2), g,
                                   options.metal_margin_mm + options.steel_reach_mm);
  w.zone_radius_mm = options.metal_margin_mm + options.bloom_radius_mm;
  const std::vector<std::int32_t> labels2 = crop(labels1, g1, box1.lo, box2);
  std::vector<std::uint8_t> mask_a(labels2.size()), mask_b(labels2.size());
  for (std::size_t i = 0; i < labels2.size(); ++i) {
    mask_a[i] = labels2[i] != 0 && in(bone_a, labels2[i]);
    mask_b[i] = labels2[i] != 0 && in(bone_b, labels2[i]);
  }
  // Bone for the "not bone" test: the two bones only, so that bright debris (metal streaks,
  // calcifications) in the gap does not punch holes in the joint space. After an erosion
  // split the cores are smaller than the bones: then every bone voxel counts.
  if (erosion_mm == 0) {
    for (std::size_t i = 0; i < labels2.size(); ++i) w.solid[i] = mask_a[i] | mask_b[i];
  }
  w.d_a = crop(d_a_wide, wide.grid(vg), wide.lo, box2);
  k_distance(backend, mask_b, w.d_b, g);
  if (erosion_mm > 0) {
    const auto r = static_cast<float>(erosion_mm);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < g.voxel_count(); ++i) {
      float& a = w.d_a[static_cast<std::size_t>(i)];
      float& b = w.d_b[static_cast<std::size_t>(i)];
      a = std::max(0.0f, a - r);
      b = std::max(0.0f, b - r);
    }
  }

  w.d_a_smooth = smoothed_in_plane(w.d_a, g, options.facing_smoothing_passes);
  w.d_b_smooth = smoothed_in_plane(w.d_b, g, options.facing_smoothing_passes);
  step_done("bone_distances");

  // 5. First pass: gap voxels up to the largest joint width; their mid-surface profiles give
  //    each joint's gap width, which bounds its extent in the second pass (the bones part
  //    outside the joint).
  // The sacrum's centre (volume-weighted over its pieces) splits left from right.
  P3 sacrum_c{0, 0, 0};
  {
    double total = 0.0;
    for (const std::int32_t piece : bone_a) {
      const double n = static_cast<double>(stats[static_cast<std::size_t>(piece - 1)].voxel_count);
      const P3 c = centroid_lps(piece);
      for (int k = 0; k < 3; ++k) sacrum_c[k] += n * c[k];
      total += n;
    }
    for (double& v : sacrum_c) v /= total;
  }
  const double split_x = sacrum_known ? sacrum_c[0] : -1e300;  // one pair: one side
  const double first_limit = options.max_gap_mm + w.s_inplane;
  const double first_limits[2] = {first_limit, first_limit};
  std::vector<std::uint8_t> gap = gap_candidates(w, first_limits, split_x);
  std::vector<std::int32_t> gap_labels;
  std::int32_t gap_count = 0;
  std::vector<int> piece_joint;
  const auto piece_lps = [&](const ComponentStats& s) {
    return box_to_lps(vg, volume.affine, box2, s.centroid_mm[0] / vg.sx_mm, s.centroid_mm[1] / vg.sy_mm,
                      s.centroid_mm[2] / vg.sz_mm);
  };
  // Components of `gap`; piece_joint[k]: 0 left (or the one pair), 1 right, -1 dropped.
  const auto split_pieces = [&] {
    std::vector<ComponentStats> gap_stats;
    gap_count = k_label_stats(backend, gap, gap_labels, g, Connectivity::Full26, gap_stats);
    piece_joint.assign(static_cast<std::size_t>(gap_count) + 1, -1);
    for (std::int32_t k = 1; k <= gap_count; ++k) {
      const ComponentStats& s = gap_stats[static_cast<std::size_t>(k - 1)];
      if (s.voxel_count * voxel_ml < options.min_joint_ml) continue;
      piece_joint[static_cast<std::size_t>(k)] = piece_lps(s)[0] > split_x ? 0 : 1;
    }
  };
  split_pieces();
  double limits[2] = {first_limit, first_limit};
  double width_side[2] = {0, 0};
  {
    std::vector<std::uint8_t> side_of(gap.size(), 0);
    for (std::size_t i = 0; i < gap.size(); ++i) {
      const std::int32_t l = gap_labels[i];
      if (l != 0 && piece_joint[static_cast<std::size_t>(l)] >= 0) side_of[i] = static_cast<std::uint8_t>(1 + piece_joint[static_cast<std::size_t>(l)]);
    }
    const std::vector<std::uint8_t> mid1 = mid_surface_of(w, gap);
    for (int side = 0; side < 2; ++side) {
      const std::vector<GapProfile> first = profiles(w, mid1, &side_of, static_cast<std::uint8_t>(side + 1), 1500);
      if (first.empty()) continue;
      width_side[side] = median_width(first);
      limits[side] = std::min(first_limit, options.extent_factor * width_side[side] + w.s_inplane);
    }
  }
  if (width_side[0] == 0 && width_side[1] == 0) return result;
  w.width[0] = width_side[0];
  w.width[1] = width_side[1];
  gap = gap_candidates(w, limits, split_x);

  // 6. Clean by components.
  split_pieces();
  step_done("joint_space");

  // 7. Joints: side, geometry, width.
  result.box_min[0] = box2.lo[0];
  result.box_min[1] = box2.lo[1];
  result.box_min[2] = box2.lo[2];
  result.mask_grid = g;
  result.joint_label.assign(gap.size(), 0);
  result.bone_mask.assign(gap.size(), 0);
  std::vector<std::uint8_t> joint_mask(gap.size(), 0);
  const int joint_slots = sacrum_known ? 2 : 1;
  std::vector<std::vector<std::int64_t>> members(static_cast<std::size_t>(joint_slots));
  for (std::int64_t i = 0; i < g.voxel_count(); ++i) {
    const std::int32_t l = gap_labels[static_cast<std::size_t>(i)];
    if (l == 0) continue;
    const int j = piece_joint[static_cast<std::size_t>(l)];
    if (j < 0) continue;
    members[static_cast<std::size_t>(j)].push_back(i);
  }
  // LPS voxel centres per joint; behind the opening in the slices by the steel: dropped.
  std::vector<std::vector<std::array<float, 3>>> member_pts(members.size());
  SteelSliceTrim trim_options;
  trim_options.tolerance_mm = 0.5 * w.s_inplane;
  for (std::size_t j = 0; j < members.size(); ++j) {
    std::vector<std::array<float, 3>> pts;
    pts.reserve(members[j].size());
    for (const std::int64_t i : members[j]) {
      std::int32_t x, y, z;
      g.coords(i, x, y, z);
      const P3 p = box_to_lps(vg, volume.affine, box2, x, y, z);
      pts.push_back({float(p[0]), float(p[1]), float(p[2])});
    }
    const std::vector<std::size_t> kept = trim_steel_slices(members[j], pts, g, w.steel_reach, trim_options);
    std::vector<std::int64_t> vox;
    vox.reserve(kept.size());
    for (const std::size_t k : kept) {
      vox.push_back(members[j][k]);
      member_pts[j].push_back(pts[k]);
      joint_mask[static_cast<std::size_t>(members[j][k])] = 1;
    }
    members[j] = std::move(vox);
  }
  std::vector<std::uint8_t> mid = mid_surface_of(w, joint_mask);

  bool a_is_sacrum = true;
  bool midline_done = false;
  anatomy::BodyMidline midline;
  for (int j = 0; j < joint_slots; ++j) {
    const auto& vox = members[static_cast<std::size_t>(j)];
    if (vox.empty()) continue;
    JointFinding f;
    f.voxels = static_cast<std::int64_t>(vox.size());
    f.volume_ml = f.voxels * voxel_ml;
    // Centroid and the in-plane principal axis (LPS x, y).
    std::vector<std::array<float, 3>>& pts = member_pts[static_cast<std::size_t>(j)];
    P3 c{0, 0, 0};
    double zmin = 1e300, zmax = -1e300;
    for (const auto& p : pts) {
      for (int a = 0; a < 3; ++a) c[a] += p[static_cast<std::size_t>(a)];
      zmin = std::min(zmin, double(p[2]));
      zmax = std::max(zmax, double(p[2]));
    }
    for (int a = 0; a < 3; ++a) c[a] /= static_cast<double>(vox.size());
    if (options.check_anatomy) {
      if (!midline_done) {
        midline = anatomy::body_midline(volume, options.anatomy.body_threshold_hu);
        midline_done = true;
      }
      const AnatomyVerdict anatomy = check_sacroiliac_anatomy(volume, c.data(), midline, options.anatomy, backend);
      if (!anatomy.plausible) {
        for (const std::int64_t i : vox) joint_mask[static_cast<std::size_t>(i)] = 0;
        result.rejected.push_back(anatomy.reason);
        continue;
      }
    }
    const P3 axis = in_plane_axis(pts);
    std::copy(c.begin(), c.end(), f.centroid_mm);
    std::copy(axis.begin(), axis.end(), f.axis_anterior);
    f.craniocaudal_extent_mm = zmax - zmin + vg.sz_mm;
    if (sacrum_known) {
      f.side = j == 0 ? "left" : "right";
    } else {
      // The joint runs from its posterior opening anteriorly and laterally: +x lateral means
      // the patient's left. The ilium is the bone on the lateral side.
      const bool left = axis[0] > 0;
      f.side = left ? "left" : "right";
      const double ax = centroid_lps(bone_a[0])[0], bx = centroid_lps(bone_b[0])[0];
      a_is_sacrum = left ? ax < bx : ax > bx;
    }
    // Width from profiles across this joint's mid-surface.
    std::vector<std::uint8_t> mid_j(mid.size(), 0);
    for (const std::int64_t i : vox) mid_j[static_cast<std::size_t>(i)] = mid[static_cast<std::size_t>(i)];
    const std::vector<GapProfile> ps = profiles(w, mid_j, nullptr, 0, 3000);
    std::vector<double> widths;
    for (const auto& p : ps) widths.push_back(p.width_mm);
    f.gap_width_mm = median_of(widths);
    f.gap_width_iqr_mm = quantile_of(widths, 0.75) - quantile_of(widths, 0.25);
    f.width_samples = static_cast<int>(widths.size());
    // Posterior opening: per slice, the joint voxels within 1 mm of the most posterior one.
    std::vector<OpeningPoint> opening;
    {
      std::vector<std::vector<std::size_t>> by_z(static_cast<std::size_t>(g.nz));
      for (std::size_t k = 0; k < vox.size(); ++k) {
        std::int32_t x, y, z;
        g.coords(vox[k], x, y, z);
        by_z[static_cast<std::size_t>(z)].push_back(k);
      }
      P3 sum{0, 0, 0};
      for (std::int32_t z = 0; z < g.nz; ++z) {
        const auto& ks = by_z[static_cast<std::size_t>(z)];
        if (ks.empty()) continue;
        double ymax = -1e300;
        for (const std::size_t k : ks) ymax = std::max(ymax, double(pts[k][1]));
        OpeningPoint o;
        o.z = z + box2.lo[2];
        int n = 0;
        for (const std::size_t k : ks) {
          if (pts[k][1] < ymax - 1.0) continue;
          for (int a = 0; a < 3; ++a) o.point_mm[a] += pts[k][static_cast<std::size_t>(a)];
          ++n;
        }
        for (double& v : o.point_mm) v /= n;
        for (int a = 0; a < 3; ++a) sum[a] += o.point_mm[a];
        opening.push_back(o);
      }
      for (int a = 0; a < 3; ++a) f.posterior_opening_mm[a] = sum[a] / static_cast<double>(opening.size());
    }
    for (const std::int64_t i : vox) result.joint_label[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(result.joints.size() + 1);
    result.joints.push_back(f);
    result.openings.push_back(std::move(opening));
    result.joint_points_mm.push_back(std::move(pts));
  }
  for (std::size_t i = 0; i < labels2.size(); ++i) {
    if (mask_a[i]) result.bone_mask[i] = a_is_sacrum ? 1 : 2;
    if (mask_b[i]) result.bone_mask[i] = a_is_sacrum ? 2 : 1;
  }
  result.mid_surface = std::move(mid);
  for (std::size_t i = 0; i < result.mid_surface.size(); ++i) result.mid_surface[i] &= joint_mask[i];
  step_done("joint_geometry");
  k_signed_distance(backend, joint_mask, result.joint_sdf_mm, g);
  step_done("joint_distance");
  return result;
}

}  // namespace sij::joint
