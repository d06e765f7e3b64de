#include "calib/ScanPreparation.h"

#include "calib/ApplyProfile.h"

namespace sij::calib {

ProfileChoice prepare_scan(Volume& volume, analysis::AnalyzeOptions& options, const ScanProfileSource& source) {
  ProfileChoice choice;
  if (!source.profile_file.empty()) {
    choice.profile = load_profile(source.profile_file);
    choice.rule = "named file " + source.profile_file;
  } else {
    choice = select_profile(source.profile_dir.empty() ? default_profile_dir() : source.profile_dir, volume.meta);
  }
  apply_hu_correction(choice.profile.hu_correction, volume);
  apply_profile(choice.profile, options);
  return choice;
}

}  // namespace sij::calib
