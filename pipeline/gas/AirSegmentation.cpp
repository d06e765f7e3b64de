#include "pipeline/gas/AirSegmentation.h"

#include <algorithm>

namespace sij::gas {

std::vector<std::int32_t> AirComponents::labels_in_box(const std::int32_t lo[3], const std::int32_t n[3]) const {
  std::vector<std::int32_t> out(static_cast<std::size_t>(n[0]) * n[1] * n[2], 0);
  for (std::int32_t z = 0; z < n[2]; ++z) {
    for (std::int32_t y = 0; y < n[1]; ++y) {
      const std::int64_t r = runs.row(lo[1] + y, lo[2] + z);
      std::int32_t* row = out.data() + (static_cast<std::size_t>(z) * n[1] + y) * n[0];
      for (auto k = runs.row_start[static_cast<std::size_t>(r)]; k < runs.row_start[static_cast<std::size_t>(r + 1)]; ++k) {
        const Run& run = runs.runs[static_cast<std::size_t>(k)];
        const std::int32_t x0 = std::max(run.x0, lo[0]), x1 = std::min(run.x1, lo[0] + n[0]);
        for (std::int32_t x = x0; x < x1; ++x) row[x - lo[0]] = run_label[static_cast<std::size_t>(k)];
      }
    }
  }
  return out;
}

AirComponents segment_air(const Volume& volume, const Body& body, const GasOptions& options) {
  // Candidates: body voxels at or below the edge level. Outside the body nothing is gas, so the
  // air around the patient (and the table's foam) can neither be gas nor connect gas to anything.
  const Grid& g = volume.grid;
  const RunMask candidates = build_run_mask_by_rows(g, [&](std::int32_t y, std::int32_t z, std::vector<Run>& out) {
    const std::int16_t* row = volume.hu.data() + g.index(0, y, z);
    const std::int64_t r = body.runs.row(y, z);
    for (auto k = body.runs.row_start[static_cast<std::size_t>(r)]; k < body.runs.row_start[static_cast<std::size_t>(r + 1)]; ++k) {
      const Run& b = body.runs.runs[static_cast<std::size_t>(k)];
      append_spans(row, b.x0, b.x1, [&](std::int16_t hu) { return hu <= options.edge_threshold_hu; }, out);
    }
  });
  std::int32_t count = 0;
  const std::vector<std::int32_t> label = label_runs(candidates, Connectivity::Full26, count);
  // Hysteresis: keep the components that hold a core voxel.
  std::vector<std::uint8_t> has_core(static_cast<std::size_t>(count) + 1, 0);
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const std::int16_t* row = volume.hu.data() + g.index(0, y, z);
      const std::int64_t r = candidates.row(y, z);
      for (auto k = candidates.row_start[static_cast<std::size_t>(r)]; k < candidates.row_start[static_cast<std::size_t>(r + 1)]; ++k) {
        std::uint8_t& flag = has_core[static_cast<std::size_t>(label[static_cast<std::size_t>(k)])];
        if (flag) continue;
        const Run& run = candidates.runs[static_cast<std::size_t>(k)];
        for (std::int32_t x = run.x0; x < run.x1 && !flag; ++x) flag = row[x] <= options.core_threshold_hu;
      }
    }
  }
  // The kept components keep their raster order: renumber them 1..K.
  std::vector<std::int32_t> renumber(static_cast<std::size_t>(count) + 1, 0);
  AirComponents out;
  for (std::int32_t k = 1; k <= count; ++k) {
    if (has_core[static_cast<std::size_t>(k)]) renumber[static_cast<std::size_t>(k)] = ++out.count;
  }
  std::vector<std::int32_t> kept_labels;
  out.runs = select_runs(candidates, label, [&](std::int32_t l) { return renumber[static_cast<std::size_t>(l)] != 0; },
                         &kept_labels);
  out.run_label.reserve(kept_labels.size());
  for (const std::int32_t l : kept_labels) out.run_label.push_back(renumber[static_cast<std::size_t>(l)]);
  out.stats = run_component_stats(out.runs, out.run_label, out.count);
  return out;
}

}  // namespace sij::gas
