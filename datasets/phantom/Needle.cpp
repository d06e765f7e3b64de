#include "datasets/phantom/Needle.h"

#include <algorithm>
#include <cmath>

namespace sij::phantom {

std::string scenario_name(Scenario s) {
  switch (s) {
    case Scenario::InJoint: return "tip_in_joint";
    case Scenario::ShortOfJoint: return "tip_short_of_joint";
    case Scenario::BoneContact: return "tip_on_bone";
  }
  return "unknown";
}

namespace {

Vec3 axial_normal(const Anatomy& anatomy, int side) {
  const JointSpec& j = anatomy.spec().joint[side];
  const double al = j.alpha_deg * kPi / 180.0;
  return {j.sign * std::cos(al), std::sin(al), 0.0};
}

// Walks from `from` along `dir` (unit) and returns the first point where pred turns true,
// refined by bisection; false if it stays false for max_mm.
template <class Pred>
bool march(const Vec3& from, const Vec3& dir, double max_mm, double step_mm, Pred pred, Vec3* hit) {
  double prev = 0.0;
  for (double t = step_mm; t <= max_mm; t += step_mm) {
    if (pred(from + dir * t)) {
      double lo = prev, hi = t;
      for (int k = 0; k < 40; ++k) {
        const double mid = 0.5 * (lo + hi);
        (pred(from + dir * mid) ? hi : lo) = mid;
      }
      *hit = from + dir * hi;
      return true;
    }
    prev = t;
  }
  return false;
}

}  // namespace

NeedlePlan plan_needle(const Anatomy& anatomy, Rng& rng, int side, Scenario scenario, const double* tilt_deg) {
  const JointSpec& j = anatomy.spec().joint[side];
  NeedlePlan plan;
  plan.side = side;
  plan.scenario = scenario;
  plan.requested = scenario;
  // The synovial (anterior-inferior) part is the target: the lower part of the joint.
  const double z = j.zc_mm - 0.5 * j.height_mm + rng.uniform(10.0, 18.0);
  const Vec3 n_axial = axial_normal(anatomy, side);
  const double drawn_tilt = rng.uniform(-12.0, 12.0) * kPi / 180.0;  // craniocaudal angulation
  const double tilt = tilt_deg ? *tilt_deg * kPi / 180.0 : drawn_tilt;
  const double max_clear = std::max(0.0, 0.5 * j.gap_mm - 0.36 - 0.1);

  Vec3 aim, back;
  double u_t = 0;
  switch (scenario) {
    case Scenario::InJoint: u_t = rng.uniform(2.5, 6.0); break;
    case Scenario::ShortOfJoint: u_t = rng.uniform(-7.0, -2.5); break;
    case Scenario::BoneContact: u_t = rng.uniform(0.5, 4.0); break;
  }
  if (scenario == Scenario::BoneContact) {
    const double into = rng.chance(0.5) ? 1.0 : -1.0;  // +: ilium, -: sacrum
    aim = anatomy.joint_mid_point(side, u_t, z) + n_axial * (into * (0.5 * j.gap_mm + rng.uniform(1.5, 3.0)));
    back = anatomy.joint_mid_point(side, -14.0, z) + n_axial * (-into * 0.3 * j.gap_mm);
  } else {
    // Along the chord of the mid-surface, so the shaft stays inside a curved gap.
    aim = anatomy.joint_mid_point(side, u_t, z) + n_axial * rng.uniform(-0.5, 0.5) * max_clear;
    const Vec3 a0 = anatomy.joint_mid_point(side, -2.0, z);
    const Vec3 a1 = anatomy.joint_mid_point(side, std::max(u_t, 4.0), z);
    back = aim - (a1 - a0);
  }
  Vec3 dxy = aim - back;
  dxy.z = 0;
  dxy = normalized(dxy);
  plan.dir = normalized(dxy * std::cos(tilt) + Vec3{0, 0, std::sin(tilt)});

  // Skin entry: walk back from the aim point until we leave the body.
  Vec3 out;
  if (!march(aim, -plan.dir, 300.0, 0.25, [&](const Vec3& p) { return !anatomy.inside_body(p); }, &out)) {
    out = aim - plan.dir * 120.0;
  }
  plan.entry_mm = out;
  // Advance from the skin: the tip stops at the aim point or at the first bone on the way.
  Vec3 hit;
  const double to_aim = norm(aim - out);
  if (march(out, plan.dir, to_aim, 0.1, [&](const Vec3& p) { return anatomy.is_bone(p); }, &hit)) {
    plan.tip_mm = hit - plan.dir * 0.1;
    // Which bone: sacrum is medial to the mid-surface.
    const JointCoords c = anatomy.joint_coords(side, hit + plan.dir * 0.2);
    plan.contact_bone = c.d > 0 ? "ilium" : "sacrum";
    plan.scenario = Scenario::BoneContact;
  } else {
    plan.tip_mm = aim;
  }
  plan.depth_mm = norm(plan.tip_mm - plan.entry_mm);
  plan.partway_fraction = rng.uniform(0.4, 0.7);
  plan.withdrawn_after_injection = rng.chance(0.4);
  return plan;
}

FenceSpec place_fence(const Anatomy& anatomy, Rng& rng, const Vec3& entry) {
  FenceSpec f;
  f.spacing_mm = rng.uniform(9.5, 10.5);
  f.rod_radius_mm = rng.uniform(0.6, 0.8);
  const int count = 8;
  const double shift = rng.uniform(-2.5, 2.5);
  const double half_len = 45.0;
  for (int k = 0; k < count; ++k) {
    const double x = entry.x + (k - 0.5 * (count - 1)) * f.spacing_mm + shift;
    const double za = entry.z - half_len, zb = entry.z + half_len;
    const double lift = f.rod_radius_mm + 0.2;
    f.rod_a.push_back({x, anatomy.skin_y(x, za) + lift, za});
    f.rod_b.push_back({x, anatomy.skin_y(x, zb) + lift, zb});
  }
  return f;
}

NeedleState needle_at_depth(const NeedlePlan& plan, double depth_mm) {
  NeedleState s;
  s.present = true;
  s.dir = plan.dir;
  s.tip_mm = plan.entry_mm + plan.dir * depth_mm;
  s.length_mm = plan.length_mm;
  s.radius_mm = 0.5 * plan.diameter_mm;
  s.hub_length_mm = plan.hub_length_mm;
  s.hub_radius_mm = plan.hub_radius_mm;
  return s;
}

}  // namespace sij::phantom
