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

}  // namespace sij::gas
