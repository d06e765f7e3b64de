// The axial overlay as a DICOM Secondary Capture (SC Image Storage, RGB, 8 bit), in the same
// study as the scan it was made from, so it can go back to the console or to PACS. Patient
// and study attributes are copied from the source's first DICOM file; without one (NIfTI,
// NRRD, MetaImage input) the study UID of the report is used, or a new one, and the patient
// attributes stay empty (type 2). A new series, a derived-image description, burned-in
// annotation YES.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>

#include "pipeline/analysis/ScanReport.h"

namespace sij::report {

struct SecondaryCaptureOptions {
  std::string series_uid;          // empty: a new UID
  int series_number = 990;         // high, so the console lists it after the acquisitions
  int instance_number = 1;
  std::string series_description = "sijtrack overlay";
  // Display directions of the image's rows (left to right) and columns (top to bottom) as
  // patient-orientation letters, e.g. "R" and "P"; empty: left out.
  std::string row_direction, column_direction;
};

struct SecondaryCaptureWritten {
  std::string study_uid, series_uid, sop_instance_uid;
  bool patient_from_source = false;  // patient/study attributes were copied from a source file
};

class SecondaryCaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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
