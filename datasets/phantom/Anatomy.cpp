#include "datasets/phantom/Anatomy.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace sij::phantom {
namespace {

// |t|^2.5 without pow: the body outline is a superellipse of exponent 2.5.
inline double pow25(double t) {
  t = std::fabs(t);
  return t * t * std::sqrt(t);
}

inline double rounded_box_sd(double cx, double cz, double hx, double hz, double r) {
  const double qx = std::fabs(cx) - (hx - r), qz = std::fabs(cz) - (hz - r);
  const double ox = std::max(qx, 0.0), oz = std::max(qz, 0.0);
  return std::sqrt(ox * ox + oz * oz) + std::min(std::max(qx, qz), 0.0) - r;
}

}  // namespace

AnatomySpec draw_anatomy(Rng& rng, double min_gap_mm, double max_gap_mm) {
  AnatomySpec s;
  BodySpec& b = s.body;
  b.a_mm = rng.uniform(138, 158);
  b.b_ant_mm = rng.uniform(105, 122);
  b.yc_mm = rng.uniform(-50, -40);
  const double depth_mid = rng.uniform(42, 62);  // skin to sacral opening level, midline
  b.b_post_mid_mm = 25.0 + depth_mid - b.yc_mm;
  b.gluteal_mm = rng.uniform(8, 28);
  b.cleft_mm = rng.uniform(3, 8);
  b.skin_mm = rng.uniform(1.5, 2.5);
  b.fat_post_mm = rng.uniform(10, 26);
  b.fat_lat_mm = rng.uniform(12, 28);
  b.fat_ant_mm = rng.uniform(12, 32);
  b.taper_per_mm = rng.uniform(0.0005, 0.0015);

  const double x_open = rng.uniform(28, 35);
  const double zc = 0.0;
  for (int side = 0; side < 2; ++side) {
    JointSpec& j = s.joint[side];
    j.sign = side == 0 ? 1.0 : -1.0;
    j.x_open_mm = x_open + rng.uniform(-1.5, 1.5);
    j.y_open_mm = 25.0 + rng.uniform(-2, 2);
    j.zc_mm = zc + rng.uniform(-3, 3);
    j.alpha_deg = rng.uniform(15, 30);
    j.length_mm = rng.uniform(38, 48);
    j.height_mm = rng.uniform(40, 60);
    j.gap_mm = rng.uniform(min_gap_mm, max_gap_mm);
    j.bow_mm = rng.uniform(1.5, 3.0);
    j.undulation_mm = std::min(0.2 * j.gap_mm, 0.5);
    j.phase1 = rng.uniform(0, 2 * kPi);
    j.phase2 = rng.uniform(0, 2 * kPi);
    j.kx = rng.uniform(0.08, 0.16);
    j.ky = rng.uniform(0.18, 0.30);
    j.ilium_thickness_mm = rng.uniform(15, 22);
    j.ilium_post_mm = rng.uniform(10, 16);
    j.wing_angle_deg = rng.uniform(28, 42);
    j.wing_length_mm = rng.uniform(50, 62);
  }
  s.cortical_mm = rng.uniform(0.9, 1.6);
  s.sacrum_post_rise_mm = rng.uniform(8, 13);
  s.sacrum_ant_curv = rng.uniform(0.004, 0.007);
  s.table_top_y_mm = b.yc_mm - b.b_ant_mm + rng.uniform(4.0, 10.0);  // prone: flattened on the table
  s.texture_seed = rng.next();

  // Bowel: the rectum close in front of the sacrum, then loops further anterior. End points
  // stay below the lowest point of the sacrum's anterior surface so no loop meets bone.
  Anatomy probe(s);
  const auto y_front = [&](double z) {
    double lo = 1e9;
    for (double x = -60; x <= 60; x += 5) lo = std::min(lo, probe.sacrum_anterior_y(x, z));
    return lo;
  };
  const double y_floor = b.yc_mm - b.b_ant_mm + b.fat_ant_mm + 14.0;
  {
    BowelLoop r;
    r.radius_mm = rng.uniform(10, 15);
    const double za = -75, zb = 25;
    const double top = std::min(y_front(za), y_front(zb)) - r.radius_mm - 5;
    const double xr = rng.uniform(-12, 12);
    r.a = {xr, top - rng.uniform(0, 4), za};
    r.b = {xr + rng.uniform(-15, 15), top - rng.uniform(0, 6), zb};
    r.gas_level = rng.uniform(0.0, 0.6);
    r.faeces = true;
    s.bowel.push_back(r);
  }
  const int loops = rng.integer(3, 5);
  for (int k = 0; k < loops; ++k) {
    BowelLoop l;
    l.radius_mm = rng.uniform(7, 12);
    const double za = rng.uniform(-70, 40), zb = za + rng.uniform(-35, 35);
    const double top = std::min(y_front(za), y_front(zb)) - l.radius_mm - 8;
    const double bottom = y_floor + l.radius_mm;
    const double ya = top > bottom ? rng.uniform(bottom, top) : top;
    const double yb = top > bottom ? rng.uniform(bottom, top) : top;
    l.a = {rng.uniform(-45, 45), ya, za};
    l.b = {rng.uniform(-45, 45), yb, zb};
    l.gas_level = rng.chance(0.25) ? 2.0 : rng.uniform(-0.3, 0.7);  // 2.0: no gas
    l.faeces = false;
    s.bowel.push_back(l);
  }
  return s;
}

