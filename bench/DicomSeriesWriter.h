// Writes a volume as a CT series with DCMTK (explicit VR little endian, 12 bits stored,
// intercept -1024, one file per slice): the input of the ingest and sidecar benchmarks.
// Positions and orientation come from the volume's affine, so a phantom scan keeps its
// patient coordinates.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij::bench {

struct SeriesTags {
  std::string study_uid, frame_uid;   // generated when empty
  int series_number = 1;
  std::string patient_name = "Bench^Series";
  std::string description;
  std::string acquisition_time;       // HHMMSS; none when empty
  bool images_in_acquisition = false; // write (0020,1002) = slice count: complete on its last slice
  // Instance numbers against the position order and scrambled file names, as exports often
  // have them (the reader must sort by position, not by name or number).
  bool scrambled_order = false;
};

inline std::string new_uid(const char* root) {
  char uid[100];
  return dcmGenerateUniqueIdentifier(uid, root);
}

// Returns the bytes written.
inline std::int64_t write_ct_series(const Grid& g, const Affine3& affine, const std::int16_t* hu,
                                    const std::filesystem::path& dir, SeriesTags tags) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  if (tags.study_uid.empty()) tags.study_uid = new_uid(SITE_STUDY_UID_ROOT);
  if (tags.frame_uid.empty()) tags.frame_uid = new_uid(SITE_INSTANCE_UID_ROOT);
  const std::string series = new_uid(SITE_SERIES_UID_ROOT);
  const std::size_t plane = static_cast<std::size_t>(g.nx) * g.ny;
  // Row direction: index axis x; column direction: index axis y (Affine3 columns).
  char orientation[200];
  std::snprintf(orientation, sizeof orientation, "%.6f\\%.6f\\%.6f\\%.6f\\%.6f\\%.6f", affine.direction[0],
                affine.direction[3], affine.direction[6], affine.direction[1], affine.direction[4], affine.direction[7]);
  std::vector<Uint16> px(plane);
  std::int64_t bytes = 0;
  for (int z = 0; z < g.nz; ++z) {
    const std::int16_t* src = hu + static_cast<std::size_t>(z) * plane;
    for (std::size_t i = 0; i < plane; ++i) px[i] = static_cast<Uint16>(std::clamp(src[i] + 1024, 0, 4095));
    DcmFileFormat ff;
    DcmDataset* ds = ff.getDataset();
    char buf[256];
    ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
    ds->putAndInsertString(DCM_SOPInstanceUID, new_uid(SITE_INSTANCE_UID_ROOT).c_str());
    ds->putAndInsertString(DCM_StudyInstanceUID, tags.study_uid.c_str());
    ds->putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
    ds->putAndInsertString(DCM_FrameOfReferenceUID, tags.frame_uid.c_str());
    ds->putAndInsertString(DCM_Modality, "CT");
    ds->putAndInsertString(DCM_PatientName, tags.patient_name.c_str());
    ds->putAndInsertString(DCM_PatientID, "BENCH");
    ds->putAndInsertString(DCM_Manufacturer, "sijtrack bench");
    if (!tags.description.empty()) ds->putAndInsertString(DCM_SeriesDescription, tags.description.c_str());
    ds->putAndInsertString(DCM_PatientPosition, "HFP");
    ds->putAndInsertString(DCM_KVP, "120");
    ds->putAndInsertString(DCM_ConvolutionKernel, "B30f");
    ds->putAndInsertString(DCM_SeriesNumber, std::to_string(tags.series_number).c_str());
    if (!tags.acquisition_time.empty()) {
      ds->putAndInsertString(DCM_AcquisitionDate, "20240101");
      ds->putAndInsertString(DCM_AcquisitionTime, tags.acquisition_time.c_str());
    }
    const int instance = tags.scrambled_order ? g.nz - z : z + 1;
    ds->putAndInsertString(DCM_InstanceNumber, std::to_string(instance).c_str());
    if (tags.images_in_acquisition) ds->putAndInsertString(DCM_ImagesInAcquisition, std::to_string(g.nz).c_str());
    const double index[3] = {0.0, 0.0, static_cast<double>(z)};
    double position[3];
    affine.index_to_physical(g, index, position);
    std::snprintf(buf, sizeof buf, "%.4f\\%.4f\\%.4f", position[0], position[1], position[2]);
    ds->putAndInsertString(DCM_ImagePositionPatient, buf);
    ds->putAndInsertString(DCM_ImageOrientationPatient, orientation);
    std::snprintf(buf, sizeof buf, "%.4f\\%.4f", g.sy_mm, g.sx_mm);
    ds->putAndInsertString(DCM_PixelSpacing, buf);
    std::snprintf(buf, sizeof buf, "%.4f", g.sz_mm);
    ds->putAndInsertString(DCM_SliceThickness, buf);
    ds->putAndInsertString(DCM_RescaleIntercept, "-1024");
    ds->putAndInsertString(DCM_RescaleSlope, "1");
    ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(g.ny));
    ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(g.nx));
    ds->putAndInsertUint16(DCM_BitsAllocated, 16);
    ds->putAndInsertUint16(DCM_BitsStored, 12);
    ds->putAndInsertUint16(DCM_HighBit, 11);
    ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
    ds->putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(plane));
    if (tags.scrambled_order) std::snprintf(buf, sizeof buf, "IM%05d", (instance * 7919) % 100000);
    else std::snprintf(buf, sizeof buf, "IM%05d.dcm", z + 1);
    const fs::path path = dir / buf;
    const OFCondition cond = ff.saveFile(path.c_str(), EXS_LittleEndianExplicit);
    if (cond.bad()) throw std::runtime_error("writing " + path.string() + ": " + cond.text());
    bytes += static_cast<std::int64_t>(fs::file_size(path));
  }
  return bytes;
}

}  // namespace sij::bench
