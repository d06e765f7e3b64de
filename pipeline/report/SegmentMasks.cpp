#include "pipeline/report/SegmentMasks.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sij::report {
namespace {

// Splits the injected voxels by their relation to the joint spaces, like the gas stage.
void add_gas_segments(const analysis::ScanReport& report, const SegmentMaskOptions& options,
                      std::vector<SegmentMask>& out) {
  const auto& gas = report.gas;
  const Grid& g = report.grid;
  if (!gas.analysed || gas.mask.size() != static_cast<std::size_t>(g.voxel_count())) return;
  SegmentMask intra{SegmentKind::InjectedGasIntraArticular, "gas_intra_articular",
                    "injected gas, intra-articular",
                    "new gas inside a joint-space mask", "", 0, {}};
  SegmentMask peri{SegmentKind::InjectedGasPeriArticular, "gas_peri_articular",
                   "injected gas, peri-articular", "", "", 0, {}};
  peri.description = "new gas outside the joint space, within " +
                     std::to_string(static_cast<int>(std::lround(options.peri_articular_mm))) +
                     " mm of it";
  SegmentMask distant{SegmentKind::InjectedGasDistant, "gas_distant", "injected gas, distant",
                      "new gas farther from the joint space than the peri-articular margin", "",
                      0, {}};
  SegmentMask pre{SegmentKind::PreexistingGas, "gas_preexisting", "pre-existing gas",
                  "bowel gas or gas already present on an earlier scan", "", 0, {}};
  const joint::JointAnalysis* joints = report.joint_analysis.get();
  const std::uint8_t* mask = gas.mask.data();
  const std::int64_t n = g.voxel_count();
  for (std::int64_t i = 0; i < n; ++i) {
    // Gas is sparse: skip eight empty voxels at a time.
    if ((i & 7) == 0 && i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, mask + i, sizeof word);
      if (word == 0) {
        i += 7;
        continue;
      }
    }
    const std::uint8_t c = mask[i];
    if (c == gas::kNoGas || c == gas::kArtifact) continue;
    if (c == gas::kPreexisting) {
      pre.voxels.push_back(i);
      continue;
    }
    std::int32_t x, y, z;
    g.coords(i, x, y, z);
    int label = 0;
    double sdf = INFINITY;
    if (joints != nullptr) {
      const std::int32_t bx = x - joints->box_min[0], by = y - joints->box_min[1],
                         bz = z - joints->box_min[2];
      const Grid& b = joints->mask_grid;
      if (bx >= 0 && by >= 0 && bz >= 0 && bx < b.nx && by < b.ny && bz < b.nz) {
        const std::int64_t k = b.index(bx, by, bz);
        label = joints->joint_label[static_cast<std::size_t>(k)];
        if (!joints->joint_sdf_mm.empty()) sdf = joints->joint_sdf_mm[static_cast<std::size_t>(k)];
      }
    }
    if (label > 0) intra.voxels.push_back(i);
    else if (sdf <= options.peri_articular_mm) peri.voxels.push_back(i);
    else distant.voxels.push_back(i);
  }
  SegmentMask all{SegmentKind::InjectedGas, "gas_injected", "injected gas",
                  "new gas at the injection site, wherever it lies", "", 0, {}};
  all.voxels.reserve(intra.voxels.size() + peri.voxels.size() + distant.voxels.size());
  for (const auto* part : {&intra, &peri, &distant}) {
    all.voxels.insert(all.voxels.end(), part->voxels.begin(), part->voxels.end());
  }
  std::sort(all.voxels.begin(), all.voxels.end());
  for (auto* s : {&all, &intra, &peri, &distant, &pre}) {
    if (!s->voxels.empty()) out.push_back(std::move(*s));
  }
}

