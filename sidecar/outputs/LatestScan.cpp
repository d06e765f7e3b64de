#include "sidecar/outputs/LatestScan.h"

#include <chrono>
#include <ctime>

namespace sij::sidecar {
namespace {

std::string now_utc_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

LatestScan capture_latest(const ScanEvent& event) {
  LatestScan latest;
  latest.study_uid = event.study_uid;
  latest.series_uid = event.series_uid;
  latest.scan_index = event.scan_index;
  latest.scan_dir = event.scan_dir.string();
  latest.received_utc = now_utc_iso8601();
  if (event.report == nullptr) return latest;
  const auto& report = *event.report;
  latest.verdict_line = report.verdict.line;
  for (const auto& entry : report.needles) {
    LatestNeedle n;
    n.id = entry.needle.id;
    n.side = entry.needle.side;
    for (int k = 0; k < 3; ++k) n.tip_mm[k] = entry.needle.tip_mm[k];
    n.inserted_length_mm = entry.needle.inserted_length_mm;
    n.tip_uncertainty_mm = entry.needle.tip_uncertainty_mm;
    n.joint_found = entry.relation.joint_found;
    n.tip_in_joint = entry.relation.tip_in_joint;
    n.tip_to_joint_mm = entry.relation.tip_to_joint_mm;
    latest.needles.push_back(n);
  }
  latest.gas_analysed = report.gas.analysed;
  latest.gas_injected_ml = report.gas.injected_ml;
  latest.gas_intra_articular_ml = report.gas.intra_articular_ml;
  latest.gas_peri_articular_ml = report.gas.peri_articular_ml;
  latest.gas_distant_ml = report.gas.distant_ml;
  if (const auto it = report.timings_ms.find("total"); it != report.timings_ms.end()) latest.analysis_ms = it->second;
  return latest;
}

nlohmann::json to_json(const LatestScan& latest) {
  nlohmann::json needles = nlohmann::json::array();
  for (const auto& n : latest.needles) {
    needles.push_back({{"id", n.id},
                       {"side", n.side},
                       {"tip_mm_lps", {n.tip_mm[0], n.tip_mm[1], n.tip_mm[2]}},
                       {"tip_uncertainty_mm", n.tip_uncertainty_mm},
                       {"inserted_length_mm", n.inserted_length_mm},
                       {"joint_found", n.joint_found},
                       {"tip_in_joint", n.tip_in_joint},
                       {"tip_to_joint_mm", n.tip_to_joint_mm}});
  }
  return {{"study_uid", latest.study_uid},
          {"series_uid", latest.series_uid},
          {"scan_index", latest.scan_index},
          {"scan_dir", latest.scan_dir},
          {"verdict_line", latest.verdict_line},
          {"needles", needles},
          {"gas",
           {{"analysed", latest.gas_analysed},
            {"injected_ml", latest.gas_injected_ml},
            {"intra_articular_ml", latest.gas_intra_articular_ml},
            {"peri_articular_ml", latest.gas_peri_articular_ml},
            {"distant_ml", latest.gas_distant_ml}}},
          {"analysis_ms", latest.analysis_ms},
          {"received_utc", latest.received_utc}};
}

}  // namespace sij::sidecar
