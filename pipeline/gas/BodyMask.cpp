#include "pipeline/gas/BodyMask.h"

namespace sij::gas {
namespace {

// Slice z of the hole-filled mask: background (HU <= threshold) that cannot reach the slice's
// border through 4-connected background is a hole and becomes foreground, as
// kernels/morphology's fill_holes_per_slice does.
void filled_slice(const Volume& volume, std::int16_t threshold, std::int32_t z, std::vector<Run>& out,
                  std::int64_t* row_counts) {
  const Grid& g = volume.grid;
  // The slice's background as a one-slice run mask: its face-connected components are the
  // slice's 4-connected background regions.
  const Grid slice_grid{g.nx, g.ny, 1, g.sx_mm, g.sy_mm, g.sz_mm};
  const RunMask background = build_run_mask_by_rows(slice_grid, [&](std::int32_t y, std::int32_t, std::vector<Run>& runs) {
    append_spans(volume.hu.data() + volume.grid.index(0, y, z), 0, g.nx,
                 [threshold](std::int16_t hu) { return hu <= threshold; }, runs);
  });
  std::int32_t count = 0;
  const std::vector<std::int32_t> label = label_runs(background, Connectivity::Face6, count);
  std::vector<std::uint8_t> outside(static_cast<std::size_t>(count) + 1, 0);
  for (std::int32_t y = 0; y < g.ny; ++y) {
    for (auto k = background.row_start[static_cast<std::size_t>(y)]; k < background.row_start[static_cast<std::size_t>(y + 1)]; ++k) {
      const Run& r = background.runs[static_cast<std::size_t>(k)];
      if (y == 0 || y == g.ny - 1 || r.x0 == 0 || r.x1 == g.nx) outside[static_cast<std::size_t>(label[static_cast<std::size_t>(k)])] = 1;
    }
  }
  // Foreground: everything between the outside background runs.
  for (std::int32_t y = 0; y < g.ny; ++y) {
    const std::size_t before = out.size();
    std::int32_t x = 0;
    for (auto k = background.row_start[static_cast<std::size_t>(y)]; k < background.row_start[static_cast<std::size_t>(y + 1)]; ++k) {
      if (!outside[static_cast<std::size_t>(label[static_cast<std::size_t>(k)])]) continue;
      const Run& r = background.runs[static_cast<std::size_t>(k)];
      if (r.x0 > x) out.push_back(Run{x, r.x0});
      x = r.x1;
    }
    if (x < g.nx) out.push_back(Run{x, g.nx});
    row_counts[y] = static_cast<std::int64_t>(out.size() - before);
  }
}

}  // namespace

Body find_body(const Volume& volume, const GasOptions& options) {
  Body body;
  const RunMask filled = build_run_mask(volume.grid, [&](std::int32_t z, std::vector<Run>& out, std::int64_t* row_counts) {
    filled_slice(volume, options.body_threshold_hu, z, out, row_counts);
  });
  std::int32_t count = 0;
  const std::vector<std::int32_t> label = label_runs(filled, Connectivity::Face6, count);
  std::int32_t largest = 0;
  if (count > 0) {
    std::vector<std::int64_t> size(static_cast<std::size_t>(count) + 1, 0);
    for (std::size_t k = 0; k < filled.runs.size(); ++k) size[static_cast<std::size_t>(label[k])] += filled.runs[k].x1 - filled.runs[k].x0;
    largest = 1;  // the first of equally large components, as the dense labelling picks
    for (std::int32_t k = 2; k <= count; ++k) {
      if (size[static_cast<std::size_t>(k)] > size[static_cast<std::size_t>(largest)]) largest = k;
    }
  }
  body.runs = select_runs(filled, label, [&](std::int32_t l) { return l == largest; });
  body.mask = body.runs.to_dense();
  return body;
}

bool touches_body_surface(const std::vector<std::uint8_t>& body, const Grid& grid,
                          const std::vector<std::int64_t>& voxels, double margin_mm) {
  const auto rx = static_cast<std::int32_t>(margin_mm / grid.sx_mm);
  const auto ry = static_cast<std::int32_t>(margin_mm / grid.sy_mm);
  for (const std::int64_t i : voxels) {
    std::int32_t x, y, z;
    grid.coords(i, x, y, z);
    for (std::int32_t v = y - ry; v <= y + ry; ++v) {
      for (std::int32_t u = x - rx; u <= x + rx; ++u) {
        // The edge of the field of view is not the body's surface.
        if (!grid.contains(u, v, z)) continue;
        if (!body[static_cast<std::size_t>(grid.index(u, v, z))]) return true;
      }
    }
  }
  return false;
}

}  // namespace sij::gas
