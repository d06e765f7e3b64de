#include "datasets/phantom/Hardware.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sij::phantom {
namespace {

// Titanium (4.5 g/cm3) attenuates about 0.15 /mm at 70 keV, stainless steel about 0.67 /mm.
constexpr double kTitaniumSteelEquivalent = 0.22;

// Smallest distance from the needle's shaft and hub (final position) to the implants' surfaces.
double clearance_to_needle(const std::vector<Implant>& implants, const NeedlePlan& n) {
  const NeedleState s = needle_at_depth(n, n.depth_mm);
  double best = std::numeric_limits<double>::infinity();
  const Vec3 a = s.tip_mm, b = s.hub_end_mm();
  for (int k = 0; k <= 200; ++k) {
    const Vec3 p = a + (b - a) * (k / 200.0);
    best = std::min(best, implant_distance(implants, p) - s.hub_radius_mm);
  }
  return best;
}

// A cephalomedullary nail along z (tilted a few degrees) in the region of the proximal femur on
// `sign`'s side, with its lag screw running medially, superiorly and a little anteriorly.
Implant femoral_nail(const Anatomy& anatomy, const NeedlePlan& n, Rng& rng, double sign) {
  const BodySpec& b = anatomy.spec().body;
  Implant im;
  im.kind = "femoral_nail";
  // Nails are made of titanium alloy or of stainless steel (the harsher artifacts).
  const bool steel = rng.chance(0.4);
  im.material = steel ? "stainless_steel" : "titanium";
  im.steel_equivalent = steel ? 1.0 : kTitaniumSteelEquivalent;
  const double x = sign * rng.uniform(86.0, 96.0);
  const double y = b.yc_mm + rng.uniform(-8.0, 8.0);
  const double valgus = rng.uniform(3.0, 7.0) * kPi / 180.0;  // the distal end runs laterally
  const double z_top = n.tip_mm.z + rng.uniform(8.0, 20.0), length = rng.uniform(110.0, 140.0);
  const Vec3 top{x, y, z_top};
  const Vec3 down = normalized(Vec3{sign * std::sin(valgus), 0.0, -std::cos(valgus)});
  im.parts.push_back({"nail", top, top + down * length, rng.uniform(5.0, 6.5)});
  // Lag screw: from 10 mm lateral of the nail through it towards the femoral head (neck-shaft
  // angle about 130 degrees: 40 degrees above the horizontal), anteverted about 10 degrees.
  const Vec3 on_nail = top + down * rng.uniform(18.0, 30.0);
  const double up = rng.uniform(35.0, 45.0) * kPi / 180.0, ante = rng.uniform(5.0, 15.0) * kPi / 180.0;
  const Vec3 medial = normalized(Vec3{-sign * std::cos(up) * std::cos(ante), -std::cos(up) * std::sin(ante), std::sin(up)});
  const double screw_len = rng.uniform(80.0, 100.0);
  im.parts.push_back({"lag_screw", on_nail - medial * 10.0, on_nail + medial * (screw_len - 10.0), rng.uniform(5.0, 5.4)});
  return im;
}

// A pair of S1 pedicle screws (titanium, 6.5 mm, converging 20-30 degrees) entering the
// sacrum's posterior surface beside the midline `dz_mm` above the needle's mid-shaft (the
// height the scans are centred on), each with its tulip head and a rod running cranially to L5.
Implant pedicle_screws(const Anatomy& anatomy, const NeedlePlan& n, Rng& rng, double dz_mm) {
  Implant im;
  im.kind = "pedicle_screws";
  im.material = "titanium";
  im.steel_equivalent = kTitaniumSteelEquivalent;
  const double z = 0.5 * (n.tip_mm.z + n.entry_mm.z) + dz_mm;
  for (const double sign : {1.0, -1.0}) {
    const double x = sign * rng.uniform(14.0, 19.0);
    const Vec3 entry{x, anatomy.sacrum_posterior_y(x, z), z};
    const double conv = rng.uniform(20.0, 30.0) * kPi / 180.0, sag = rng.uniform(-10.0, 10.0) * kPi / 180.0;
    const Vec3 d = normalized(Vec3{-sign * std::sin(conv), -std::cos(conv) * std::cos(sag), std::sin(sag)});
    const double len = rng.uniform(38.0, 45.0);
    im.parts.push_back({"screw_shaft", entry - d * 1.0, entry + d * len, 3.25});
    im.parts.push_back({"tulip", entry - d * 1.0, entry - d * 13.0, 5.5});
    const Vec3 head = entry - d * 8.0;
    im.parts.push_back({"rod", head + Vec3{0, 0, -6.0}, head + Vec3{0, 0, rng.uniform(40.0, 50.0)}, 2.75});
  }
  return im;
}

}  // namespace

double implant_distance(const std::vector<Implant>& implants, const Vec3& q) {
  double best = 1e9;
  for (const Implant& im : implants) {
    for (const ImplantPart& p : im.parts) best = std::min(best, segment_distance(q, p.a_mm, p.b_mm) - p.radius_mm);
  }
  return best;
}

std::vector<Implant> place_hardware(const Anatomy& anatomy, const NeedlePlan& n, Rng& rng) {
  const double nail_sign = n.side == 0 ? 1.0 : -1.0;  // the treated side, so both sizes show it
  std::vector<Implant> out;
  for (int attempt = 0; attempt < 40; ++attempt) {
    out.clear();
    out.push_back(femoral_nail(anatomy, n, rng, nail_sign));
    // Later attempts move the screws further from the needle's height, alternately up and down.
    const double away = 0.5 * attempt * (attempt % 2 ? -1.0 : 1.0);
    out.push_back(pedicle_screws(anatomy, n, rng, rng.uniform(-5.0, 5.0) + away));
    if (clearance_to_needle(out, n) >= 6.0) return out;
  }
  // Rare: keep only the implants that stay clear of the needle.
  std::vector<Implant> clear;
  for (const Implant& im : out) {
    if (clearance_to_needle({im}, n) >= 6.0) clear.push_back(im);
  }
  return clear;
}

}  // namespace sij::phantom
