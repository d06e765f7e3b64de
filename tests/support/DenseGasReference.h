// The gas stage's body mask and air components as the dense kernels compute them, voxel by
// voxel over the whole grid: threshold -> fill_holes_per_slice -> 6-connected labelling ->
// largest component; hysteresis inside the body -> 26-connected labelling -> component_stats.
// The run-based pipeline/gas code must give the same answer (tests/gas_run_mask_test.cpp), and
// bench/gas_bench.cpp times both side by side.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/classify/Hysteresis.h"
#include "pipeline/Volume.h"
#include "pipeline/gas/GasOptions.h"
#include "pipeline/joint/KernelCalls.h"

namespace sij::test {

inline std::vector<std::uint8_t> dense_body(const Volume& v, const gas::GasOptions& o) {
  std::vector<std::uint8_t> above, filled;
  joint::k_threshold(Backend::Cpu, v.hu, above, HuRange{static_cast<std::int16_t>(o.body_threshold_hu + 1), 32767});
  joint::k_fill_holes_per_slice(Backend::Cpu, above, filled, v.grid);
  std::vector<std::int32_t> labels;
  const std::int32_t count = joint::k_label(Backend::Cpu, filled, labels, v.grid, Connectivity::Face6);
  std::vector<std::uint8_t> body(filled.size(), 0);
  if (count == 0) return body;
  const auto stats = joint::k_stats(Backend::Cpu, labels, v.grid, count);
  std::int32_t largest = 1;
  for (std::int32_t k = 1; k <= count; ++k) {
    if (stats[static_cast<std::size_t>(k - 1)].voxel_count > stats[static_cast<std::size_t>(largest - 1)].voxel_count) largest = k;
  }
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = labels[i] == largest;
  return body;
}

struct DenseAir {
  std::vector<std::int32_t> labels;
  std::int32_t count = 0;
  std::vector<ComponentStats> stats;
};

inline DenseAir dense_air(const Volume& v, const std::vector<std::uint8_t>& body, const gas::GasOptions& o) {
  std::vector<std::int16_t> inside(v.hu.size());
  for (std::size_t i = 0; i < inside.size(); ++i) inside[i] = body[i] ? v.hu[i] : std::int16_t{1000};
  std::vector<std::uint8_t> air(inside.size());
  hysteresis_mask(Backend::Cpu, inside.data(), air.data(), v.grid, HuRange{-32768, o.core_threshold_hu},
                  HuRange{-32768, o.edge_threshold_hu}, Connectivity::Full26);
  DenseAir out;
  out.count = joint::k_label(Backend::Cpu, air, out.labels, v.grid, Connectivity::Full26);
  if (out.count > 0) out.stats = joint::k_stats(Backend::Cpu, out.labels, v.grid, out.count);
  return out;
}

}  // namespace sij::test
