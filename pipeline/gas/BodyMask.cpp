#include "pipeline/gas/BodyMask.h"

#include "pipeline/joint/KernelCalls.h"

namespace sij::gas {

std::vector<std::uint8_t> body_mask(const Volume& volume, const GasOptions& options) {
  const Backend backend = options.backend;
  std::vector<std::uint8_t> above, filled;
  joint::k_threshold(backend, volume.hu, above,
                     HuRange{static_cast<std::int16_t>(options.body_threshold_hu + 1), 32767});
  joint::k_fill_holes_per_slice(backend, above, filled, volume.grid);
  std::vector<std::int32_t> labels;
  const std::int32_t count = joint::k_label(backend, filled, labels, volume.grid, Connectivity::Face6);
  std::vector<std::uint8_t> body(filled.size(), 0);
  if (count == 0) return body;
  const auto stats = joint::k_stats(backend, labels, volume.grid, count);
  std::int32_t largest = 1;
  for (std::int32_t k = 1; k <= count; ++k) {
    if (stats[static_cast<std::size_t>(k - 1)].voxel_count > stats[static_cast<std::size_t>(largest - 1)].voxel_count) largest = k;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(body.size()); ++i) body[i] = labels[i] == largest;
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
