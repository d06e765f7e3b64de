// The axial overlay as a DICOM Secondary Capture (SC Image Storage, RGB, 8 bit), in the same
// study as the scan it was made from, so it can go back to the console or to PACS. Patient
// and study attributes are copied from the source's first DICOM file; without one (NIfTI,
// NRRD, MetaImage input) the study UID of the report is used, or a new one, and the patient
// attributes stay empty (type 2). A derived-image description, burned-in annotation YES.
//
// One SC series per analysed scan, so that a PACS tells the scans apart: its SeriesInstanceUID
// is derived from the source's (the same scan analysed again gives the same series, new
// instances), its SeriesNumber from the source's (9000 + source number), its description names
// the scan ("sijtrack overlay of series 3 SIJ needle_final"). The instance number counts on from
// the file it replaces when that file holds the same series.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>

#include "pipeline/analysis/ScanReport.h"

namespace sij::report {

struct SecondaryCaptureOptions {
  std::string series_uid;          // empty: sc_series_uid(source), or a new UID without a source UID
  int series_number = -1;          // negative: sc_series_number(source)
  int instance_number = 0;         // 0: one after the instance in the file replaced (same series), else 1
  std::string series_description;  // empty: sc_series_description(source)
  // Display directions of the image's rows (left to right) and columns (top to bottom) as
  // patient-orientation letters, e.g. "R" and "P"; empty: left out.
  std::string row_direction, column_direction;
};

struct SecondaryCaptureWritten {
  std::string study_uid, series_uid, sop_instance_uid;
  int series_number = 0, instance_number = 0;
  bool patient_from_source = false;  // patient/study attributes were copied from a source file
};

class SecondaryCaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The SC series of the scan `source`: "2.25.<128-bit hash of the source SeriesInstanceUID>"
// (deterministic; empty when the source has no series UID).
std::string sc_series_uid(const VolumeMetadata& source);
// 9000 + the source's SeriesNumber (0..999999), so the console lists it after the acquisitions
// and beside its scan; 990 when the source has none.
int sc_series_number(const VolumeMetadata& source);
// "sijtrack overlay of series 3 SIJ needle_final" (at most 64 characters, DICOM LO).
std::string sc_series_description(const VolumeMetadata& source);

// The instance number after the one in `file` when `file` is an SC of `series_uid`; else 1 (a
// writer that stages its output elsewhere asks this of the file it will replace).
int next_instance_number(const std::filesystem::path& file, const std::string& series_uid);

// Writes `bgr` (CV_8UC3, OpenCV's BGR order) as an SC image to `file`. Throws
// SecondaryCaptureError when the image is not 8-bit colour or the file cannot be written.
SecondaryCaptureWritten write_secondary_capture(const cv::Mat& bgr, const analysis::ScanReport& report,
                                                const std::filesystem::path& file,
                                                const SecondaryCaptureOptions& options = {});

// The axial overlay of the report on `volume` (the scan it was made from) written as SC, with
// the orientation letters filled in.
SecondaryCaptureWritten write_axial_secondary_capture(const analysis::ScanReport& report, const Volume& volume,
                                                      const std::filesystem::path& file,
                                                      SecondaryCaptureOptions options = {});

}  // namespace sij::report