void add_joint_segments(const analysis::ScanReport& report, std::vector<SegmentMask>& out) {
  const joint::JointAnalysis* joints = report.joint_analysis.get();
  if (joints == nullptr) return;
  const Grid& g = report.grid;
  const Grid& b = joints->mask_grid;
  std::vector<SegmentMask> per_joint(joints->joints.size());
  for (std::size_t j = 0; j < joints->joints.size(); ++j) {
    const std::string& side = joints->joints[j].side;
    per_joint[j] = {SegmentKind::JointSpace, "joint_" + side, side + " sacroiliac joint space",
                    "non-bone voxels between sacrum and ilium (joint stage mask)", side, 0, {}};
  }
  for (std::int32_t z = 0; z < b.nz; ++z)
    for (std::int32_t y = 0; y < b.ny; ++y)
      for (std::int32_t x = 0; x < b.nx; ++x) {
        const std::uint8_t label = joints->joint_label[static_cast<std::size_t>(b.index(x, y, z))];
        if (label == 0 || label > per_joint.size()) continue;
        per_joint[label - 1].voxels.push_back(
            g.index(x + joints->box_min[0], y + joints->box_min[1], z + joints->box_min[2]));
      }
  for (auto& s : per_joint) {
    if (!s.voxels.empty()) out.push_back(std::move(s));
  }
}

double distance_to_segment(const double p[3], const double a[3], const double b[3]) {
  double ab[3], ap[3];
  for (int i = 0; i < 3; ++i) {
    ab[i] = b[i] - a[i];
    ap[i] = p[i] - a[i];
  }
  const double len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
  double t = len2 > 0 ? (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  double d2 = 0;
  for (int i = 0; i < 3; ++i) {
    const double e = ap[i] - t * ab[i];
    d2 += e * e;
  }
  return std::sqrt(d2);
}

void add_needle_segments(const analysis::ScanReport& report, const SegmentMaskOptions& options,
                         std::vector<SegmentMask>& out) {
  const Grid& g = report.grid;
  const double r = options.needle_radius_mm;
  for (const auto& entry : report.needles) {
    const auto& n = entry.needle;
    SegmentMask s{SegmentKind::Needle, "needle_" + std::to_string(n.id),
                  "needle " + std::to_string(n.id) + (n.side.empty() ? "" : " (" + n.side + ")"),
                  "", n.side, n.id, {}};
    char buf[160];
    std::snprintf(buf, sizeof buf, "voxels within %.1f mm of the needle axis from skin entry to tip", r);
    s.description = buf;
    // Index-space bounds of the segment, widened by the radius.
    double lo[3] = {1e30, 1e30, 1e30}, hi[3] = {-1e30, -1e30, -1e30};
    for (const double* p : {n.entry_mm, n.tip_mm}) {
      double idx[3];
      report.affine.physical_to_index(g, p, idx);
      for (int i = 0; i < 3; ++i) {
        lo[i] = std::min(lo[i], idx[i]);
        hi[i] = std::max(hi[i], idx[i]);
      }
    }
    const double spacing[3] = {g.sx_mm, g.sy_mm, g.sz_mm};
    const int dims[3] = {g.nx, g.ny, g.nz};
    int a[3], b[3];
    for (int i = 0; i < 3; ++i) {
      // The direction may be oblique: widen by the radius in every index direction.
      a[i] = std::max(0, static_cast<int>(std::floor(lo[i] - r / spacing[i] - 1)));
      b[i] = std::min(dims[i] - 1, static_cast<int>(std::ceil(hi[i] + r / spacing[i] + 1)));
    }
    for (int z = a[2]; z <= b[2]; ++z)
      for (int y = a[1]; y <= b[1]; ++y)
        for (int x = a[0]; x <= b[0]; ++x) {
          const double idx[3] = {double(x), double(y), double(z)};
          double p[3];
          report.affine.index_to_physical(g, idx, p);
          if (distance_to_segment(p, n.entry_mm, n.tip_mm) <= r) s.voxels.push_back(g.index(x, y, z));
        }
    std::sort(s.voxels.begin(), s.voxels.end());
    if (!s.voxels.empty()) out.push_back(std::move(s));
  }
}

}  // namespace

std::vector<SegmentMask> build_segment_masks(const analysis::ScanReport& report,
                                             const SegmentMaskOptions& options) {
  std::vector<SegmentMask> out;
  add_gas_segments(report, options, out);
  add_joint_segments(report, out);
  add_needle_segments(report, options, out);
  return out;
}

}  // namespace sij::report
