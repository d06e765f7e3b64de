#include "pipeline/verdict/VerdictConfig.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

namespace sij::verdict {
namespace {

// One numeric key of the file: where it lives, where it goes, and its sane range.
struct KeySpec {
  const char* section;
  const char* name;
  double* target;
  double min, max;
};

std::vector<KeySpec> key_table(VerdictConfig& c) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  auto& n = c.needle;
  auto& g = c.gas;
  return {
      {"needle", "in_joint_max_signed_distance_mm", &n.in_joint_max_signed_distance_mm, -5.0, 5.0},
      {"needle", "border_joint_distance_mm", &n.border_joint_distance_mm, 0.0, 50.0},
      {"needle", "border_max_depth_past_opening_mm", &n.border_max_depth_past_opening_mm, -kInf, kInf},
      {"needle", "border_opening_distance_mm", &n.border_opening_distance_mm, 0.0, 50.0},
      {"needle", "direction_min_component", &n.direction_min_component, 0.0, 1.0},
      {"gas", "min_injected_ml", &g.min_injected_ml, 0.0, 100.0},
      {"gas", "confirmed_min_intra_articular_ml", &g.confirmed_min_intra_articular_ml, 0.0, 100.0},
      {"gas", "confirmed_min_joint_coverage", &g.confirmed_min_joint_coverage, 0.0, 1.0},
      {"gas", "confirmed_max_distant_fraction", &g.confirmed_max_distant_fraction, 0.0, 1.0},
      {"gas", "partial_min_intra_articular_ml", &g.partial_min_intra_articular_ml, 0.0, 100.0},
      {"gas", "partial_min_peri_articular_ml", &g.partial_min_peri_articular_ml, 0.0, 100.0},
  };
}

bool is_comment(const std::string& key) { return !key.empty() && key[0] == '_'; }

}  // namespace

VerdictConfigError::VerdictConfigError(std::string message, std::string path, std::string key)
    : std::runtime_error(std::move(message)), path_(std::move(path)), key_(std::move(key)) {}

VerdictConfig load_verdict_config(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) throw VerdictConfigError("cannot read verdict config " + file + " (missing or no permission)", file, "");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw VerdictConfigError("verdict config " + file + " is not valid JSON: " + e.what(), file, "");
  }
  if (!doc.is_object()) throw VerdictConfigError("verdict config " + file + ": expected a JSON object", file, "");

  VerdictConfig config;
  const auto table = key_table(config);
  for (const auto& [section, body] : doc.items()) {
    if (is_comment(section) || section == "schema") continue;
    const std::string where = "/" + section;
    if (section != "needle" && section != "gas") {
      throw VerdictConfigError("verdict config " + file + ": unknown section '" + where + "' (expected needle, gas)", file, where);
    }
    if (!body.is_object()) throw VerdictConfigError("verdict config " + file + ": '" + where + "' must be an object", file, where);
    for (const auto& [name, value] : body.items()) {
      if (is_comment(name)) continue;
      const std::string key = where + "/" + name;
      const KeySpec* spec = nullptr;
      for (const auto& k : table) {
        if (section == k.section && name == k.name) spec = &k;
      }
      if (spec == nullptr) throw VerdictConfigError("verdict config " + file + ": unknown key '" + key + "'", file, key);
      if (!value.is_number()) throw VerdictConfigError("verdict config " + file + ": '" + key + "' must be a number", file, key);
      const double v = value.get<double>();
      if (!std::isfinite(v) || v < spec->min || v > spec->max) {
        std::ostringstream msg;
        msg << "verdict config " << file << ": '" << key << "' = " << v << " is outside [" << spec->min << ", "
            << spec->max << "]";
        throw VerdictConfigError(msg.str(), file, key);
      }
      *spec->target = v;
    }
  }
  // Rules that only make sense in one order.
  if (config.gas.partial_min_intra_articular_ml > config.gas.confirmed_min_intra_articular_ml) {
    throw VerdictConfigError("verdict config " + file +
                                 ": '/gas/partial_min_intra_articular_ml' exceeds '/gas/confirmed_min_intra_articular_ml'",
                             file, "/gas/partial_min_intra_articular_ml");
  }
  return config;
}

}  // namespace sij::verdict
