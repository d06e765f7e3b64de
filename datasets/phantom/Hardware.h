// Orthopaedic hardware that is not a needle: a femoral (cephalomedullary) nail with its lag
// screw, and S1 pedicle screws with their tulip heads and rods. Each implant is a union of
// solid cylinders in the body frame; its metal is rendered and projected with the needle's.
#pragma once

#include <string>
#include <vector>

#include "datasets/phantom/Anatomy.h"
#include "datasets/phantom/Math.h"
#include "datasets/phantom/Needle.h"
#include "datasets/phantom/Random.h"

namespace sij::phantom {

struct ImplantPart {
  std::string name;    // "nail", "lag_screw", "screw_shaft", "tulip", "rod"
  Vec3 a_mm, b_mm;     // axis end points, body frame
  double radius_mm = 1;
};

struct Implant {
  std::string kind;        // "femoral_nail" / "pedicle_screws"
  std::string material;    // "stainless_steel" / "titanium"
  // Attenuation as a fraction of stainless steel's at about 70 keV (steel 1, titanium 0.22):
  // the projector treats the implant as that fraction of steel.
  double steel_equivalent = 1.0;
  std::vector<ImplantPart> parts;
};

// Places a femoral nail (stainless steel for 40 % of seeds, titanium otherwise) with its lag
// screw on the treated side (86-96 mm from the midline: the
// phantom has no femur, and the targeted test-size field must show it) and a pair of S1 pedicle
// screws with rods near the needle's height, never on the needle's path (checked: at least
// 6 mm from the shaft and its hub).
std::vector<Implant> place_hardware(const Anatomy& anatomy, const NeedlePlan& needle, Rng& rng);

// Distance (mm) from point q to the nearest implant surface; negative inside metal; a large
// value when there is none.
double implant_distance(const std::vector<Implant>& implants, const Vec3& q);

}  // namespace sij::phantom
