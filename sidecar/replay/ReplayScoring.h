// A ScanSink for replay: records every scan the sidecar analysed (verdict, timing) and, when the
// recording has ground truth, scores it there and then (the report is only valid during the
// call) with datasets/scoring's score_scan against the scan's truth.json, and, for scans with
// injected gas, score_gas_labels against the phantom's labels.mha (gas Dice).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/scoring/ScanScore.h"
#include "sidecar/ScanSink.h"
#include "sidecar/replay/RecordedSession.h"

namespace sij::sidecar {

struct ReplayedScan {
  std::string session;        // RecordedSession::name
  int scan_index = 0;         // in the sidecar's session (order of analysis)
  std::string kind;           // from the recording
  std::string series_uid;
  std::string scan_dir;       // where the sidecar wrote report.json
  std::string verdict_line;
  int needles_reported = 0;
  double analysis_ms = 0;     // report timings "total"
  std::optional<scoring::ScanScore> score;  // when the recording has a truth.json for the scan
  std::string score_error;    // the truth was there but could not be used
};

class ReplayScoringSink : public ScanSink {
 public:
  // Registers the sessions' series so that each analysed scan finds its recording and truth.
  void expect(const RecordedSession& session);

  std::string name() const override { return "replay-scoring"; }
  void on_scan(const ScanEvent& event) noexcept override;

  std::vector<ReplayedScan> scans() const;  // in order of analysis
  int reports_for(const std::string& series_uid) const;

 private:
  struct Expected {
    std::string session, kind;
    std::filesystem::path truth_path, labels_path;
    const nlohmann::json* manifest = nullptr;
  };
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<nlohmann::json>> manifest_store_;
  std::map<std::string, Expected> by_series_;
  std::vector<ReplayedScan> scans_;
};

}  // namespace sij::sidecar
