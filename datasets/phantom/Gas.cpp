#include "datasets/phantom/Gas.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace sij::phantom {
namespace {

bool gas_can_replace(Material m) {
  return m == kFat || m == kMuscle || m == kJointSpace || m == kLigament;
}

}  // namespace

InjectedGas::InjectedGas(GasSpec spec, const Anatomy& anatomy)
    : spec_(std::move(spec)), anatomy_(&anatomy) {
  const double big = 1e9;
  lo_ = {big, big, big};
  hi_ = {-big, -big, -big};
  const auto grow = [&](const Vec3& c, double r) {
    lo_ = {std::min(lo_.x, c.x - r), std::min(lo_.y, c.y - r), std::min(lo_.z, c.z - r)};
    hi_ = {std::max(hi_.x, c.x + r), std::max(hi_.y, c.y + r), std::max(hi_.z, c.z + r)};
  };
  for (const GasBlob& b : spec_.blobs) grow(b.centre_mm, b.radius_mm * spec_.scale * 1.4 + 0.5);
  grow(spec_.track_a, spec_.track_radius_mm + 0.5);
  grow(spec_.track_b, spec_.track_radius_mm + 0.5);
  if (spec_.sheet) {
    const double ru = spec_.sheet_ru * spec_.scale * 1.3, rz = spec_.sheet_rz * spec_.scale * 1.3;
    for (const double du : {-ru, ru}) {
      for (const double dz : {-rz, rz}) {
        grow(anatomy.joint_mid_point(spec_.side, spec_.sheet_u0 + du, spec_.sheet_z0 + dz), 6.0);
      }
    }
  }
}

void InjectedGas::bounds(Vec3* lo, Vec3* hi) const {
  *lo = lo_;
  *hi = hi_;
}

bool InjectedGas::contains(const Vec3& q, Material base) const {
  if (!gas_can_replace(base)) return false;
  if (q.x < lo_.x || q.y < lo_.y || q.z < lo_.z || q.x > hi_.x || q.y > hi_.y || q.z > hi_.z) return false;
  const GasSpec& s = spec_;
  if (s.sheet && base == kJointSpace) {
    const JointCoords c = anatomy_->joint_coords(s.side, q);
    const double du = (c.u - s.sheet_u0) / (s.sheet_ru * s.scale);
    const double dz = (q.z - s.sheet_z0) / (s.sheet_rz * s.scale);
    const double rho = std::sqrt(du * du + dz * dz);
    if (rho < 1.35) {
      const double th = std::atan2(dz, du);
      if (rho < 1.0 + 0.18 * std::sin(3 * th + s.phase1) + 0.1 * std::sin(5 * th + s.phase2)) return true;
    }
  }
  if (segment_distance(q, s.track_a, s.track_b) < s.track_radius_mm) return true;
  for (const GasBlob& b : s.blobs) {
    const double r = b.radius_mm * s.scale;
    const Vec3 v = q - b.centre_mm;
    const double d2 = dot(v, v);
    if (d2 > 1.96 * r * r) continue;
    // Irregular outline: the radius wobbles with a smooth noise field.
    const double wobble = 1.0 + 0.35 * value_noise(q.x, q.y, q.z, 0.6 * r + 1.0, b.seed);
    if (d2 < r * r * wobble * wobble) return true;
  }
  return false;
}

GasVolumes integrate_gas(const Anatomy& anatomy, const InjectedGas& gas, double h, const ScanFrame* scan) {
  Vec3 lo, hi;
  gas.bounds(&lo, &hi);
  const int nx = static_cast<int>(std::ceil((hi.x - lo.x) / h));
  const int ny = static_cast<int>(std::ceil((hi.y - lo.y) / h));
  const int nz = static_cast<int>(std::ceil((hi.z - lo.z) / h));
  const int side = gas.spec().side;
  // Exact integer counts per plane, summed in order: the result does not depend on threads.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(nz) * 6, 0);
#pragma omp parallel for schedule(dynamic)
  for (int k = 0; k < nz; ++k) {
    std::int64_t c[6] = {0, 0, 0, 0, 0, 0};
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const Vec3 q{lo.x + (i + 0.5) * h, lo.y + (j + 0.5) * h, lo.z + (k + 0.5) * h};
        const Sample s = anatomy.eval(q);
        if (!gas.contains(q, s.material)) continue;
        const bool intra = s.material == kJointSpace;
        const bool near = intra || anatomy.joint_signed_distance(side, q) <= 10.0;
        bool in_fov = false;
        if (scan) {
          const Vec3 p = scan->pose.apply(q);
          const double pp[3] = {p.x, p.y, p.z};
          double idx[3];
          scan->affine.physical_to_index(scan->grid, pp, idx);
          in_fov = idx[0] >= -0.5 && idx[1] >= -0.5 && idx[2] >= -0.5 && idx[0] < scan->grid.nx - 0.5 &&
                   idx[1] < scan->grid.ny - 0.5 && idx[2] < scan->grid.nz - 0.5;
        }
        c[0] += 1;
        c[1] += intra;
        c[2] += near;
        c[3] += in_fov;
        c[4] += in_fov && intra;
        c[5] += in_fov && near;
      }
    }
    for (int m = 0; m < 6; ++m) counts[static_cast<std::size_t>(k) * 6 + m] = c[m];
  }
  std::int64_t total[6] = {0, 0, 0, 0, 0, 0};
  for (int k = 0; k < nz; ++k) {
    for (int m = 0; m < 6; ++m) total[m] += counts[static_cast<std::size_t>(k) * 6 + m];
  }
  const double ml = h * h * h / 1000.0;
  GasVolumes v;
  v.total_ml = total[0] * ml;
  v.intra_articular_ml = total[1] * ml;
  v.within_10mm_ml = total[2] * ml;
  v.fov_total_ml = total[3] * ml;
  v.fov_intra_articular_ml = total[4] * ml;
  v.fov_within_10mm_ml = total[5] * ml;
  return v;
}

