// A CT volume as the pipeline sees it: int16 HU voxels (x fastest, then y, then z), the
// index grid with spacing, the placement in DICOM patient coordinates (LPS, mm) and the
// metadata the report needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij {

// Where the volume came from and how it was acquired. Empty strings and negative numbers
// mean "not given by the input" (NIfTI/NRRD/MetaImage carry almost none of this).
struct VolumeMetadata {
  std::string source_path;       // the folder or file that was read
  std::string source_format;     // "DICOM", "NIfTI", "NRRD", "MetaImage"
  std::string study_uid;         // (0020,000D)
  std::string series_uid;        // (0020,000E)
  std::string frame_of_reference_uid;  // (0020,0052)
  std::string acquisition_date;  // (0008,0022) YYYYMMDD, else SeriesDate/StudyDate
  std::string acquisition_time;  // (0008,0032) HHMMSS.frac, else SeriesTime/StudyTime
  std::string modality;          // (0008,0060), "CT" for every volume the ingest accepts
  std::string manufacturer;      // (0008,0070)
  std::string model;             // (0008,1090)
  std::string series_description;  // (0008,103E)
  std::string convolution_kernel;  // (0018,1210), values joined with '\'
  std::string patient_position;    // (0018,5100) HFS, HFP, FFP, ...
  std::string transfer_syntax;     // of the first slice, e.g. "1.2.840.10008.1.2.1"
  int series_number = -1;          // (0020,0011)
  double kvp = -1.0;               // (0018,0060) kV
  double ctdivol_mgy = -1.0;       // (0018,9345) mGy
  double slice_thickness_mm = -1.0;  // (0018,0050)
  double gantry_tilt_deg = 0.0;      // (0018,1120) as stated by the scanner
  std::int64_t padding_voxels = 0;   // voxels set to padding_hu (Pixel Padding Value)
  std::int64_t clamped_voxels = 0;   // voxels whose HU fell outside int16 and were clamped
  std::vector<std::string> slice_files;    // one per z, in z order (DICOM only)
  // DICOM only, one per z in z order: the SOP instance each plane came from and, for a frame
  // of a multi-frame object, its frame number (1-based; 0 for a single-frame file). The SEG
  // and SR written for the scan reference these.
  std::string sop_class_uid;  // (0008,0016) of the source images
  std::vector<std::string> slice_sop_instance_uids;
  std::vector<int> slice_frame_numbers;
  std::vector<std::string> skipped_files;  // files in the folder that were not used, and why
};

struct Volume {
  Grid grid;       // nx, ny, nz and the spacing in mm
  Affine3 affine;  // origin of voxel (0,0,0) and direction cosines, LPS
  std::vector<std::int16_t> hu;  // grid.voxel_count() values, x fastest
  VolumeMetadata meta;

  std::int16_t at(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return hu[static_cast<std::size_t>(grid.index(x, y, z))];
  }
};

}  // namespace sij
