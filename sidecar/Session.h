// One procedure = one StudyInstanceUID: its output folder and its scans. Each scan folder is
// <out>/<study>/scan_NN_<series>, numbered by arrival; after a restart the folders already
// written tell which series were analysed (report.json), failed (error.json) or wait for
// slices (incomplete.json), and continue the numbering. The scans are *ordered* by
// acquisition time (scan.json keeps each scan's key), never by arrival: a late or resent
// older scan is compared with the scan acquired before it and is not the session's newest.
// The report of the session's newest analysed scan is kept in memory as the next scan's
// `previous`.
// Not thread-safe: SidecarCore guards it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/analysis/ScanReport.h"
#include "sidecar/SessionStatus.h"

namespace sij::sidecar {

inline constexpr const char* kReportFileName = "report.json";
inline constexpr const char* kErrorFileName = "error.json";
// Written instead of a report while the series is not the whole scan (no verdict); removed
// when the complete series is analysed.
inline constexpr const char* kIncompleteFileName = "incomplete.json";
// An earlier report.json set aside when a later attempt at the same series failed or found it
// incomplete (kept for the record, never shown as current).
inline constexpr const char* kSupersededReportFileName = "report.superseded.json";

class Session {
 public:
  Session(std::string study_uid, std::filesystem::path session_dir);

  const std::string& study_uid() const { return study_uid_; }
  const std::filesystem::path& session_dir() const { return session_dir_; }

  // Reads the scan folders a previous run left (numbering, which series have a result).
  void load_existing_scans();

  // The scan of this series: the existing one (a re-sent series replaces its results) or a
  // new one numbered after the last.
  ScanStatus& scan_for(const std::string& series_uid);
  // Nothing left to do for this series: error.json, or report.json with every output made
  // (scan.json says outputs_done; a folder without scan.json predates the journal: done).
  bool has_result(const std::string& series_uid) const;
  // The scan acquired last before `series_uid` that has a report, or nullptr. Order: the
  // acquisition keys; where either is empty or they are equal, the scan numbers.
  const ScanStatus* analysed_scan_before(const std::string& series_uid) const;
  // No other scan of the session was acquired after `series_uid`.
  bool is_newest(const std::string& series_uid) const;

  const std::vector<ScanStatus>& scans() const { return scans_; }  // by scan number
  std::vector<ScanStatus> scans_by_acquisition() const;

  // The report of the session's newest analysed scan in this run (the next scan's `previous`).
  std::shared_ptr<const analysis::ScanReport> last_report;
  std::string last_report_series;

 private:
  const ScanStatus* find(const std::string& series_uid) const;

  std::string study_uid_;
  std::filesystem::path session_dir_;
  std::vector<ScanStatus> scans_;  // by scan_index
};

// Per-scan journal (scan.json): the series, its acquisition key and the instance count, written
// when the scan is first taken up, read back after a restart.
inline constexpr const char* kScanJournalFileName = "scan.json";

// a before b in acquisition order (see analysed_scan_before).
bool acquired_before(const ScanStatus& a, const ScanStatus& b);

// "scan_03_<series>" for index 3.
std::string scan_folder_name(int scan_index, const std::string& series_uid);

}  // namespace sij::sidecar
