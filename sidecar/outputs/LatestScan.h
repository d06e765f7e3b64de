// The numbers of the most recent scan that the status page and /latest.json show: a copy taken
// during ScanSink::on_scan (the report itself is only valid during that call).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/ScanSink.h"

namespace sij::sidecar {

struct LatestNeedle {
  int id = 0;
  std::string side;
  double tip_mm[3] = {0, 0, 0};  // LPS
  double inserted_length_mm = 0;
  bool joint_found = false;
  bool tip_in_joint = false;
  double tip_to_joint_mm = 0;    // signed, negative inside
  double tip_uncertainty_mm = 0;
};

struct LatestScan {
  std::string study_uid, series_uid;
  int scan_index = 0;
  std::string scan_dir;
  std::string verdict_line;
  std::vector<LatestNeedle> needles;
  bool gas_analysed = false;
  double gas_injected_ml = 0, gas_intra_articular_ml = 0, gas_peri_articular_ml = 0, gas_distant_ml = 0;
  double analysis_ms = 0;        // report.timings_ms["total"] when present
  std::string received_utc;      // when the sink saw it, ISO 8601
};

LatestScan capture_latest(const ScanEvent& event);
nlohmann::json to_json(const LatestScan& latest);

}  // namespace sij::sidecar
