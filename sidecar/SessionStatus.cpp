#include "sidecar/SessionStatus.h"

namespace sij::sidecar {

nlohmann::json to_json(const SessionStatus& status) {
  nlohmann::json j;
  j["schema"] = kSidecarStatusSchema;
  j["sessions"] = nlohmann::json::array();
  for (const auto& session : status.sessions) {
    nlohmann::json s{{"study_uid", session.study_uid}, {"session_dir", session.session_dir}};
    s["scans"] = nlohmann::json::array();
    for (const auto& scan : session.scans) {
      s["scans"].push_back({{"scan_index", scan.scan_index},
                            {"series_uid", scan.series_uid},
                            {"instances", scan.instances},
                            {"acquisition_key", scan.acquisition_key},
                            {"scan_dir", scan.scan_dir},
                            {"verdict_line", scan.verdict_line},
                            {"error", scan.error},
                            {"incomplete", scan.incomplete},
                            {"analysis_ms", scan.analysis_ms}});
    }
    j["sessions"].push_back(std::move(s));
  }
  j["last_verdict_line"] = status.last_verdict_line;
  j["last_study_uid"] = status.last_study_uid;
  j["last_series_uid"] = status.last_series_uid;
  j["open_series"] = status.open_series;
  j["queued_series"] = status.queued_series;
  j["analysing"] = status.analysing;
  j["instances_received"] = status.instances_received;
  j["instances_refused"] = status.instances_refused;
  return j;
}

}  // namespace sij::sidecar
