// Host-vector wrappers around the kernels for the joint stage: on the CPU backend the kernels
// run on the host arrays in place; on a device backend (CUDA, emulated) the arrays travel up
// and back (one copy each way).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"
#include "kernels/classify/Classify.h"
#include "kernels/core/Backend.h"
#include "kernels/core/Grid.h"

namespace sij::joint {

void k_threshold(Backend backend, const std::vector<std::int16_t>& hu, std::vector<std::uint8_t>& mask,
                 HuRange range);
void k_dilate(Backend backend, const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out,
              const Grid& grid, float radius_mm);
void k_erode(Backend backend, const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out,
             const Grid& grid, float radius_mm);
void k_fill_holes_per_slice(Backend backend, const std::vector<std::uint8_t>& in,
                            std::vector<std::uint8_t>& out, const Grid& grid);
std::int32_t k_label(Backend backend, const std::vector<std::uint8_t>& mask, std::vector<std::int32_t>& labels,
                     const Grid& grid, Connectivity connectivity);
// k_label then k_stats in one: on a device backend the labels stay there for the statistics
// and come down once (k_label + k_stats would send them back up). Returns the count.
std::int32_t k_label_stats(Backend backend, const std::vector<std::uint8_t>& mask,
                           std::vector<std::int32_t>& labels, const Grid& grid,
                           Connectivity connectivity, std::vector<ComponentStats>& stats);
std::vector<ComponentStats> k_stats(Backend backend, const std::vector<std::int32_t>& labels, const Grid& grid,
                                    std::int32_t count);
void k_distance(Backend backend, const std::vector<std::uint8_t>& mask, std::vector<float>& dist_mm,
                const Grid& grid);
void k_signed_distance(Backend backend, const std::vector<std::uint8_t>& mask, std::vector<float>& dist_mm,
                       const Grid& grid);

}  // namespace sij::joint
