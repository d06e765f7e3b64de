// The thresholds behind the verdict, read from a documented JSON file (config/verdict.json;
// every key is explained in docs/report.md "Verdict"). The compiled-in defaults below equal
// that file's values (a test keeps them in step), so a missing file changes nothing.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sij::verdict {

struct NeedleThresholds {
  // The tip is "in the joint" when its signed distance to the joint space (negative inside)
  // is at most this. 0: the mask boundary itself.
  double in_joint_max_signed_distance_mm = 0.0;
  // "At the posterior border": not inside, but within border_joint_distance_mm of the joint
  // space while at most border_max_depth_past_opening_mm past the dorsal opening (i.e. at the
  // opening, not beside the joint on bone), or within border_opening_distance_mm of the
  // posterior opening itself.
  double border_joint_distance_mm = 3.0;
  double border_max_depth_past_opening_mm = 5.0;
  double border_opening_distance_mm = 4.0;
  // A correction component is named in words (anterior, left, caudal, ...) when it is at least
  // this fraction of the correction's length.
  double direction_min_component = 0.3;
};

struct GasThresholds {
  // Less injected gas than this: nothing was injected yet (the gas call is "not applicable").
  double min_injected_ml = 0.1;
  // Confirmed: at least this much gas inside the joint space, reaching at least this fraction
  // of it, and at most this fraction of the injected gas distant (> 10 mm from the joint).
  double confirmed_min_intra_articular_ml = 0.5;
  double confirmed_min_joint_coverage = 0.2;
  double confirmed_max_distant_fraction = 0.5;
  // Partial: some gas in the joint, or enough gas around it.
  double partial_min_intra_articular_ml = 0.1;
  double partial_min_peri_articular_ml = 0.3;
};

struct VerdictConfig {
  NeedleThresholds needle;
  GasThresholds gas;
};

// A configuration file that cannot be used: unreadable, not JSON, or one key wrong (unknown,
// not a number, out of range). key() names it in JSON-pointer form, e.g. "/gas/min_injected_ml";
// empty when the whole file is at fault.
class VerdictConfigError : public std::runtime_error {
 public:
  VerdictConfigError(std::string message, std::string path, std::string key);
  const std::string& path() const { return path_; }
  const std::string& key() const { return key_; }

 private:
  std::string path_;
  std::string key_;
};

// Reads a verdict configuration. Keys left out keep their defaults; keys starting with "_" are
// comments. Throws VerdictConfigError.
VerdictConfig load_verdict_config(const std::filesystem::path& path);

}  // namespace sij::verdict
