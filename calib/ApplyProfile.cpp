#include "calib/ApplyProfile.h"

#include <algorithm>
#include <cmath>

namespace sij::calib {

void apply_profile(const ScannerProfile& profile, analysis::AnalyzeOptions& options) {
  const Thresholds& t = profile.thresholds;
  needle::NeedleOptions& n = options.needle;
  n.metal_threshold_hu = t.metal_hu;
  n.refine_floor_hu = t.metal_refine_floor_hu;
  n.body_threshold_hu = t.body_hu;
  n.needle_diameter_mm = profile.needle.outer_diameter_mm;

  joint::JointOptions& j = options.joint;
  j.bone_threshold_hu = t.cancellous_bone_hu;
  j.cortical_threshold_hu = t.cortical_bone_hu;
  j.split_threshold_hu = t.bone_split_hu;
  j.metal_threshold_hu = t.metal_removal_hu;
  // The joint stage removes steel within this radius of the needle axis; a calibrated
  // blooming diameter says how far the steel's glow reaches on this scanner.
  if (profile.needle.blooming_diameter_mm) {
    j.bloom_radius_mm = std::max(0.5 * profile.needle.outer_diameter_mm, 0.5 * *profile.needle.blooming_diameter_mm);
  }
  gas::GasOptions& g = options.gas;
  g.core_threshold_hu = t.gas_core_hu;
  g.edge_threshold_hu = t.gas_edge_hu;
  g.body_threshold_hu = t.body_hu;
  g.air_hu = static_cast<float>(profile.reference.air_hu);
}

std::int64_t apply_hu_correction(const HuCorrection& correction, Volume& volume) {
  if (correction.is_identity()) return 0;
  std::int64_t changed = 0;
  const std::int64_t n = static_cast<std::int64_t>(volume.hu.size());
#pragma omp parallel for reduction(+ : changed) schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = correction.apply(volume.hu[static_cast<std::size_t>(i)]);
    const auto out = static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L));
    changed += out != volume.hu[static_cast<std::size_t>(i)];
    volume.hu[static_cast<std::size_t>(i)] = out;
  }
  return changed;
}

}  // namespace sij::calib
