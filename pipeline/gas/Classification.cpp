#include "pipeline/gas/Classification.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/sampling/Sampling.h"

namespace sij::gas {
namespace {

constexpr const char* kArtifactReason = "dark metal-artifact streak (beside the steel or flat in its slices)";

bool is_artifact(const GasComponent& c, const Volume& volume, const std::vector<InjectionSite>& sites,
                 const GasOptions& options) {
  // The component's LPS z range (voxel centres).
  const double lo_idx[3] = {0, 0, double(c.stats.min_index[2])}, hi_idx[3] = {0, 0, double(c.stats.max_index[2])};
  double lo[3], hi[3];
  volume.affine.index_to_physical(volume.grid, lo_idx, lo);
  volume.affine.index_to_physical(volume.grid, hi_idx, hi);
  const double z_min = std::min(lo[2], hi[2]), z_max = std::max(lo[2], hi[2]);
  const double thickness_mm = z_max - z_min + volume.grid.sz_mm;
  for (const auto& site : sites) {
    if (!site.needle_in_scan) continue;
    // Streaks radiate across the whole slice the steel crosses: a flat component inside the
    // needle's slices is a streak wherever it lies.
    const double needle_lo = std::min(site.entry_mm[2], site.tip_mm[2]) - volume.grid.sz_mm;
    const double needle_hi = std::max(site.entry_mm[2], site.tip_mm[2]) + volume.grid.sz_mm;
    if (thickness_mm <= options.artifact_max_thickness_mm && z_min >= needle_lo && z_max <= needle_hi) return true;
    if (distance_to_needle(site, c.centroid_mm, options.artifact_beyond_tip_mm) > options.artifact_axis_mm) continue;
    if (c.slices <= options.artifact_max_slices || c.volume_ml < options.artifact_max_ml) return true;
  }
  return false;
}

constexpr const char* kHardwareReason = "dark streak beside orthopaedic hardware (metal that is not a needle)";

// Distance from p to an axis-aligned LPS box (0 inside).
double distance_to_box(const double p[3], const double lo[3], const double hi[3]) {
  double sq = 0;
  for (int a = 0; a < 3; ++a) {
    const double d = std::max({lo[a] - p[a], 0.0, p[a] - hi[a]});
    sq += d * d;
  }
  return std::sqrt(sq);
}

bool beside_hardware(const GasComponent& c, const std::vector<needle::MetalObject>& hardware, const GasOptions& options) {
  for (const auto& metal : hardware) {
    if (distance_to_box(c.centroid_mm, metal.box_min_mm, metal.box_max_mm) <= options.hardware_streak_reach_mm) return true;
  }
  return false;
}

// Nearest distance from the component's gas voxels (fraction >= 0.5) to any injection site.
double nearest_site(const GasComponent& c, const Volume& volume, const std::vector<InjectionSite>& sites) {
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < c.voxels.size(); ++k) {
    if (c.fractions[k] < 0.5f) continue;
    std::int32_t x, y, z;
    volume.grid.coords(c.voxels[k], x, y, z);
    const double idx[3] = {double(x), double(y), double(z)};
    double p[3];
    volume.affine.index_to_physical(volume.grid, idx, p);
    for (const auto& site : sites) best = std::min(best, distance_mm(p, site.tip_mm));
  }
  return best;
}

// Air at the body's surface far from every needle (tip and track): a skin fold or the gap
// between the skin and the table top. Gas leaking back along the track to the skin stays near it.
bool surface_air_away_from_needles(const GasComponent& c, const std::vector<InjectionSite>& sites,
                                   const GasOptions& options) {
  if (!c.at_body_surface) return false;
  if (c.nearest_site_mm >= 0 && c.nearest_site_mm <= options.injection_reach_mm) return false;
  for (const auto& site : sites) {
    if (distance_to_needle(site, c.centroid_mm, 0.0) <= options.injection_reach_mm) return false;
  }
  return true;
}

struct EarlierLook {
  double known_fraction = 0.0;     // of the gas voxels, inside the earlier field of view
  double air_fraction = 0.0;       // of those, air on the earlier scan
  double injected_fraction = 0.0;  // of those, called injected by the earlier scan
};

// Every component's gas voxels (fraction >= 0.5) looked up on the earlier scan at the aligned
// place, in one sampling call (one parallel launch for the whole scan, not one per component).
std::vector<EarlierLook> look_at_previous(const std::vector<GasComponent>& components, const Volume& volume,
                                          const PreviousScan& previous, const GasOptions& options) {
  std::vector<float> points;
  std::vector<std::size_t> first(components.size() + 1, 0);  // component k: points first[k]..first[k+1]
  for (std::size_t c = 0; c < components.size(); ++c) {
    const GasComponent& comp = components[c];
    for (std::size_t k = 0; k < comp.voxels.size(); ++k) {
      if (comp.fractions[k] < 0.5f) continue;
      std::int32_t x, y, z;
      volume.grid.coords(comp.voxels[k], x, y, z);
      const double idx[3] = {double(x), double(y), double(z)};
      double p[3], q[3];
      volume.affine.index_to_physical(volume.grid, idx, p);
      previous.current_to_previous.apply(p, q);
      points.insert(points.end(), {float(q[0]), float(q[1]), float(q[2])});
    }
    first[c + 1] = points.size() / 3;
  }
  std::vector<EarlierLook> looks(components.size());
  const auto total = static_cast<std::int64_t>(points.size() / 3);
  if (total == 0) return looks;
  const Volume& before = *previous.volume;
  std::vector<float> values(static_cast<std::size_t>(total));
  // Outside the earlier field of view nothing is known (gas may have moved into view).
  constexpr float kOutside = 1e9f;
  sample_trilinear(Backend::Cpu, before.hu.data(), before.grid, before.affine, points.data(), total, values.data(), kOutside);
  const GasFinding* gas = previous.gas;
  const bool has_mask = gas != nullptr && !gas->mask.empty() && gas->grid.voxel_count() == static_cast<std::int64_t>(gas->mask.size());
  for (std::size_t c = 0; c < components.size(); ++c) {
    const auto n = static_cast<std::int64_t>(first[c + 1] - first[c]);
    if (n == 0) continue;
    std::int64_t known = 0, air = 0, injected = 0;
    for (auto k = static_cast<std::int64_t>(first[c]); k < static_cast<std::int64_t>(first[c + 1]); ++k) {
      if (values[static_cast<std::size_t>(k)] == kOutside) continue;
      ++known;
      if (values[static_cast<std::size_t>(k)] >= options.previous_air_hu) continue;
      ++air;
      if (!has_mask) continue;
      const double q[3] = {points[3 * k], points[3 * k + 1], points[3 * k + 2]};
      double idx[3];
      gas->affine.physical_to_index(gas->grid, q, idx);
      const auto xi = std::lround(idx[0]), yi = std::lround(idx[1]), zi = std::lround(idx[2]);
      if (!gas->grid.contains(xi, yi, zi)) continue;
      injected += gas->mask[static_cast<std::size_t>(gas->grid.index(std::int32_t(xi), std::int32_t(yi), std::int32_t(zi)))] == kInjected;
    }
    EarlierLook& look = looks[c];
    look.known_fraction = static_cast<double>(known) / n;
    look.air_fraction = known ? static_cast<double>(air) / known : 0.0;
    look.injected_fraction = air ? static_cast<double>(injected) / air : 0.0;
  }
  return looks;
}

}  // namespace

