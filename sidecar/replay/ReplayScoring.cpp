#include "sidecar/replay/ReplayScoring.h"

#include <spdlog/spdlog.h>

#include <fstream>

namespace sij::sidecar {

void ReplayScoringSink::expect(const RecordedSession& session) {
  std::lock_guard lock(mutex_);
  manifest_store_.push_back(std::make_unique<nlohmann::json>(session.manifest));
  const nlohmann::json* manifest = manifest_store_.back().get();
  for (const auto& scan : session.scans) {
    by_series_[scan.series_uid] = {session.name, scan.kind, scan.truth_path, scan.labels_path, manifest};
  }
}

void ReplayScoringSink::on_scan(const ScanEvent& event) noexcept {
  try {
    ReplayedScan out;
    out.scan_index = event.scan_index;
    out.series_uid = event.series_uid;
    out.scan_dir = event.scan_dir.string();
    Expected expected;
    {
      std::lock_guard lock(mutex_);
      if (auto it = by_series_.find(event.series_uid); it != by_series_.end()) expected = it->second;
    }
    out.session = expected.session;
    out.kind = expected.kind;
    if (event.report != nullptr) {
      const auto& report = *event.report;
      out.verdict_line = report.verdict.line;
      out.needles_reported = static_cast<int>(report.needles.size());
      if (auto t = report.timings_ms.find("total"); t != report.timings_ms.end()) out.analysis_ms = t->second;
      if (!expected.truth_path.empty() && expected.manifest != nullptr) {
        try {
          std::ifstream in(expected.truth_path);
          const auto truth = nlohmann::json::parse(in);
          out.score = scoring::score_scan(report, truth, *expected.manifest);
          // The mask comparison reads the whole label volume: only where there is gas to find.
          if (out.score->gas_injected_truth && !expected.labels_path.empty() && !report.gas.mask.empty()) {
            scoring::score_gas_labels(*out.score, report, scoring::read_phantom_labels(expected.labels_path.string()));
          }
        } catch (const std::exception& e) {
          out.score_error = e.what();
          spdlog::warn("replay: scan {} of {} not scored: {}", event.scan_index, expected.session, e.what());
        }
      }
    }
    std::lock_guard lock(mutex_);
    scans_.push_back(std::move(out));
  } catch (const std::exception& e) {
    spdlog::error("replay: scan {} of {} not recorded: {}", event.scan_index, event.study_uid, e.what());
  }
}

std::vector<ReplayedScan> ReplayScoringSink::scans() const {
  std::lock_guard lock(mutex_);
  return scans_;
}

int ReplayScoringSink::reports_for(const std::string& series_uid) const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto& s : scans_) n += s.series_uid == series_uid ? 1 : 0;
  return n;
}

}  // namespace sij::sidecar
