#include "datasets/phantom/Variant.h"

#include <array>
#include <utility>

namespace sij::phantom {
namespace {

constexpr std::array<std::pair<Variant, const char*>, 7> kNames{{
    {Variant::Standard, "standard"},
    {Variant::InPlane, "inplane"},
    {Variant::Bilateral, "bilateral"},
    {Variant::Narrow, "narrow"},
    {Variant::Hardware, "hardware"},
    {Variant::Distended, "distended"},
    {Variant::ThinSlices, "thin"},
}};

}  // namespace

std::string variant_name(Variant v) {
  for (const auto& [variant, name] : kNames) {
    if (variant == v) return name;
  }
  return "unknown";
}

std::optional<Variant> variant_from_name(const std::string& name) {
  for (const auto& [variant, n] : kNames) {
    if (name == n && variant != Variant::Standard) return variant;
  }
  return std::nullopt;
}

}  // namespace sij::phantom
