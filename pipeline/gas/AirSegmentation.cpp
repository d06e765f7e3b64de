#include "pipeline/gas/AirSegmentation.h"

#include "kernels/classify/Hysteresis.h"
#include "kernels/core/Buffer.h"
#include "pipeline/joint/KernelCalls.h"

namespace sij::gas {
namespace {

// Hysteresis on `backend` with host vectors.
void k_hysteresis(Backend backend, const std::vector<std::int16_t>& hu, std::vector<std::uint8_t>& out,
                  const Grid& grid, HuRange core, HuRange edge) {
  out.resize(hu.size());
  if (backend == Backend::Cpu) {
    hysteresis_mask(backend, hu.data(), out.data(), grid, core, edge, Connectivity::Full26);
    return;
  }
  const auto device_hu = Buffer<std::int16_t>::from_host(backend, hu);
  Buffer<std::uint8_t> device_out(backend, out.size());
  hysteresis_mask(backend, device_hu.data(), device_out.data(), grid, core, edge, Connectivity::Full26);
  device_out.copy_to_host(out.data());
}

}  // namespace

AirComponents segment_air(const Volume& volume, const std::vector<std::uint8_t>& body, const GasOptions& options) {
  // Outside the body reads as tissue, so the air around the patient (and the table's foam)
  // can neither be gas nor connect gas to anything.
  std::vector<std::int16_t> inside(volume.hu.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(inside.size()); ++i) {
    inside[i] = body[i] ? volume.hu[i] : std::int16_t{1000};
  }
  std::vector<std::uint8_t> air;
  k_hysteresis(options.backend, inside, air, volume.grid, HuRange{-32768, options.core_threshold_hu},
               HuRange{-32768, options.edge_threshold_hu});
  AirComponents out;
  out.count = joint::k_label(options.backend, air, out.labels, volume.grid, Connectivity::Full26);
  if (out.count > 0) out.stats = joint::k_stats(options.backend, out.labels, volume.grid, out.count);
  return out;
}

}  // namespace sij::gas
