#include "pipeline/ingest/VolumeSummary.h"

#include <algorithm>
#include <cstdio>

namespace sij::ingest {

nlohmann::json volume_summary_json(const Volume& v) {
  nlohmann::json j;
  j["size"] = {v.grid.nx, v.grid.ny, v.grid.nz};
  j["spacing_mm"] = {v.grid.sx_mm, v.grid.sy_mm, v.grid.sz_mm};
  j["origin_mm"] = {v.affine.origin_mm[0], v.affine.origin_mm[1], v.affine.origin_mm[2]};
  j["direction"] = nlohmann::json::array();
  for (int c = 0; c < 3; ++c) {  // one unit vector (LPS) per index axis x, y, z
    j["direction"].push_back(
        {v.affine.direction[0 * 3 + c], v.affine.direction[1 * 3 + c], v.affine.direction[2 * 3 + c]});
  }
  j["coordinates"] = "LPS";
  if (!v.hu.empty()) {
    const auto [lo, hi] = std::minmax_element(v.hu.begin(), v.hu.end());
    j["hu_min"] = *lo;
    j["hu_max"] = *hi;
  }
  const auto& m = v.meta;
  j["source"] = {{"path", m.source_path}, {"format", m.source_format},
                 {"transfer_syntax", m.transfer_syntax}, {"slice_files", m.slice_files.size()},
                 {"skipped_files", m.skipped_files}};
  j["metadata"] = {{"study_uid", m.study_uid},
                   {"series_uid", m.series_uid},
                   {"frame_of_reference_uid", m.frame_of_reference_uid},
                   {"series_number", m.series_number >= 0 ? nlohmann::json(m.series_number) : nlohmann::json()},
                   {"series_description", m.series_description},
                   {"modality", m.modality},
                   {"manufacturer", m.manufacturer},
                   {"model", m.model},
                   {"acquisition_date", m.acquisition_date},
                   {"acquisition_time", m.acquisition_time},
                   {"kvp", m.kvp},
                   {"ctdivol_mgy", m.ctdivol_mgy},
                   {"convolution_kernel", m.convolution_kernel},
                   {"patient_position", m.patient_position},
                   {"slice_thickness_mm", m.slice_thickness_mm},
                   {"gantry_tilt_deg", m.gantry_tilt_deg},
                   {"padding_voxels", m.padding_voxels},
                   {"clamped_voxels", m.clamped_voxels}};
  return j;
}

std::string volume_summary_text(const Volume& v) {
  const auto& m = v.meta;
  const auto& d = v.affine.direction;
  char buf[1024];
  std::string out;
  std::snprintf(buf, sizeof buf,
                "%s %s\n  size %d x %d x %d voxels, spacing %.4f x %.4f x %.4f mm\n"
                "  origin (%.3f, %.3f, %.3f) mm LPS\n"
                "  direction x (%.4f, %.4f, %.4f) y (%.4f, %.4f, %.4f) z (%.4f, %.4f, %.4f)\n",
                m.source_format.c_str(), m.source_path.c_str(), v.grid.nx, v.grid.ny, v.grid.nz,
                v.grid.sx_mm, v.grid.sy_mm, v.grid.sz_mm, v.affine.origin_mm[0],
                v.affine.origin_mm[1], v.affine.origin_mm[2], d[0], d[3], d[6], d[1], d[4], d[7],
                d[2], d[5], d[8]);
  out += buf;
  if (!v.hu.empty()) {
    const auto [lo, hi] = std::minmax_element(v.hu.begin(), v.hu.end());
    std::snprintf(buf, sizeof buf, "  HU range %d .. %d (padding voxels %lld, clamped %lld)\n", *lo,
                  *hi, static_cast<long long>(m.padding_voxels),
                  static_cast<long long>(m.clamped_voxels));
    out += buf;
  }
  if (m.source_format == "DICOM") {
    // SeriesNumber (0020,0011) is Type 2: it may be empty, which is said, not printed as -1.
    const std::string series_number =
        m.series_number >= 0 ? "series " + std::to_string(m.series_number) : "no series number";
    std::snprintf(buf, sizeof buf,
                  "  %s %s %s, %s \"%s\", %s %s\n  kVp %.0f, kernel %s, CTDIvol %.2f mGy, "
                  "patient position %s\n  series %s\n  %zu slice files, %zu skipped\n",
                  m.modality.c_str(), m.manufacturer.c_str(), m.model.c_str(), series_number.c_str(),
                  m.series_description.c_str(), m.acquisition_date.c_str(),
                  m.acquisition_time.c_str(), m.kvp, m.convolution_kernel.c_str(), m.ctdivol_mgy,
                  m.patient_position.c_str(), m.series_uid.c_str(), m.slice_files.size(),
                  m.skipped_files.size());
    out += buf;
  }
  return out;
}

}  // namespace sij::ingest
