// Picks the scanner profile for a scan by its DICOM tags.
//
// Every *.json in the folder is read (a broken file is an error: a profile that silently does
// not load could leave a scanner on the wrong thresholds). A profile matches when each of its
// non-empty match fields equals the scan's tag (case-insensitive, surrounding spaces ignored;
// the kernel matches when any listed kernel equals any of the scan's kernel values). Among
// matches, the most specific wins (most non-empty match fields), then the file name in
// alphabetical order. No match: default.json in that folder; no default.json either: the
// built-in defaults (ScannerProfile{}).
#pragma once

#include <string>

#include "calib/ScannerProfile.h"
#include "pipeline/Volume.h"

namespace sij::calib {

struct ProfileChoice {
  ScannerProfile profile;
  std::string rule;  // "matched manufacturer+model+kernel", "default.json", "built-in defaults"
};

// Throws ProfileError when the folder cannot be read or a profile in it is invalid.
ProfileChoice select_profile(const std::string& dir, const VolumeMetadata& meta);

// Where the profiles are when no folder is named: $SIJTRACK_PROFILES, else config/scanners
// beside the build folder of the running program (<exe dir>/../config/scanners, the source
// tree's folder for build*/sijtrack), else the source tree's folder this was built from, else
// ./config/scanners.
std::string default_profile_dir();

// True when `profile.match` accepts the scan (an empty match accepts every scan).
bool profile_matches(const ScannerProfile& profile, const VolumeMetadata& meta);

}  // namespace sij::calib
