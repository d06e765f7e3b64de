#include "sidecar/replay/RecordedSession.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <fstream>
#include <map>

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> regular_files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

RecordedSession read_manifest_session(const fs::path& dir) {
  RecordedSession session;
  session.dir = dir;
  session.name = dir.filename().string();
  std::ifstream in(dir / "manifest.json");
  try {
    session.manifest = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw ReplayError("cannot read " + (dir / "manifest.json").string() + ": " + e.what());
  }
  const auto& m = session.manifest;
  session.study_uid = m.value("study_instance_uid", "");
  if (!m.contains("scans") || !m["scans"].is_array() || m["scans"].empty()) {
    throw ReplayError((dir / "manifest.json").string() + " lists no scans");
  }
  for (const auto& s : m["scans"]) {
    RecordedScan scan;
    scan.index = s.value("index", static_cast<int>(session.scans.size()));
    scan.kind = s.value("kind", "");
    scan.series_uid = s.value("series_instance_uid", "");
    scan.seconds_from_start = s.value("seconds_from_start", 0.0);
    const fs::path dicom_dir = dir / s.value("dicom_dir", "");
    if (!fs::is_directory(dicom_dir)) {
      throw ReplayError("the manifest names " + dicom_dir.string() + ", which is not a folder");
    }
    scan.files = regular_files_in(dicom_dir);
    const std::string truth = s.value("truth", "");
    if (!truth.empty() && fs::is_regular_file(dir / truth)) scan.truth_path = dir / truth;
    const std::string labels = s.value("labels_mha", "");
    if (!labels.empty() && fs::is_regular_file(dir / labels)) scan.labels_path = dir / labels;
    session.scans.push_back(std::move(scan));
  }
  std::stable_sort(session.scans.begin(), session.scans.end(),
                   [](const RecordedScan& a, const RecordedScan& b) { return a.seconds_from_start < b.seconds_from_start; });
  return session;
}

// Seconds since midnight of "HHMMSS.frac" and days of "YYYYMMDD" (as a plain day count good
// enough to order scans and space them; a session crossing a month end is rare and only
// affects the waiting time of --speed realtime).
double seconds_of(const std::string& date, const std::string& time) {
  double seconds = 0;
  if (time.size() >= 6) {
    seconds = std::stoi(time.substr(0, 2)) * 3600.0 + std::stoi(time.substr(2, 2)) * 60.0 + std::stod(time.substr(4));
  }
  if (date.size() == 8) seconds += (std::stoi(date.substr(0, 4)) * 372.0 + std::stoi(date.substr(4, 2)) * 31.0 +
                                    std::stoi(date.substr(6, 2))) * 86400.0;
  return seconds;
}

struct SeriesFiles {
  std::string study_uid, description;
  int series_number = -1;
  double acquired_s = 0;
  std::vector<fs::path> files;
};

RecordedSession read_plain_folder(const fs::path& dir) {
  RecordedSession session;
  session.dir = dir;
  session.name = dir.filename().string();
  std::map<std::string, SeriesFiles> series;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    DcmFileFormat format;
    if (format.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                                DCM_PixelData).bad()) {
      ++session.skipped_files;
      continue;
    }
    DcmDataset* ds = format.getDataset();
    OFString series_uid, study_uid, description, date, time;
    if (ds->findAndGetOFString(DCM_SeriesInstanceUID, series_uid).bad() || series_uid.empty()) {
      ++session.skipped_files;
      continue;
    }
    auto& s = series[series_uid.c_str()];
    if (s.files.empty()) {
      ds->findAndGetOFString(DCM_StudyInstanceUID, study_uid);
      ds->findAndGetOFString(DCM_SeriesDescription, description);
      Sint32 number = -1;
      if (ds->findAndGetSint32(DCM_SeriesNumber, number).good()) s.series_number = number;
      if (ds->findAndGetOFString(DCM_AcquisitionTime, time).bad() || time.empty()) {
        ds->findAndGetOFString(DCM_SeriesTime, time);
      }
      if (ds->findAndGetOFString(DCM_AcquisitionDate, date).bad() || date.empty()) {
        ds->findAndGetOFString(DCM_SeriesDate, date);
      }
      s.study_uid = study_uid.c_str();
      s.description = description.c_str();
      try {
        s.acquired_s = seconds_of(date.c_str(), time.c_str());
      } catch (const std::exception&) {
        s.acquired_s = 0;  // unparseable time: ordered by series number only
      }
    }
    s.files.push_back(file);
  }
  if (series.empty()) {
    throw ReplayError("no DICOM series in " + dir.string() + " (and no manifest.json)");
  }
  std::vector<std::pair<std::string, SeriesFiles>> ordered(series.begin(), series.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (a.second.acquired_s != b.second.acquired_s) return a.second.acquired_s < b.second.acquired_s;
    return a.second.series_number < b.second.series_number;
  });
  const double first_s = ordered.front().second.acquired_s;
  for (auto& [uid, s] : ordered) {
    RecordedScan scan;
    scan.index = static_cast<int>(session.scans.size());
    scan.kind = !s.description.empty() ? s.description
                : s.series_number >= 0 ? "series " + std::to_string(s.series_number)
                                       : "series";
    scan.series_uid = uid;
    scan.seconds_from_start = std::max(0.0, s.acquired_s - first_s);
    scan.files = std::move(s.files);
    if (session.study_uid.empty()) session.study_uid = s.study_uid;
    session.scans.push_back(std::move(scan));
  }
  return session;
}

}  // namespace

bool RecordedSession::has_truth() const {
  return std::any_of(scans.begin(), scans.end(), [](const RecordedScan& s) { return !s.truth_path.empty(); });
}

std::size_t RecordedSession::file_count() const {
  std::size_t n = 0;
  for (const auto& s : scans) n += s.files.size();
  return n;
}

RecordedSession read_recorded_session(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw ReplayError(dir.string() + " is not a folder");
  try {
    if (fs::is_regular_file(dir / "manifest.json")) return read_manifest_session(dir);
    return read_plain_folder(dir);
  } catch (const fs::filesystem_error& e) {
    throw ReplayError(std::string("cannot read the session folder: ") + e.what());
  }
}

}  // namespace sij::sidecar