GasSpec plan_gas(const Anatomy& anatomy, const NeedlePlan& needle, Rng& rng, double target_ml) {
  GasSpec s;
  s.side = needle.side;
  s.target_ml = target_ml;
  const JointSpec& j = anatomy.spec().joint[needle.side];
  const JointCoords tc = anatomy.joint_coords(needle.side, needle.tip_mm);
  // How much reaches the joint depends on where the tip is.
  const bool in_joint = anatomy.in_joint_space(needle.tip_mm);
  s.sheet = in_joint || rng.chance(0.5);
  s.sheet_u0 = std::clamp(tc.u, 1.0, j.length_mm - 6.0) + rng.uniform(1.0, 6.0);
  s.sheet_z0 = needle.tip_mm.z + rng.uniform(-4.0, 6.0);
  const double sheet_share = in_joint ? rng.uniform(0.25, 0.5) : rng.uniform(0.05, 0.15);
  const double sheet_area = sheet_share * target_ml * 1000.0 / j.gap_mm;  // mm^2
  const double aspect = rng.uniform(0.5, 0.9);                            // ru / rz
  s.sheet_rz = std::sqrt(sheet_area / (kPi * aspect));
  s.sheet_ru = aspect * s.sheet_rz;
  s.phase1 = rng.uniform(0, 2 * kPi);
  s.phase2 = rng.uniform(0, 2 * kPi);

  // Peri-articular clouds around the tip and the posterior opening; sometimes one further
  // away along a muscle plane.
  const double cloud_ml = (1.0 - sheet_share) * target_ml * 0.95;
  const int count = rng.integer(3, 6);
  double sum_r3 = 0;
  for (int k = 0; k < count; ++k) {
    GasBlob b;
    const double reach = (k == count - 1 && rng.chance(0.35)) ? rng.uniform(12, 18) : rng.uniform(2, 9);
    Vec3 off{rng.normal(), rng.normal(), rng.normal()};
    off = normalized(off) * reach;
    b.centre_mm = needle.tip_mm - needle.dir * rng.uniform(0.0, 6.0) + off;
    b.radius_mm = rng.uniform(0.6, 1.0);  // relative for now
    b.seed = rng.next();
    sum_r3 += b.radius_mm * b.radius_mm * b.radius_mm;
    s.blobs.push_back(b);
  }
  // Absolute radii for the cloud volume (overlap and bone clipping are fixed by the fit below).
  const double unit = std::cbrt(cloud_ml * 1000.0 / (4.0 / 3.0 * kPi * sum_r3));
  for (GasBlob& b : s.blobs) b.radius_mm *= unit;
  s.track_a = needle.tip_mm - needle.dir * 0.5;
  s.track_b = needle.tip_mm - needle.dir * rng.uniform(8.0, 25.0);
  s.track_radius_mm = rng.uniform(0.5, 0.9);

  // Fit the scale to the target volume (sheet grows with scale^2, clouds with scale^3).
  for (int it = 0; it < 4; ++it) {
    const InjectedGas g(s, anatomy);
    const double v = integrate_gas(anatomy, g, 0.6, nullptr).total_ml;
    if (v <= 0) break;
    const double ratio = target_ml / v;
    if (std::fabs(ratio - 1.0) < 0.03) break;
    s.scale *= std::pow(ratio, 1.0 / 2.6);
  }
  return s;
}

}  // namespace sij::phantom
