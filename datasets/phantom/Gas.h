// The injected gas (ozone/oxygen): a sheet inside the joint space, irregular peri-articular
// clouds and a track along the needle. Gas only displaces soft tissue (never bone, bowel or
// the pelvic cavity). Volumes are integrated on a fine grid in the body frame.
#pragma once

#include <cstdint>
#include <vector>

#include "datasets/phantom/Anatomy.h"
#include "datasets/phantom/Needle.h"
#include "datasets/phantom/Random.h"
#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij::phantom {

struct GasBlob {
  Vec3 centre_mm;
  double radius_mm = 4;
  std::uint64_t seed = 0;
};

struct GasSpec {
  int side = 0;
  double target_ml = 2.0;
  // Sheet in the joint, an irregular ellipse in the joint's (u, z) coordinates.
  double sheet_u0 = 5, sheet_z0 = 0, sheet_ru = 8, sheet_rz = 10, phase1 = 0, phase2 = 0;
  bool sheet = true;
  std::vector<GasBlob> blobs;
  Vec3 track_a, track_b;  // along the needle, behind the tip
  double track_radius_mm = 0.7;
  double scale = 1.0;     // applied to the sheet and blob sizes (fitted to target_ml)
};

class InjectedGas {
 public:
  InjectedGas(GasSpec spec, const Anatomy& anatomy);
  const GasSpec& spec() const { return spec_; }
  // True where gas replaces the tissue `base` found at body-frame point q.
  bool contains(const Vec3& q, Material base) const;
  void bounds(Vec3* lo, Vec3* hi) const;

 private:
  GasSpec spec_;
  const Anatomy* anatomy_;
  Vec3 lo_, hi_;
};

struct GasVolumes {
  double total_ml = 0, intra_articular_ml = 0, within_10mm_ml = 0;
  // The same restricted to a scan's field of view (when a scan was given).
  double fov_total_ml = 0, fov_intra_articular_ml = 0, fov_within_10mm_ml = 0;
};

struct ScanFrame {
  Grid grid;
  Affine3 affine;
  Rigid pose;  // body -> LPS
};

// Integrates the gas volume on a regular body-frame grid of spacing h_mm. `scan` may be null.
GasVolumes integrate_gas(const Anatomy& anatomy, const InjectedGas& gas, double h_mm,
                         const ScanFrame* scan);

// Plans the gas for a final needle and fits its size to target_ml.
GasSpec plan_gas(const Anatomy& anatomy, const NeedlePlan& needle, Rng& rng, double target_ml);

}  // namespace sij::phantom