void classify_components(std::vector<GasComponent>& components, const Volume& volume,
                         const std::vector<InjectionSite>& sites, const PreviousScan* previous,
                         const GasOptions& options, const std::vector<needle::MetalObject>& hardware) {
  const std::vector<EarlierLook> looks = previous != nullptr && previous->volume != nullptr
                                              ? look_at_previous(components, volume, *previous, options)
                                              : std::vector<EarlierLook>(components.size());
  for (std::size_t index = 0; index < components.size(); ++index) {
    GasComponent& c = components[index];
    c.nearest_site_mm = sites.empty() ? -1.0 : nearest_site(c, volume, sites);
    if (surface_air_away_from_needles(c, sites, options)) {
      c.cls = kPreexisting;
      c.reason = "air at the body's surface (skin fold, skin against the table), away from the needle";
      continue;
    }
    const EarlierLook& look = looks[index];
    // Compare with the earlier scan where it saw (most of) this place; else by position alone.
    if (look.known_fraction >= 0.5) {
      c.previous_air_fraction = look.air_fraction;
      if (look.air_fraction >= options.preexisting_fraction && look.injected_fraction >= 0.5) {
        c.cls = kInjected;
        c.reason = "injected gas already seen on the earlier scan";
        continue;
      }
      if (is_artifact(c, volume, sites, options)) {
        c.cls = kArtifact;
        c.reason = kArtifactReason;
        continue;
      }
      if (look.air_fraction < options.preexisting_fraction && beside_hardware(c, hardware, options)) {
        c.cls = kArtifact;
        c.reason = kHardwareReason;
        continue;
      }
      if (look.air_fraction >= options.preexisting_fraction) {
        c.cls = kPreexisting;
        c.reason = "present on the earlier scan at the aligned position";
      } else if (sites.empty()) {
        c.cls = kPreexisting;
        c.reason = "new since the earlier scan, but no injection site";
      } else if (c.nearest_site_mm > options.injection_reach_mm &&
                 look.air_fraction >= options.distant_preexisting_fraction) {
        c.cls = kPreexisting;
        c.reason = "partly present on the earlier scan, far from the injection site (gas that changed shape)";
      } else if (c.volume_ml < options.min_new_ml && c.nearest_site_mm > options.injection_reach_mm) {
        // A few voxels split off a bowel loop's edge (or noise) far from the needle.
        c.cls = kPreexisting;
        c.reason = "small new air pocket away from the injection site";
      } else {
        c.cls = kInjected;
        c.reason = "new since the earlier scan";
      }
      continue;
    }
    if (is_artifact(c, volume, sites, options)) {
      c.cls = kArtifact;
      c.reason = kArtifactReason;
    } else if (beside_hardware(c, hardware, options)) {
      c.cls = kArtifact;
      c.reason = kHardwareReason;
    } else if (!sites.empty() && c.nearest_site_mm <= options.injection_reach_mm) {
      c.cls = kInjected;
      c.reason = "connected to the injection site (no earlier scan)";
    } else {
      c.cls = kPreexisting;
      c.reason = sites.empty() ? "no injection site" : "away from the injection site (no earlier scan)";
    }
  }
}

}  // namespace sij::gas
