#include "sidecar/Session.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "sidecar/Spool.h"

namespace sij::sidecar {
namespace fs = std::filesystem;

std::string scan_folder_name(int scan_index, const std::string& series_uid) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "scan_%02d_", scan_index);
  return prefix + safe_path_component(series_uid);
}

namespace {

// What the status shows of a scan analysed in an earlier run, read back from its report.json:
// the verdict line, the slice count (the volume's depth) and the analysis time. A report that
// does not parse leaves the scan as it was (the file stays for a person to look at).
void read_back_report(const fs::path& report_path, ScanStatus& scan) {
  std::ifstream in(report_path);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return;
  if (j.contains("verdict") && j["verdict"].contains("line") && j["verdict"]["line"].is_string())
    scan.verdict_line = j["verdict"]["line"].get<std::string>();
  if (j.contains("geometry") && j["geometry"].contains("size") && j["geometry"]["size"].size() == 3 &&
      j["geometry"]["size"][2].is_number_integer())
    scan.instances = j["geometry"]["size"][2].get<int>();
  if (j.contains("timings_ms") && j["timings_ms"].contains("total") && j["timings_ms"]["total"].is_number())
    scan.analysis_ms = j["timings_ms"]["total"].get<double>();
}

// The scan's journal (scan.json): its acquisition key and the real series UID.
void read_back_journal(const fs::path& journal_path, ScanStatus& scan) {
  std::ifstream in(journal_path);
  if (!in) return;
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return;
  if (j.contains("acquisition_key") && j["acquisition_key"].is_string())
    scan.acquisition_key = j["acquisition_key"].get<std::string>();
  if (j.contains("series_uid") && j["series_uid"].is_string()) scan.series_uid = j["series_uid"].get<std::string>();
  if (j.contains("instances") && j["instances"].is_number_integer()) scan.instances = j["instances"].get<int>();
}

}  // namespace

Session::Session(std::string study_uid, fs::path session_dir)
    : study_uid_(std::move(study_uid)), session_dir_(std::move(session_dir)) {}

void Session::load_existing_scans() {
  std::error_code ec;
  if (!fs::is_directory(session_dir_, ec)) return;
  for (const auto& entry : fs::directory_iterator(session_dir_, ec)) {
    const std::string name = entry.path().filename().string();
    int index = -1;
    int consumed = 0;
    // scan_NN_<series>: NN may grow past two digits in a very long session.
    if (!entry.is_directory() || std::sscanf(name.c_str(), "scan_%d_%n", &index, &consumed) != 1 || consumed == 0)
      continue;
    ScanStatus scan;
    scan.scan_index = index;
    scan.series_uid = name.substr(static_cast<size_t>(consumed));
    scan.scan_dir = entry.path().string();
    read_back_journal(entry.path() / kScanJournalFileName, scan);
    if (fs::exists(entry.path() / kReportFileName, ec)) read_back_report(entry.path() / kReportFileName, scan);
    if (fs::exists(entry.path() / kErrorFileName)) scan.error = "failed in an earlier run (see error.json)";
    if (fs::exists(entry.path() / kIncompleteFileName))
      scan.incomplete = scan.verdict_line = "incomplete in an earlier run (see incomplete.json)";
    scans_.push_back(scan);
  }
  std::sort(scans_.begin(), scans_.end(),
            [](const ScanStatus& a, const ScanStatus& b) { return a.scan_index < b.scan_index; });
}

ScanStatus& Session::scan_for(const std::string& series_uid) {
  const std::string safe = safe_path_component(series_uid);
  for (auto& scan : scans_)
    if (scan.series_uid == series_uid || scan.series_uid == safe) {
      scan.series_uid = series_uid;
      return scan;
    }
  ScanStatus scan;
  scan.scan_index = scans_.empty() ? 0 : scans_.back().scan_index + 1;
  scan.series_uid = series_uid;
  scan.scan_dir = (session_dir_ / scan_folder_name(scan.scan_index, series_uid)).string();
  scans_.push_back(scan);
  return scans_.back();
}

bool Session::has_result(const std::string& series_uid) const {
  const ScanStatus* scan = find(series_uid);
  if (!scan) return false;
  const fs::path dir = scan->scan_dir;
  if (fs::exists(dir / kErrorFileName)) return true;
  if (!fs::exists(dir / kReportFileName)) return false;
  // A report whose journal does not say its outputs were all made (a crash between the report
  // and the overlays, SC, sends) is not done. No journal at all: a folder from before journals.
  std::ifstream in(dir / kScanJournalFileName);
  if (!in) return true;
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return !j.is_discarded() && j.value("outputs_done", false);
}

bool acquired_before(const ScanStatus& a, const ScanStatus& b) {
  if (!a.acquisition_key.empty() && !b.acquisition_key.empty() && a.acquisition_key != b.acquisition_key)
    return a.acquisition_key < b.acquisition_key;
  return a.scan_index < b.scan_index;
}

const ScanStatus* Session::analysed_scan_before(const std::string& series_uid) const {
  const ScanStatus* self = find(series_uid);
  if (!self) return nullptr;
  const ScanStatus* best = nullptr;
  for (const auto& scan : scans_) {
    if (&scan == self || !acquired_before(scan, *self)) continue;
    if (!fs::exists(fs::path(scan.scan_dir) / kReportFileName)) continue;
    if (!best || acquired_before(*best, scan)) best = &scan;
  }
  return best;
}

bool Session::is_newest(const std::string& series_uid) const {
  const ScanStatus* self = find(series_uid);
  if (!self) return false;
  return std::none_of(scans_.begin(), scans_.end(),
                      [&](const ScanStatus& scan) { return &scan != self && acquired_before(*self, scan); });
}

std::vector<ScanStatus> Session::scans_by_acquisition() const {
  std::vector<ScanStatus> out = scans_;
  std::stable_sort(out.begin(), out.end(), acquired_before);
  return out;
}

const ScanStatus* Session::find(const std::string& series_uid) const {
  const std::string safe = safe_path_component(series_uid);
  for (const auto& scan : scans_)
    if (scan.series_uid == series_uid || scan.series_uid == safe) return &scan;
  return nullptr;
}

}  // namespace sij::sidecar