Anatomy::Anatomy(AnatomySpec spec) : spec_(std::move(spec)) {
  for (int s = 0; s < 2; ++s) {
    const double al = spec_.joint[s].alpha_deg * kPi / 180.0;
    sin_a_[s] = std::sin(al);
    cos_a_[s] = std::cos(al);
    const double g = spec_.joint[s].wing_angle_deg * kPi / 180.0;
    sin_w_[s] = std::sin(g);
    cos_w_[s] = std::cos(g);
  }
  const FenceSpec& f = spec_.fence;
  for (std::size_t k = 0; k < f.rod_a.size(); ++k) {
    fence_y_min_ = std::min({fence_y_min_, f.rod_a[k].y - f.rod_radius_mm, f.rod_b[k].y - f.rod_radius_mm});
    fence_z_min_ = std::min({fence_z_min_, f.rod_a[k].z, f.rod_b[k].z});
    fence_z_max_ = std::max({fence_z_max_, f.rod_a[k].z, f.rod_b[k].z});
  }
}

double Anatomy::body_b(double x, double y, double z, double shrink_post, double shrink_ant) const {
  const BodySpec& b = spec_.body;
  const double scale = 1.0 + b.taper_per_mm * z;
  if (y >= b.yc_mm) {
    const double ax = std::fabs(x);
    const double g = (ax - 70.0) / 45.0;
    const double post = b.b_post_mid_mm + b.gluteal_mm * std::exp(-g * g) -
                        b.cleft_mm * std::exp(-(x / 8.0) * (x / 8.0));
    return post * scale - shrink_post;
  }
  return b.b_ant_mm * scale - shrink_ant;
}

bool Anatomy::inside_body(const Vec3& q) const {
  const BodySpec& b = spec_.body;
  const double a = b.a_mm * (1.0 + b.taper_per_mm * q.z);
  const double by = body_b(q.x, q.y, q.z, 0, 0);
  return q.y >= spec_.table_top_y_mm && pow25(q.x / a) + pow25((q.y - b.yc_mm) / by) <= 1.0;
}

double Anatomy::skin_y(double x, double z) const {
  const BodySpec& b = spec_.body;
  const double a = b.a_mm * (1.0 + b.taper_per_mm * z);
  const double t = 1.0 - pow25(x / a);
  if (t <= 0) return b.yc_mm;
  return b.yc_mm + body_b(x, b.yc_mm + 1.0, z, 0, 0) * std::pow(t, 1.0 / 2.5);
}

JointCoords Anatomy::joint_coords(int side, const Vec3& q) const {
  const JointSpec& j = spec_.joint[side];
  const double dz = q.z - j.zc_mm;
  const double xo = j.sign * (j.x_open_mm + j.kx * dz);
  const double yo = j.y_open_mm - j.ky * dz;
  const double sa = sin_a_[side], ca = cos_a_[side];
  const double rx = q.x - xo, ry = q.y - yo;
  JointCoords c;
  c.u = rx * (j.sign * sa) + ry * (-ca);
  c.n = rx * (j.sign * ca) + ry * sa;
  const double t = std::clamp(c.u / j.length_mm, 0.0, 1.0);
  const double mid = -j.bow_mm * 4.0 * t * (1.0 - t) +
                     j.undulation_mm * std::sin(2 * kPi * c.u / 17.0 + j.phase1) *
                         std::sin(2 * kPi * dz / 23.0 + j.phase2);
  c.d = c.n - mid;
  c.box_sd = rounded_box_sd(c.u - 0.5 * j.length_mm, dz, 0.5 * j.length_mm, 0.5 * j.height_mm, 8.0);
  double width = j.gap_mm * (1.0 + 0.12 * std::sin(2 * kPi * c.u / 23.0 + j.phase2)) +
                 6.0 * smoothstep(0.0, 6.0, c.box_sd);
  const JointDistension& dist = spec_.distension;
  if (dist.active && dist.side == side) width += dist.extra_at(c.u, q.z);
  c.half_gap = 0.5 * width;
  return c;
}

