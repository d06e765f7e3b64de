#include "pipeline/gas/GasAnalyzer.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "pipeline/gas/AirSegmentation.h"
#include "pipeline/gas/BodyMask.h"
#include "pipeline/gas/InjectionSite.h"
#include "pipeline/gas/JointQuantities.h"
#include "pipeline/gas/PartialVolume.h"

namespace sij::gas {
namespace {

class StepClock {
 public:
  explicit StepClock(std::map<std::string, double>& out) : out_(out) {}
  void lap(const char* step) {
    const auto now = std::chrono::steady_clock::now();
    out_[step] = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
  }

 private:
  std::map<std::string, double>& out_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// The components worth a line in the report, largest first.
void summarize_components(GasFinding& f, const std::vector<GasComponent>& components, const GasOptions& options) {
  for (const auto& c : components) {
    if (c.cls == kNoGas || c.volume_ml < options.report_component_ml) continue;
    GasComponentSummary s;
    s.cls = c.cls;
    s.reason = c.reason;
    s.volume_ml = c.volume_ml;
    s.nearest_site_mm = c.nearest_site_mm;
    s.previous_air_fraction = c.previous_air_fraction;
    std::copy(std::begin(c.centroid_mm), std::end(c.centroid_mm), s.centroid_mm);
    f.components.push_back(std::move(s));
  }
  std::sort(f.components.begin(), f.components.end(),
            [](const GasComponentSummary& a, const GasComponentSummary& b) { return a.volume_ml > b.volume_ml; });
}

}  // namespace

GasAnalysis analyze_gas_detailed(const Volume& volume, const GasInputs& inputs, const GasOptions& options) {
  GasAnalysis out;
  GasFinding& f = out.finding;
  f.grid = volume.grid;
  f.affine = volume.affine;
  if (volume.grid.voxel_count() == 0 || volume.hu.size() != static_cast<std::size_t>(volume.grid.voxel_count())) return out;

  StepClock clock(out.timings_ms);
  const Body body = find_body(volume, options);
  clock.lap("body");
  const AirComponents air = segment_air(volume, body, options);
  clock.lap("air");
  out.components.resize(static_cast<std::size_t>(air.count));
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int32_t k = 0; k < air.count; ++k) {
    GasComponent& c = out.components[static_cast<std::size_t>(k)];
    c.label = k + 1;
    c.stats = air.stats[static_cast<std::size_t>(k)];
    measure_partial_volume(c, volume, air, body.mask, options);
    c.at_body_surface = touches_body_surface(body.mask, volume.grid, c.voxels, options.body_surface_mm);
  }
  clock.lap("partial_volume");

  std::optional<align::RigidTransform> previous_to_current;
  if (inputs.previous) {
    previous_to_current = inputs.previous->current_to_previous.inverse();
    f.aligned_to_previous = true;
    f.alignment_shift_mm = inputs.previous->current_to_previous.translation_mm();
  }
  const auto sites = injection_sites(inputs.needles, inputs.previous_needles,
                                     previous_to_current ? &*previous_to_current : nullptr);
  classify_components(out.components, volume, sites, inputs.previous ? &*inputs.previous : nullptr, options,
                      inputs.hardware);
  clock.lap("classify");

  // The per-voxel classes: the voxels that are mostly air (fraction >= 0.5), like a label map.
  if (options.keep_mask) {
    f.mask.assign(static_cast<std::size_t>(volume.grid.voxel_count()), kNoGas);
    for (const auto& c : out.components) {
      for (std::size_t k = 0; k < c.voxels.size(); ++k) {
        if (c.fractions[k] >= 0.5f) f.mask[static_cast<std::size_t>(c.voxels[k])] = c.cls;
      }
    }
  }
  for (const auto& c : out.components) {
    if (c.cls == kPreexisting) f.preexisting_ml += c.volume_ml;
  }
  summarize_components(f, out.components, options);
  measure_joint_relation(f, out.components, volume, inputs.joints, sites, options);
  clock.lap("relate");
  f.analysed = true;
  return out;
}

}  // namespace sij::gas
