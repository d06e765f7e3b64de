// A recorded procedure to replay: the phantom's session format (manifest.json naming each
// scan's dicom/ folder, its timing and its truth.json; docs/datasets.md), or any folder of DICOM
// series (grouped by SeriesInstanceUID, timed by their acquisition date and time).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sij::sidecar {

class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RecordedScan {
  int index = 0;                        // order of acquisition in the session
  std::string kind;                     // manifest "kind", else the series description or number
  std::string series_uid;
  std::vector<std::filesystem::path> files;  // the series' DICOM files, by name
  double seconds_from_start = 0;        // acquisition time after the session's first scan
  std::filesystem::path truth_path;     // truth.json; empty when there is no ground truth
  std::filesystem::path labels_path;    // the phantom's labels.mha (gas Dice); may be empty
};

struct RecordedSession {
  std::filesystem::path dir;
  std::string name;                     // the folder's name, for tables
  std::string study_uid;                // from the manifest; empty for a plain folder
  nlohmann::json manifest;              // null for a plain folder
  std::vector<RecordedScan> scans;      // in acquisition order
  int skipped_files = 0;                // files in a plain folder that were not readable DICOM

  bool has_truth() const;
  std::size_t file_count() const;
};

// Reads the session in `dir`. Throws ReplayError (what to check) when the folder does not
// exist, the manifest is unreadable or names missing folders, or no DICOM series is found.
RecordedSession read_recorded_session(const std::filesystem::path& dir);

}  // namespace sij::sidecar
