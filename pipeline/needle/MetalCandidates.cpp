#include "pipeline/needle/MetalCandidates.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/linefit/SymmetricEigen3.h"
#include "pipeline/sparse/RunMask.h"

namespace sij::needle {
namespace {

constexpr double kPi = 3.14159265358979323846;

// A fence rod: long (at least 8 mm), much longer than thick, and along z.
constexpr double kRodMinLengthMm = 8.0;
constexpr double kRodMinElongation = 4.0;  // length / thickness

// Hardware: thicker, fatter or heavier than any 22G shaft with its blooming (NeedleOptions); the
// bounds grow with the voxel so that a needle on a coarse grid (a row of 3 mm voxels) is not
// mistaken for a screw.
bool too_much_metal_for_a_needle(const MetalComponent& c, const Grid& g, const NeedleOptions& options) {
  const double s_max = std::max({g.sx_mm, g.sy_mm, g.sz_mm});
  const double max_thickness = std::max(options.max_needle_thickness_mm, 1.5 * s_max);
  const double max_area = std::max(options.max_needle_cross_section_mm2, 1.5 * g.sx_mm * g.sy_mm);
  return c.thickness_mm > max_thickness || c.cross_section_mm2 > max_area || c.volume_ml > options.max_needle_metal_ml;
}

// LPS centroid and bounding box (of the box's eight corners) of a component.
void place_in_lps(MetalComponent& c, const ComponentStats& s, const Volume& volume) {
  const Grid& g = volume.grid;
  const double centroid_idx[3] = {s.centroid_mm[0] / g.sx_mm, s.centroid_mm[1] / g.sy_mm, s.centroid_mm[2] / g.sz_mm};
  volume.affine.index_to_physical(g, centroid_idx, c.centroid_mm);
  for (int a = 0; a < 3; ++a) {
    c.box_min_mm[a] = 1e300;
    c.box_max_mm[a] = -1e300;
  }
  for (int corner = 0; corner < 8; ++corner) {
    const double idx[3] = {double((corner & 1) ? s.max_index[0] : s.min_index[0]),
                           double((corner & 2) ? s.max_index[1] : s.min_index[1]),
                           double((corner & 4) ? s.max_index[2] : s.min_index[2])};
    double p[3];
    volume.affine.index_to_physical(g, idx, p);
    for (int a = 0; a < 3; ++a) {
      c.box_min_mm[a] = std::min(c.box_min_mm[a], p[a]);
      c.box_max_mm[a] = std::max(c.box_max_mm[a], p[a]);
    }
  }
}

MetalComponent describe(const ComponentStats& s, const Volume& volume, double rod_angle_deg) {
  MetalComponent c;
  c.voxel_count = s.voxel_count;
  const double* v = s.covariance_mm2;
  const double m[3][3] = {{v[0], v[1], v[2]}, {v[1], v[3], v[4]}, {v[2], v[4], v[5]}};
  const detail::SymmetricEigen3 e = detail::symmetric_eigen3(m);
  c.length_mm = std::sqrt(12.0 * std::max(0.0, e.values[0]));
  c.thickness_mm = std::sqrt(12.0 * std::max(0.0, e.values[1]));
  // The covariance is in index axes scaled by the spacing: map the axis to LPS.
  const double* d = volume.affine.direction;
  for (int r = 0; r < 3; ++r)
    c.axis_lps[r] = d[r * 3] * e.vectors[0][0] + d[r * 3 + 1] * e.vectors[0][1] + d[r * 3 + 2] * e.vectors[0][2];
  const double n = std::sqrt(c.axis_lps[0] * c.axis_lps[0] + c.axis_lps[1] * c.axis_lps[1] +
                             c.axis_lps[2] * c.axis_lps[2]);
  for (double& a : c.axis_lps) a /= n > 0 ? n : 1.0;
  c.angle_to_z_deg = std::acos(std::min(1.0, std::fabs(c.axis_lps[2]))) * 180.0 / kPi;
  c.rod = c.length_mm >= kRodMinLengthMm &&
          c.length_mm >= kRodMinElongation * std::max(c.thickness_mm, 1e-3) &&
          parallel_to_z(c.axis_lps, rod_angle_deg);
  const Grid& g = volume.grid;
  c.volume_ml = static_cast<double>(s.voxel_count) * g.sx_mm * g.sy_mm * g.sz_mm * 1e-3;
  // Volume over length, the length no shorter than a voxel (a blob is as fat as it is long).
  c.cross_section_mm2 = c.volume_ml * 1e3 / std::max(c.length_mm, double(std::min({g.sx_mm, g.sy_mm, g.sz_mm})));
  place_in_lps(c, s, volume);
  return c;
}

}  // namespace

bool parallel_to_z(const double direction[3], double max_angle_deg) {
  return std::fabs(direction[2]) >= std::cos(max_angle_deg * kPi / 180.0);
}

MetalCandidates extract_metal_candidates(const VolumeOnBackend& vb, const NeedleOptions& options) {
  MetalCandidates out;
  const Volume& volume = vb.host();
  const Grid& grid = volume.grid;
  if (grid.voxel_count() == 0) return out;

  // Steel is a few thousand voxels of a scan: label its runs on the host (RunMask.h) rather than
  // a full-volume label array, on either backend.
  const std::int16_t threshold = options.metal_threshold_hu;
  const RunMask metal = build_run_mask_by_rows(grid, [&](std::int32_t y, std::int32_t z, std::vector<Run>& runs) {
    append_spans(volume.hu.data() + grid.index(0, y, z), 0, grid.nx,
                 [threshold](std::int16_t hu) { return hu >= threshold; }, runs);
  });
  std::int32_t count = 0;
  const std::vector<std::int32_t> run_label = label_runs(metal, Connectivity::Full26, count);
  if (count == 0) return out;
  const std::vector<ComponentStats> stats = run_component_stats(metal, run_label, count);

  // Keep every component that is neither a rod nor hardware.
  std::vector<char> keep(static_cast<std::size_t>(count) + 1, 0);
  for (std::int32_t k = 0; k < count; ++k) {
    MetalComponent c = describe(stats[static_cast<std::size_t>(k)], volume, options.rod_max_angle_to_z_deg);
    c.hardware = !c.rod && too_much_metal_for_a_needle(c, grid, options);
    if (c.rod) {
      ++out.rods_rejected;
    } else if (c.hardware) {
      ++out.hardware_rejected;
    } else {
      keep[static_cast<std::size_t>(k) + 1] = 1;
    }
    out.components.push_back(c);
  }

  // Points component by component (label order), each in raster order, as the line fit has
  // always received them.
  std::vector<std::vector<std::pair<std::int64_t, Run>>> runs_of(static_cast<std::size_t>(count) + 1);
  for (std::int32_t z = 0; z < grid.nz; ++z) {
    for (std::int32_t y = 0; y < grid.ny; ++y) {
      const std::int64_t r = metal.row(y, z);
      for (auto k = metal.row_start[static_cast<std::size_t>(r)]; k < metal.row_start[static_cast<std::size_t>(r + 1)]; ++k) {
        const std::int32_t label = run_label[static_cast<std::size_t>(k)];
        if (keep[static_cast<std::size_t>(label)]) {
          runs_of[static_cast<std::size_t>(label)].emplace_back(grid.index(0, y, z), metal.runs[static_cast<std::size_t>(k)]);
        }
      }
    }
  }
  const double thr = options.metal_threshold_hu;
  for (const auto& runs : runs_of) {
    for (const auto& [row_index, run] : runs) {
      for (std::int32_t x = run.x0; x < run.x1; ++x) {
        const std::int64_t i = row_index + x;
        std::int32_t xi, yi, zi;
        grid.coords(i, xi, yi, zi);
        const double idx[3] = {double(xi), double(yi), double(zi)};
        double p[3];
        volume.affine.index_to_physical(grid, idx, p);
        out.points_mm.insert(out.points_mm.end(), {float(p[0]), float(p[1]), float(p[2])});
        const std::int16_t hu = volume.hu[static_cast<std::size_t>(i)];
        out.weights.push_back(static_cast<float>(hu - thr + 1.0));
        out.max_hu = std::max(out.max_hu, hu);
      }
    }
  }
  // Clipping: a scanner range that saturates steel leaves many candidates at exactly the top.
  std::int64_t at_max = 0;
  for (float w : out.weights)
    if (w == static_cast<float>(out.max_hu - thr + 1.0)) ++at_max;
  out.any_clipped = !out.weights.empty() && at_max * 10 >= static_cast<std::int64_t>(out.weights.size());
  return out;
}

}  // namespace sij::needle
