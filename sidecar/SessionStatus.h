// What the sidecar is doing now, for the HTTP status endpoint and the log: the sessions
// (one per StudyInstanceUID), their scans, the latest verdict, and the work still queued.
// to_json gives the endpoint's body (schema "sijtrack.sidecar.status/1").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sij::sidecar {

inline constexpr const char* kSidecarStatusSchema = "sijtrack.sidecar.status/1";

struct ScanStatus {
  int scan_index = 0;               // 0-based order within the session
  std::string series_uid;
  int instances = 0;                // slices (or frames files) the scan was built from
  std::string acquisition_key;      // AcquisitionDate+Time (sortable); orders the session's scans
  std::string scan_dir;             // <out>/<study>/scan_NN_<series>
  std::string verdict_line;         // report.verdict.line; empty when the verdict stage is off
  std::string error;                // non-empty when the series could not be ingested/analysed
  // Non-empty while the series is not the whole scan ("incomplete: 17 slices received, gap
  // between z = ... and ... mm"): no verdict is given; it is re-checked when slices arrive.
  std::string incomplete;
  double analysis_ms = 0;           // ingest + analysis + report, wall clock
};

struct SessionStatusEntry {
  std::string study_uid;
  std::string session_dir;          // <out>/<study>
  std::vector<ScanStatus> scans;    // in order of acquisition
};

struct SessionStatus {
  std::vector<SessionStatusEntry> sessions;  // by first arrival
  std::string last_verdict_line;    // of the most recently analysed scan (any session)
  std::string last_study_uid, last_series_uid;
  int open_series = 0;              // receiving, not yet complete
  int queued_series = 0;            // complete, waiting for analysis (not counting the one running)
  bool analysing = false;           // an analysis is running now
  std::int64_t instances_received = 0;  // spooled since start (SCP, watch folder, accept_file)
  std::int64_t instances_refused = 0;   // not CT, malformed, or the spool write failed
};

nlohmann::json to_json(const SessionStatus& status);

}  // namespace sij::sidecar
