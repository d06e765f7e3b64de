// One procedure = one StudyInstanceUID: its output folder and its scans in order. Each scan
// folder is <out>/<study>/scan_NN_<series>; after a restart the folders already written tell
// which series were analysed (report.json) or failed (error.json), and continue the numbering.
// The report of the scan analysed last is kept in memory as the next scan's `previous`.
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
  // A report.json or error.json exists for this series.
  bool has_result(const std::string& series_uid) const;
  // The latest scan before `series_uid` (by number) that has a report, or nullptr.
  const ScanStatus* earlier_analysed_scan(const std::string& series_uid) const;

  const std::vector<ScanStatus>& scans() const { return scans_; }

  // The report of the scan analysed last in this run (the next scan's `previous`).
  std::shared_ptr<const analysis::ScanReport> last_report;
  std::string last_report_series;

 private:
  std::string study_uid_;
  std::filesystem::path session_dir_;
  std::vector<ScanStatus> scans_;  // by scan_index
};

// "scan_03_<series>" for index 3.
std::string scan_folder_name(int scan_index, const std::string& series_uid);

}  // namespace sij::sidecar
