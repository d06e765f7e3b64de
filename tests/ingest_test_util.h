// Helpers shared by the ingest tests: where the real files are, scratch folders, running
// tools, and a small DICOM series writer (DCMTK) for round trips and bad-input cases.
#pragma once

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <dcmtk/dcmjpls/djrparam.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace sij::ingest::testing {

namespace fs = std::filesystem;

inline std::string shared_dir() { return std::string(SIJTRACK_SOURCE_DIR) + "/../shared"; }
inline std::string real_ct(const std::string& folder) {
  return shared_dir() + "/data/real-ct/" + folder;
}
inline std::string pydicom_file(const std::string& name) {
  return "/usr/lib/python3/dist-packages/pydicom/data/test_files/" + name;
}

#define SIJ_REQUIRE_PATH(p)                                                        \
  do {                                                                             \
    if (!std::filesystem::exists(p)) GTEST_SKIP() << "test data absent: " << (p); \
  } while (0)

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sijtrack-ingest-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Copies the regular files of `src` into `dst` (created), writable.
inline void copy_files(const std::string& src, const std::string& dst) {
  fs::create_directories(dst);
  for (const auto& e : fs::directory_iterator(src)) {
    if (!e.is_regular_file()) continue;
    const fs::path to = fs::path(dst) / e.path().filename();
    fs::copy_file(e.path(), to, fs::copy_options::overwrite_existing);
    fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
  }
}

// Runs a shell command; returns its stdout and sets `status` to its exit code.
inline std::string run_command(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  if (status != nullptr) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

// Edits one DICOM file in place with DCMTK (keeping its transfer syntax).
inline void edit_dicom(const std::string& path, const std::function<void(DcmDataset&)>& edit) {
  DcmFileFormat ff;
  ASSERT_TRUE(ff.loadFile(path.c_str()).good()) << path;
  ff.loadAllDataIntoMemory();  // the file is rewritten in place: no lazy values
  edit(*ff.getDataset());
  const E_TransferSyntax xfer = ff.getDataset()->getOriginalXfer();
  ASSERT_TRUE(ff.saveFile(path.c_str(), xfer).good()) << path;
}

inline void register_test_encoders() {
  static std::once_flag once;
  std::call_once(once, [] {
    DJEncoderRegistration::registerCodecs();
    DJLSEncoderRegistration::registerCodecs();
    DcmRLEEncoderRegistration::registerCodecs();
  });
}

// A synthetic CT series as a test writes it.
struct SeriesSpec {
  int nx = 24, ny = 20, nz = 7;
  double row_spacing_mm = 0.7, col_spacing_mm = 0.6, slice_spacing_mm = 1.25;
  std::array<double, 3> origin_mm{-40.0, 25.5, 110.0};
  std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};  // row cosines, column cosines
  double slope = 1.0, intercept = -1024.0;
  bool signed_pixels = false;
  std::string modality = "CT";
  std::string series_uid = "1.2.826.0.1.3680043.9.7433.1.1";
  E_TransferSyntax xfer = EXS_LittleEndianExplicit;
  // Stored value of voxel (x, y, z).
  std::function<int(int, int, int)> stored = [](int x, int y, int z) {
    return (x * 37 + y * 101 + z * 499) % 3000;
  };
};

inline std::array<double, 3> slice_normal(const SeriesSpec& s) {
  const auto& o = s.orientation;
  return {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
}

// Writes slice z of the series to `path` (file names and InstanceNumbers are chosen by the
// caller; position follows the slice normal).
inline void write_ct_slice(const SeriesSpec& s, int z, const std::string& path,
                           int instance_number) {
  register_test_encoders();
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  char uid[100];
  const auto n = slice_normal(s);
  char buf[256];
  ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
  ds->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
  ds->putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.9.7433.2");
  ds->putAndInsertString(DCM_SeriesInstanceUID, s.series_uid.c_str());
  ds->putAndInsertString(DCM_FrameOfReferenceUID, "1.2.826.0.1.3680043.9.7433.3");
  ds->putAndInsertString(DCM_Modality, s.modality.c_str());
  ds->putAndInsertString(DCM_Manufacturer, "sijtrack test writer");
  ds->putAndInsertString(DCM_SeriesDescription, "round trip");
  ds->putAndInsertString(DCM_PatientPosition, "HFP");
  ds->putAndInsertString(DCM_KVP, "120");
  ds->putAndInsertString(DCM_ConvolutionKernel, "B30f");
  ds->putAndInsertString(DCM_AcquisitionDate, "20240102");
  ds->putAndInsertString(DCM_AcquisitionTime, "101112");
  ds->putAndInsertFloat64(DCM_CTDIvol, 12.5);
  ds->putAndInsertString(DCM_InstanceNumber, std::to_string(instance_number).c_str());
  const double p[3] = {s.origin_mm[0] + z * s.slice_spacing_mm * n[0],
                       s.origin_mm[1] + z * s.slice_spacing_mm * n[1],
                       s.origin_mm[2] + z * s.slice_spacing_mm * n[2]};
  std::snprintf(buf, sizeof buf, "%.6f\\%.6f\\%.6f", p[0], p[1], p[2]);
  ds->putAndInsertString(DCM_ImagePositionPatient, buf);
  const auto& o = s.orientation;
  std::snprintf(buf, sizeof buf, "%.8f\\%.8f\\%.8f\\%.8f\\%.8f\\%.8f", o[0], o[1], o[2], o[3], o[4], o[5]);
  ds->putAndInsertString(DCM_ImageOrientationPatient, buf);
  std::snprintf(buf, sizeof buf, "%.6f\\%.6f", s.row_spacing_mm, s.col_spacing_mm);
  ds->putAndInsertString(DCM_PixelSpacing, buf);
  std::snprintf(buf, sizeof buf, "%.6f", s.slice_spacing_mm);
  ds->putAndInsertString(DCM_SliceThickness, buf);
  std::snprintf(buf, sizeof buf, "%g", s.slope);
  ds->putAndInsertString(DCM_RescaleSlope, buf);
  std::snprintf(buf, sizeof buf, "%g", s.intercept);
  ds->putAndInsertString(DCM_RescaleIntercept, buf);
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(s.ny));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(s.nx));
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 16);
  ds->putAndInsertUint16(DCM_HighBit, 15);
  ds->putAndInsertUint16(DCM_PixelRepresentation, s.signed_pixels ? 1 : 0);
  std::vector<Uint16> px(static_cast<std::size_t>(s.nx) * s.ny);
  for (int y = 0; y < s.ny; ++y)
    for (int x = 0; x < s.nx; ++x)
      px[static_cast<std::size_t>(y) * s.nx + x] = static_cast<Uint16>(s.stored(x, y, z));
  ds->putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(px.size()));

  OFCondition cond = EC_Normal;
  if (s.xfer == EXS_JPEGProcess14SV1) {
    DJ_RPLossless params;
    cond = ds->chooseRepresentation(s.xfer, &params);
  } else if (s.xfer == EXS_JPEGLSLossless) {
    DJLSRepresentationParameter params(0, OFTrue);
    cond = ds->chooseRepresentation(s.xfer, &params);
  } else if (s.xfer == EXS_RLELossless) {
    cond = ds->chooseRepresentation(s.xfer, nullptr);
  }
  ASSERT_TRUE(cond.good()) << "encoding to " << DcmXfer(s.xfer).getXferName() << ": " << cond.text();
  cond = ff.saveFile(path.c_str(), s.xfer);
  ASSERT_TRUE(cond.good()) << path << ": " << cond.text();
}

// Writes a whole series into `dir`; files named so that name order and InstanceNumber
// order both disagree with the position order.
inline void write_ct_series(const SeriesSpec& s, const std::string& dir) {
  fs::create_directories(dir);
  for (int z = 0; z < s.nz; ++z) {
    const int shuffled = (z * 5 + 3) % s.nz;  // nz coprime with 5 in our specs
    write_ct_slice(s, z, dir + "/img" + std::to_string(shuffled) + ".dcm", s.nz - z);
  }
}

}  // namespace sij::ingest::testing
