// The procedure variants that grow the phantom towards clinical practice (issue 14), each a
// `--scenario` name of its own in `sijtrack phantom` and `sijtrack evaluate`. Standard is the
// original generator: its output for a seed never changes when a variant is added.
#pragma once

#include <optional>
#include <string>

namespace sij::phantom {

enum class Variant {
  Standard,    // the original procedures (tip in / short of / on bone, from the seed)
  InPlane,     // the needle within 0-1 degree of the axial plane (driven in one axial slice)
  Bilateral,   // both joints treated: two needles, two injections
  Narrow,      // joint spaces of 0.8-1.8 mm
  Hardware,    // orthopaedic implants in view: a femoral nail with its lag screw, S1 pedicle screws
  Distended,   // the injected gas widens the joint space where it fills it
  ThinSlices,  // 0.625 mm slices with the noise they bring
};

// The `--scenario` name of a variant ("inplane", "bilateral", "narrow", "hardware",
// "distended", "thin"); "standard" for Standard.
std::string variant_name(Variant v);
// The variant of a `--scenario` name; nullopt when the name is not a variant (e.g. "in").
std::optional<Variant> variant_from_name(const std::string& name);

}  // namespace sij::phantom
