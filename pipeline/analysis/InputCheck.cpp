#include "pipeline/analysis/InputCheck.h"

#include <algorithm>
#include <cstdio>
#include <cstdint>

namespace sij::analysis {

std::vector<std::string> ct_plausibility_warnings(const Volume& volume) {
  std::vector<std::string> warnings;
  if (volume.hu.empty()) return warnings;
  const auto [lo, hi] = std::minmax_element(volume.hu.begin(), volume.hu.end());
  const auto dense = std::count_if(volume.hu.begin(), volume.hu.end(), [](std::int16_t v) { return v > kCtDenseAboveHu; });
  const double dense_fraction = static_cast<double>(dense) / static_cast<double>(volume.hu.size());
  const std::string source = volume.meta.modality.empty()
                                 ? volume.meta.source_format + " file without a modality"
                                 : "Modality " + volume.meta.modality;
  char line[400];
  if (*lo > kCtAirFatBelowHu) {
    std::snprintf(line, sizeof line,
                  "this may not be CT in HU (%s): no voxel below %.0f HU (the lowest is %d), where a CT shows air or fat; "
                  "the needle, joint and gas results are meaningless unless it is",
                  source.c_str(), kCtAirFatBelowHu, int(*lo));
    warnings.emplace_back(line);
  }
  if (dense_fraction > kCtMaxDenseFraction) {
    std::snprintf(line, sizeof line,
                  "this may not be CT in HU (%s): %.1f %% of the voxels lie above %.0f HU (up to %d HU), where steel and "
                  "dense bone occupy well under %.1f %%; the needle, joint and gas results are meaningless unless it is",
                  source.c_str(), 100.0 * dense_fraction, kCtDenseAboveHu, int(*hi), 100.0 * kCtMaxDenseFraction);
    warnings.emplace_back(line);
  }
  return warnings;
}

bool injected_gas_reaches_scan_edge(const gas::GasFinding& finding) {
  const Grid& g = finding.grid;
  const std::size_t plane = static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny);
  if (g.nz <= 0 || finding.mask.size() != plane * static_cast<std::size_t>(g.nz)) return false;
  const auto slice_has_injected = [&](std::size_t z) {
    const auto first = finding.mask.begin() + static_cast<std::ptrdiff_t>(z * plane);
    return std::find(first, first + static_cast<std::ptrdiff_t>(plane), gas::kInjected) != first + static_cast<std::ptrdiff_t>(plane);
  };
  return slice_has_injected(0) || slice_has_injected(static_cast<std::size_t>(g.nz) - 1);
}

}  // namespace sij::analysis