Vec3 Anatomy::joint_mid_point(int side, double u, double z) const {
  // Solve for the point with joint coordinates (u, d = 0) at height z: n = mid(u, z).
  const JointSpec& j = spec_.joint[side];
  const double dz = z - j.zc_mm;
  const double xo = j.sign * (j.x_open_mm + j.kx * dz);
  const double yo = j.y_open_mm - j.ky * dz;
  const double al = j.alpha_deg * kPi / 180.0;
  const double sa = std::sin(al), ca = std::cos(al);
  const double t = std::clamp(u / j.length_mm, 0.0, 1.0);
  const double mid = -j.bow_mm * 4.0 * t * (1.0 - t) +
                     j.undulation_mm * std::sin(2 * kPi * u / 17.0 + j.phase1) *
                         std::sin(2 * kPi * dz / 23.0 + j.phase2);
  const double ex_u = j.sign * sa, ey_u = -ca, ex_n = j.sign * ca, ey_n = sa;
  return {xo + u * ex_u + mid * ex_n, yo + u * ey_u + mid * ey_n, z};
}

double Anatomy::sacrum_anterior_y(double x, double z) const {
  double lo = 1e9;
  for (int side = 0; side < 2; ++side) {
    const JointSpec& j = spec_.joint[side];
    const double dz = z - j.zc_mm;
    const double x_end = j.x_open_mm + j.kx * dz + j.length_mm * sin_a_[side];
    const double y_end = j.y_open_mm - j.ky * dz - j.length_mm * cos_a_[side];
    lo = std::min(lo, y_end - 2.0 - spec_.sacrum_ant_curv * x_end * x_end);
  }
  return lo + spec_.sacrum_ant_curv * x * x;
}

double Anatomy::sacrum_posterior_y(double x, double z) const {
  const JointSpec& l = spec_.joint[0];
  const JointSpec& r = spec_.joint[1];
  const double xp = 0.5 * (l.x_open_mm + l.kx * (z - l.zc_mm) + r.x_open_mm + r.kx * (z - r.zc_mm));
  const double yp = 0.5 * (l.y_open_mm - l.ky * (z - l.zc_mm) + r.y_open_mm - r.ky * (z - r.zc_mm));
  const double rise = spec_.sacrum_post_rise_mm;
  double y = yp + rise - rise / (xp * xp) * x * x;
  if (std::fabs(x) < 15.0) y += 6.0 * std::exp(-(x / 5.0) * (x / 5.0));  // median crest
  return y;
}

double Anatomy::bone_margin(const Vec3& q, const JointCoords jc[2], bool* is_sacrum) const {
  // Sacrum: medial to both joints, between its anterior and posterior surfaces.
  double sac = std::min(-jc[0].half_gap - jc[0].d, -jc[1].half_gap - jc[1].d);
  if (sac > -12.0) {
    sac = std::min(sac, sacrum_posterior_y(q.x, q.z) - q.y);
    sac = std::min(sac, q.y - sacrum_anterior_y(q.x, q.z));
    // Sacral canal (an elliptic tube) and the anterior foramina (tubes along y).
    const double yp = 0.5 * (spec_.joint[0].y_open_mm - spec_.joint[0].ky * (q.z - spec_.joint[0].zc_mm) +
                             spec_.joint[1].y_open_mm - spec_.joint[1].ky * (q.z - spec_.joint[1].zc_mm));
    const double cx = q.x / 12.0, cy = (q.y - (yp + 1.0)) / 5.5;
    sac = std::min(sac, (std::sqrt(cx * cx + cy * cy) - 1.0) * 5.5);
    const double xf = 0.55 * spec_.joint[0].x_open_mm;
    for (const double zf : {spec_.joint[0].zc_mm + 12.0, spec_.joint[0].zc_mm - 12.0}) {
      const double fx = (std::fabs(q.x) - xf) / 4.5, fz = (q.z - zf) / 4.0;
      if (q.y < yp - 8.0) sac = std::min(sac, (std::sqrt(fx * fx + fz * fz) - 1.0) * 4.0);
    }
  }
  double best = sac;
  bool sacrum = sac > 0;
  for (int side = 0; side < 2; ++side) {
    const JointSpec& j = spec_.joint[side];
    const JointCoords& c = jc[side];
    if (c.d < 0) continue;
    // Articular block, from behind the opening (PSIS) to past the anterior end.
    double il = std::min(c.d - c.half_gap, c.half_gap + j.ilium_thickness_mm - c.d);
    il = std::min(il, std::min(c.u + j.ilium_post_mm, j.length_mm + 4.0 - c.u));
    // The iliac wing: a plate leaving the block laterally and anteriorly.
    const double dz = q.z - j.zc_mm;
    const double sa = sin_a_[side], ca = cos_a_[side];
    const double w0x = j.sign * (j.x_open_mm + j.kx * dz) + 0.55 * j.length_mm * j.sign * sa +
                       (0.5 * j.ilium_thickness_mm + 2.0) * j.sign * ca;
    const double w0y = j.y_open_mm - j.ky * dz - 0.55 * j.length_mm * ca +
                       (0.5 * j.ilium_thickness_mm + 2.0) * sa;
    const double ewx = j.sign * cos_w_[side], ewy = -sin_w_[side];
    const double rx = q.x - w0x, ry = q.y - w0y;
    const double t = std::clamp((rx * ewx + ry * ewy) / j.wing_length_mm, 0.0, 1.0);
    const double px = rx - ewx * t * j.wing_length_mm, py = ry - ewy * t * j.wing_length_mm;
    const double thick = j.ilium_thickness_mm * (1.0 - t) + 6.0 * t;
    const double wing = 0.5 * thick - std::sqrt(px * px + py * py);
    il = std::max(il, wing);
    if (il > best) {
      best = il;
      sacrum = false;
    }
  }
  if (is_sacrum) *is_sacrum = sacrum;
  return best;
}

