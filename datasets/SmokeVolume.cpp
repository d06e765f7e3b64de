#include "datasets/SmokeVolume.h"

#include <cmath>
#include <cstdint>

namespace sij::datasets {
namespace {

// Cheap deterministic per-voxel noise in [-1, 1): a hash, not a generator, so the volume
// can be filled in parallel and is the same on every run.
float hash_noise(std::uint64_t i) {
  i ^= i >> 33;
  i *= 0xff51afd7ed558ccdull;
  i ^= i >> 33;
  i *= 0xc4ceb9fe1a85ec53ull;
  i ^= i >> 33;
  return static_cast<float>(i & 0xFFFFFF) / 8388608.0f - 1.0f;
}

bool inside_ellipse(float x, float y, float cx, float cy, float rx, float ry) {
  const float dx = (x - cx) / rx, dy = (y - cy) / ry;
  return dx * dx + dy * dy <= 1.0f;
}

// HU of one voxel at physical position (x, y, z) in mm, from the centre of the volume:
// x left-right, y posterior (up, prone patient) to anterior, z craniocaudal.
std::int16_t pelvis_hu(float x, float y, float z, float noise) {
  float hu = -1000.0f;
  // CT table under the (prone) patient: anterior side.
  if (y > 125.0f && y < 140.0f && std::fabs(x) < 220.0f) hu = 300.0f;
  // Body: skin/fat ellipse, muscle inside; tapers slightly with z.
  const float taper = 1.0f - 0.0006f * std::fabs(z);
  if (inside_ellipse(x, y, 0, 0, 180 * taper, 120 * taper)) {
    hu = -100.0f;  // fat
    if (inside_ellipse(x, y, 0, 0, 165 * taper, 105 * taper)) hu = 45.0f;  // muscle
    // Sacrum: central wedge-shaped bone, posterior half.
    const bool sacrum = inside_ellipse(x, y, 0, -20, 48, 32);
    const bool sacrum_core = inside_ellipse(x, y, 0, -20, 44, 28);
    // Ilia: left and right wings, separated from the sacrum by ~2.5 mm oblique gaps.
    const bool ilium_l = inside_ellipse(x, y, -85, -15, 38, 40) && !inside_ellipse(x, y, 0, -20, 50.5f, 34.5f);
    const bool ilium_r = inside_ellipse(x, y, 85, -15, 38, 40) && !inside_ellipse(x, y, 0, -20, 50.5f, 34.5f);
    const bool ilium_l_core = inside_ellipse(x, y, -85, -15, 34, 36) && !inside_ellipse(x, y, 0, -20, 54, 38);
    const bool ilium_r_core = inside_ellipse(x, y, 85, -15, 34, 36) && !inside_ellipse(x, y, 0, -20, 54, 38);
    const bool bone_slab = std::fabs(z) < 110.0f;
    if (bone_slab && (sacrum || ilium_l || ilium_r)) {
      hu = 900.0f;  // cortical shell
      if (sacrum_core || ilium_l_core || ilium_r_core) hu = 250.0f + 60.0f * noise;  // cancellous
    }
    // Bowel/rectum gas pockets anterior to the sacrum.
    for (int k = 0; k < 6; ++k) {
      const float cx = -40.0f + 16.0f * k, cy = 40.0f + 6.0f * (k % 2), cz = -60.0f + 25.0f * k;
      const float dx = x - cx, dy = y - cy, dz = z - cz;
      if (dx * dx + dy * dy + 0.5f * dz * dz < 100.0f) hu = -980.0f;
    }
    // A 22G steel needle from the posterior skin towards the left joint.
    const float t = (y + 120.0f) / 95.0f;  // 0 at the skin, 1 at the joint
    if (t > -0.05f && t < 1.0f && std::fabs(z - 10.0f) < 0.6f &&
        std::fabs(x - (-30.0f - 20.0f * t)) < 0.6f) {
      hu = 3000.0f;
    }
  }
  return static_cast<std::int16_t>(hu + 15.0f * noise);
}

}  // namespace

SmokeVolume make_smoke_volume(const Grid& grid) {
  SmokeVolume v;
  v.grid = grid;
  const std::int64_t n = v.grid.voxel_count();
  v.hu.resize(n);
  v.body_mask.resize(n);
  v.bone_mask.resize(n);
  v.gas_mask.resize(n);
  const Grid g = v.grid;
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    std::int32_t xi, yi, zi;
    g.coords(i, xi, yi, zi);
    const float x = (xi - g.nx / 2) * g.sx_mm, y = (yi - g.ny / 2) * g.sy_mm;
    const float z = (zi - g.nz / 2) * g.sz_mm;
    // Correlated noise: average of this voxel's hash and its in-plane neighbours'.
    const float noise = 0.5f * hash_noise(i) + 0.25f * hash_noise(i + 1) + 0.25f * hash_noise(i + g.nx);
    const std::int16_t hu = pelvis_hu(x, y, z, noise);
    v.hu[i] = hu;
    v.body_mask[i] = hu > -400;
    v.bone_mask[i] = hu > 250;
    v.gas_mask[i] = hu < -500 && inside_ellipse(x, y, 0, 0, 175, 115);
  }
  return v;
}

}  // namespace sij::datasets
