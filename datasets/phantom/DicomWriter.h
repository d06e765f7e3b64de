// Writes one scan as a DICOM series (CT Image Storage, one file per slice) with DCMTK.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij::phantom {

struct DicomSeriesInfo {
  std::string patient_name, patient_id, patient_birth_date, patient_sex;
  std::string study_uid, frame_of_reference_uid, series_uid;
  std::uint64_t instance_uid_seed = 0;  // SOP instance UIDs derive from it
  std::string study_date, study_time, study_id, accession_number;
  std::string series_time, acquisition_time;  // HHMMSS.ffffff
  int series_number = 1;
  std::string series_description;
  double ctdivol_mgy = 10.0;
  double kvp = 120.0;
  double tube_current_ma = 200.0;
  std::string convolution_kernel = "STANDARD";
  std::string patient_position = "HFP";
};

// Writes <dir>/IM_0001.dcm ... one file per slice of `hu` (int16 HU, x fastest). Pixels are
// stored unsigned with RescaleIntercept -1024, RescaleSlope 1. The grid's direction must be
// orthonormal; IOP is its first two columns. Throws std::runtime_error on failure.
std::vector<std::string> write_dicom_series(const std::string& dir, const Grid& grid, const Affine3& affine,
                                            const std::vector<std::int16_t>& hu, const DicomSeriesInfo& info);

// DICOM DS formatting used for every geometry value (at most 16 characters).
std::string dicom_ds(double v);
std::string dicom_ds_float(float v);  // shortest decimal that reads back to v

}  // namespace sij::phantom