bool Anatomy::is_bone(const Vec3& q) const {
  if (!inside_body(q)) return false;
  const JointCoords jc[2] = {joint_coords(0, q), joint_coords(1, q)};
  return bone_margin(q, jc, nullptr) > 0;
}

bool Anatomy::in_joint_space(const Vec3& q, int* side) const {
  for (int s = 0; s < 2; ++s) {
    const JointCoords c = joint_coords(s, q);
    if (c.box_sd <= 0 && std::fabs(c.d) < c.half_gap) {
      if (side) *side = s;
      return true;
    }
  }
  return false;
}

double Anatomy::joint_signed_distance(int side, const Vec3& q) const {
  const JointCoords c = joint_coords(side, q);
  const double across = std::fabs(c.d) - c.half_gap;  // > 0 outside the gap
  if (across <= 0 && c.box_sd <= 0) return std::max(across, c.box_sd);
  const double a = std::max(across, 0.0), b = std::max(c.box_sd, 0.0);
  return std::sqrt(a * a + b * b);
}

Sample Anatomy::eval(const Vec3& q) const {
  const BodySpec& b = spec_.body;
  const std::uint64_t ts = spec_.texture_seed;
  // Fence rods lie on the posterior skin, outside the body outline.
  const FenceSpec& f = spec_.fence;
  if (!f.rod_a.empty() && q.y > fence_y_min_ && q.z >= fence_z_min_ && q.z <= fence_z_max_) {
    for (std::size_t k = 0; k < f.rod_a.size(); ++k) {
      if (segment_distance(q, f.rod_a[k], f.rod_b[k]) <= f.rod_radius_mm) {
        return {kFenceRod, kMaterialHu[kFenceRod]};
      }
    }
  }
  const double scale = 1.0 + b.taper_per_mm * q.z;
  const double a = b.a_mm * scale;
  const double ry = q.y - b.yc_mm;
  const double fx = pow25(q.x / a);
  const double above_table = q.y - spec_.table_top_y_mm;  // the prone patient lies flattened on it
  if (above_table < 0 || fx + pow25(ry / body_b(q.x, q.y, q.z, 0, 0)) > 1.0) return {kAir, -1000.f};
  const double sk = b.skin_mm;
  if (above_table < sk || pow25(q.x / (a - sk)) + pow25(ry / body_b(q.x, q.y, q.z, sk, sk)) > 1.0) {
    return {kSkin, kMaterialHu[kSkin]};
  }
  const double fat_post = b.fat_post_mm + 0.5 * b.gluteal_mm *
      std::exp(-((std::fabs(q.x) - 70.0) / 45.0) * ((std::fabs(q.x) - 70.0) / 45.0));
  if (above_table < 0.6 * b.fat_ant_mm || pow25(q.x / (a - b.fat_lat_mm)) +
          pow25(ry / body_b(q.x, q.y, q.z, fat_post, b.fat_ant_mm)) > 1.0) {
    return {kFat, kMaterialHu[kFat]};
  }
  const JointCoords jc[2] = {joint_coords(0, q), joint_coords(1, q)};
  bool sacrum = false;
  const double m = bone_margin(q, jc, &sacrum);
  if (m > 0) {
    if (m < spec_.cortical_mm) {
      return {kCortical, static_cast<float>(kMaterialHu[kCortical] +
                                            100.0 * value_noise(q.x, q.y, q.z, 3.0, ts + 1))};
    }
    const double base = sacrum ? 200.0 : 250.0;
    const double hu = base + 70.0 * value_noise(q.x, q.y, q.z, 1.3, ts + 2) +
                      45.0 * value_noise(q.x, q.y, q.z, 5.0, ts + 3);
    return {kCancellous, static_cast<float>(hu)};
  }
  for (int s = 0; s < 2; ++s) {
    const JointCoords& c = jc[s];
    const JointSpec& j = spec_.joint[s];
    if (std::fabs(c.d) < c.half_gap && c.u > -j.ilium_post_mm && c.u < j.length_mm + 4.0) {
      if (c.box_sd <= 0) return {kJointSpace, kMaterialHu[kJointSpace]};
      if (q.y < sacrum_posterior_y(q.x, q.z) + 2.0) return {kLigament, kMaterialHu[kLigament]};
    }
  }
  // Sacral canal and foramina contents (inside the sacral outline but not bone).
  {
    const double yp = 0.5 * (spec_.joint[0].y_open_mm - spec_.joint[0].ky * (q.z - spec_.joint[0].zc_mm) +
                             spec_.joint[1].y_open_mm - spec_.joint[1].ky * (q.z - spec_.joint[1].zc_mm));
    const double cx = q.x / 12.0, cy = (q.y - (yp + 1.0)) / 5.5;
    if (cx * cx + cy * cy < 1.0) return {kCanal, kMaterialHu[kCanal]};
  }
  // Pelvic cavity in front of the sacrum: viscera, mesenteric fat and the bowel.
  const double y_front = sacrum_anterior_y(q.x, q.z);
  const double cav_x = q.x / 64.0, cav_y = (q.y - (sacrum_anterior_y(0.0, q.z) - 32.0)) / 58.0;
  if (q.y < y_front - 0.5 && cav_x * cav_x + cav_y * cav_y < 1.0) {
    for (const BowelLoop& l : spec_.bowel) {
      double t = 0;
      const double dist = segment_distance(q, l.a, l.b, &t);
      if (dist >= l.radius_mm) continue;
      if (dist > l.radius_mm - l.wall_mm) return {kBowelWall, kMaterialHu[kBowelWall]};
      const double axis_y = l.a.y + (l.b.y - l.a.y) * t;
      if (q.y - axis_y > l.gas_level * l.radius_mm) return {kBowelGas, -1000.f};
      if (l.faeces) {
        const double v = value_noise(q.x, q.y, q.z, 2.2, ts + 4);
        if (v > 0.55) return {kBowelGas, -1000.f};
        return {kBowelContent, static_cast<float>(30.0 + 60.0 * value_noise(q.x, q.y, q.z, 3.0, ts + 5))};
      }
      return {kBowelContent, kMaterialHu[kBowelContent]};
    }
    const double v = value_noise(q.x, q.y, q.z, 9.0, ts + 6);
    if (v > 0.4) return {kViscera, -90.f};  // mesenteric fat
    return {kViscera, kMaterialHu[kViscera]};
  }
  // A fat plane between the posterior muscle layers.
  if (q.y > spec_.joint[0].y_open_mm + 8.0) {
    const double sh = fat_post + 20.0;
    const double g1 = pow25(q.x / (a - b.fat_lat_mm - 20.0)) + pow25(ry / body_b(q.x, q.y, q.z, sh, sh));
    const double g2 = pow25(q.x / (a - b.fat_lat_mm - 23.0)) + pow25(ry / body_b(q.x, q.y, q.z, sh + 3.0, sh + 3.0));
    if (g1 <= 1.0 && g2 > 1.0) return {kFat, kMaterialHu[kFat]};
  }
  return {kMuscle, kMaterialHu[kMuscle]};
}

Sample Anatomy::eval_table(const Vec3& p) const {
  if (std::fabs(p.x) > 230.0) return {kAir, -1000.f};
  const double top = spec_.table_top_y_mm - 0.0002 * p.x * p.x;
  if (p.y > top || p.y < top - 40.0) return {kAir, -1000.f};
  if (p.y > top - 2.5 || p.y < top - 37.5 || std::fabs(p.x) > 226.0) {
    return {kTableShell, kMaterialHu[kTableShell]};
  }
  return {kTableFoam, kMaterialHu[kTableFoam]};
}

}  // namespace sij::phantom
