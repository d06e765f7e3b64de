// The 22G coaxial trocar: where it goes (planned in the body frame against the anatomy) and
// the fence marker placed around its skin entry point.
#pragma once

#include <string>

#include "datasets/phantom/Anatomy.h"
#include "datasets/phantom/Math.h"
#include "datasets/phantom/Random.h"

namespace sij::phantom {

enum class Scenario { InJoint, ShortOfJoint, BoneContact };
std::string scenario_name(Scenario s);

struct NeedlePlan {
  int side = 0;                   // 0 patient left, 1 patient right
  Scenario requested = Scenario::InJoint;  // what was asked for
  Scenario scenario = Scenario::InJoint;   // what happened (bone on the way turns into contact)
  Vec3 tip_mm;                    // final tip, body frame
  Vec3 dir;                       // unit, from the entry towards the tip
  Vec3 entry_mm;                  // where the axis crosses the skin
  double depth_mm = 0;            // |tip - entry| at the final position
  double partway_fraction = 0.5;  // depth of the "partway" scan relative to the final one
  bool withdrawn_after_injection = false;
  double length_mm = 140.0;       // shaft length (coaxial trocar)
  double diameter_mm = 0.72;      // 22G
  double hub_length_mm = 18.0, hub_radius_mm = 2.2;
  std::string contact_bone;       // "ilium" / "sacrum" when the tip rests on bone
};

// Plans the final needle for `scenario` on `side`. Deterministic in rng. The craniocaudal
// angulation (to the axial plane) is drawn within +-12 degrees, or is *tilt_deg when given
// (the draw still happens, so the rest of the plan comes from the same numbers).
NeedlePlan plan_needle(const Anatomy& anatomy, Rng& rng, int side, Scenario scenario,
                       const double* tilt_deg = nullptr);

// The fence: `count` parallel rods along z on the skin, about `spacing_mm` apart, with the
// entry point between the two middle rods.
FenceSpec place_fence(const Anatomy& anatomy, Rng& rng, const Vec3& entry_mm);

// The needle as it stands in one scan (body frame).
struct NeedleState {
  bool present = false;
  Vec3 tip_mm, dir;
  double length_mm = 140.0, radius_mm = 0.36, hub_length_mm = 18.0, hub_radius_mm = 2.2;
  Vec3 back_mm() const { return tip_mm - dir * length_mm; }
  Vec3 hub_end_mm() const { return tip_mm - dir * (length_mm + hub_length_mm); }
};

NeedleState needle_at_depth(const NeedlePlan& plan, double depth_mm);

}  // namespace sij::phantom
