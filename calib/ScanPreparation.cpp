#include "calib/ScanPreparation.h"

#include <filesystem>

#include "calib/ApplyProfile.h"

namespace sij::calib {

ProfileChoice prepare_scan(Volume& volume, analysis::AnalyzeOptions& options, const ScanProfileSource& source) {
  ProfileChoice choice;
  if (!source.profile_file.empty()) {
    choice.profile = load_profile(source.profile_file);
    choice.rule = "named file " + source.profile_file;
  } else if (!source.profile_dir.empty()) {
    choice = select_profile(source.profile_dir, volume.meta);
  } else if (const std::string dir = default_profile_dir(); std::filesystem::is_directory(dir)) {
    choice = select_profile(dir, volume.meta);
  } else {
    // No folder was named and none is installed: the built-in defaults (those of
    // config/scanners/default.json), rather than refusing to analyse.
    choice.rule = "built-in defaults (no profile folder at " + dir + ")";
  }
  apply_hu_correction(choice.profile.hu_correction, volume);
  apply_profile(choice.profile, options);
  return choice;
}

}  // namespace sij::calib
