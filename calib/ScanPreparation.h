// One call for every entry point that analyses a scan (`analyze`, `serve`, `evaluate`): pick
// the scanner profile (a named file, or by the scan's DICOM tags from the profiles folder),
// correct the volume's HU in place and set the analysis options from it. Thresholds are meant
// for corrected HU, so this runs right after ingest and before analysis::analyze_scan.
#pragma once

#include <string>

#include "calib/ProfileSelect.h"
#include "pipeline/Volume.h"
#include "pipeline/analysis/ScanAnalyzer.h"

namespace sij::calib {

struct ScanProfileSource {
  std::string profile_file;  // a profile to use for every scan; empty: select by tags
  std::string profile_dir;   // where to select from; empty: default_profile_dir(), and the
                             // built-in defaults when that folder does not exist
};

// Returns the profile used and the rule that chose it (for the report). Throws ProfileError.
ProfileChoice prepare_scan(Volume& volume, analysis::AnalyzeOptions& options, const ScanProfileSource& source);

}  // namespace sij::calib
