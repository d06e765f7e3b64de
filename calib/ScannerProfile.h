// A scanner profile: everything the pipeline assumes about one CT scanner and reconstruction
// kernel, kept in a JSON file per scanner under config/scanners/ (format: docs/calibration.md).
//
// HU thresholds (metal, bone, gas, body), the reference HU of air and soft tissue, the HU
// correction measured by `sijtrack calibrate hu`, the needle model (gauge, diameter, length,
// and blooming / tip offset measured by `sijtrack calibrate needle`) and the fence marker's
// geometry. Every key is optional in the file: a missing key keeps the built-in default (the
// values below, which are also config/scanners/default.json); an unknown key is an error, so a
// misspelt key cannot silently fall back to a default.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calib/NeedleModel.h"

namespace sij::calib {

inline constexpr const char* kProfileSchema = "sijtrack.scanner_profile/1";

// Which scans a profile is for: DICOM Manufacturer (0008,0070), ManufacturerModelName
// (0008,1090) and ConvolutionKernel (0018,1210). Empty = any value. Compared case-insensitively,
// ignoring surrounding spaces.
struct ProfileMatch {
  std::string manufacturer;
  std::string model;
  std::vector<std::string> convolution_kernels;  // any of these
};

// corrected_hu = slope * stored_hu + intercept_hu. The identity unless measured.
struct HuCorrection {
  double slope = 1.0;
  double intercept_hu = 0.0;
  // Provenance of a measured correction (empty / NaN-free defaults when not measured).
  bool measured = false;
  double air_measured_hu = -1000.0;     // median of the air region before correction
  double tissue_measured_hu = 50.0;     // median of the reference tissue before correction
  std::string measured_on;              // the scan it was measured on (path or series UID)

  double apply(double hu) const { return slope * hu + intercept_hu; }
  bool is_identity() const { return slope == 1.0 && intercept_hu == 0.0; }
};

// HU levels the stages threshold at (after the HU correction).
struct Thresholds {
  std::int16_t metal_hu = 2500;          // needle candidates (needle::NeedleOptions::metal_threshold_hu)
  std::int16_t metal_refine_floor_hu = 1700;  // needle axis refinement weights start here
  std::int16_t metal_removal_hu = 2000;  // steel removed from the bone mask (joint stage)
  std::int16_t cortical_bone_hu = 750;   // joint walls and the sacrum/ilium split
  std::int16_t bone_split_hu = 900;      // denser bone, tried first for the split
  std::int16_t cancellous_bone_hu = 250; // the reported bone mask
  std::int16_t gas_core_hu = -700;       // gas hysteresis: certain gas (gas::GasOptions::core_threshold_hu)
  std::int16_t gas_edge_hu = -300;       // gas hysteresis: partial-volume edge (edge_threshold_hu)
  std::int16_t body_hu = -400;           // body outline (skin) and needle entry
};

// Reference CT numbers of the calibration materials.
struct References {
  double air_hu = -1000.0;
  std::string tissue = "muscle";         // "muscle" or "water": which mode `calibrate hu` measures
  double tissue_hu = 50.0;               // what that tissue should read after correction
  double fat_hu = -100.0;                // expected fat level (documentation and sanity checks)
};

// The fence marker: parallel metal rods along the patient's z axis lying on the skin.
struct FenceModel {
  int rod_count = 8;                     // rods on the physical fence (a check: fewer found = cut by the field of view)
  double spacing_mm = 10.0;              // nominal centre-to-centre spacing
  double rod_diameter_mm = 1.5;
  std::int16_t rod_min_hu = 350;         // rod voxels: aluminium ~2200 HU, but partial volume brings a
                                         // 1.2 mm rod in 0.9 mm voxels down to ~500; skin and tissue stay below
  double max_skin_distance_mm = 5.0;     // rod voxels lie this close to the air outside the body
  double min_length_mm = 15.0;           // shorter bright lines are not rods
  double max_angle_to_z_deg = 20.0;      // rods run head-foot
};

struct ScannerProfile {
  std::string name = "default";
  std::string description;
  ProfileMatch match;
  HuCorrection hu_correction;
  Thresholds thresholds;
  References reference;
  NeedleModel needle;
  FenceModel fence;
  std::string source_path;               // the file it was read from (not written back)
};

// A profile that cannot be used: names the file and the key (JSON pointer, e.g.
// "/thresholds/metal_hu") and says what is wrong.
class ProfileError : public std::runtime_error {
 public:
  ProfileError(std::string path, std::string key, const std::string& what)
      : std::runtime_error(path + (key.empty() ? "" : ": key " + key) + ": " + what),
        path_(std::move(path)), key_(std::move(key)) {}
  const std::string& path() const { return path_; }
  const std::string& key() const { return key_; }  // empty when the file itself is the problem

 private:
  std::string path_, key_;
};

// Reads and validates a profile file. Throws ProfileError.
ScannerProfile load_profile(const std::string& path);
// The same from parsed JSON; `origin` names it in errors.
ScannerProfile profile_from_json(const nlohmann::json& j, const std::string& origin);
// The full profile as JSON (every key, schema first), the inverse of profile_from_json.
nlohmann::ordered_json profile_to_json(const ScannerProfile& profile);
// Writes profile_to_json to `path`. Throws ProfileError when the file cannot be written.
void save_profile(const ScannerProfile& profile, const std::string& path);

}  // namespace sij::calib
