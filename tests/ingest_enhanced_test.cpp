// Enhanced CT (multi-frame) objects written here with DCMTK: geometry in the Shared and
// Per-frame Functional Groups (Plane Position, Plane Orientation, Pixel Measures, Pixel
// Value Transformation), frames stored out of position order, read back voxel for voxel
// into the same Volume as a single-frame series, with the same geometry refusals.
#include <gtest/gtest.h>

#include <cmath>

#include "ingest_test_util.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::ingest {
namespace {
using namespace sij::ingest::testing;

struct EnhancedSpec {
  SeriesSpec s;
  // Frame f of the file holds slice z = order(f) (position order differs from frame order).
  std::function<int(int)> slice_of_frame = [](int f) { return f; };
  // Per-frame rescale intercept override for one slice (-1: none).
  int override_slice = -1;
  double override_intercept = 0.0;
  bool drop_position_of_slice = false;  // slice 2 loses its Plane Position Sequence
  int per_frame_items = -1;             // -1: one per frame
  int frames = -1;                      // -1: s.nz
};

double intercept_of(const EnhancedSpec& e, int z) {
  return z == e.override_slice ? e.override_intercept : e.s.intercept;
}

void write_enhanced_ct(const EnhancedSpec& e, const std::string& path) {
  register_test_encoders();
  const SeriesSpec& s = e.s;
  const int frames = e.frames > 0 ? e.frames : s.nz;
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  char uid[100], buf[256];
  ds->putAndInsertString(DCM_SOPClassUID, UID_EnhancedCTImageStorage);
  ds->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
  ds->putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.9.7433.2");
  ds->putAndInsertString(DCM_SeriesInstanceUID, s.series_uid.c_str());
  ds->putAndInsertString(DCM_FrameOfReferenceUID, "1.2.826.0.1.3680043.9.7433.3");
  ds->putAndInsertString(DCM_Modality, s.modality.c_str());
  ds->putAndInsertString(DCM_Manufacturer, "sijtrack test writer");
  ds->putAndInsertString(DCM_SeriesDescription, "enhanced round trip");
  ds->putAndInsertString(DCM_PatientPosition, "FFP");
  ds->putAndInsertString(DCM_AcquisitionDateTime, "20240305143015.25");
  ds->putAndInsertString(DCM_InstanceNumber, "1");
  ds->putAndInsertString(DCM_NumberOfFrames, std::to_string(frames).c_str());
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(s.ny));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(s.nx));
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 16);
  ds->putAndInsertUint16(DCM_HighBit, 15);
  ds->putAndInsertUint16(DCM_PixelRepresentation, s.signed_pixels ? 1 : 0);

  // Shared: orientation, pixel measures, rescale, and the CT acquisition details (KVP).
  DcmItem* shared = nullptr;
  ASSERT_TRUE(ds->findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).good());
  DcmItem* item = nullptr;
  ASSERT_TRUE(shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, item, 0).good());
  const auto& o = s.orientation;
  std::snprintf(buf, sizeof buf, "%.8f\\%.8f\\%.8f\\%.8f\\%.8f\\%.8f", o[0], o[1], o[2], o[3], o[4], o[5]);
  item->putAndInsertString(DCM_ImageOrientationPatient, buf);
  ASSERT_TRUE(shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, item, 0).good());
  std::snprintf(buf, sizeof buf, "%.6f\\%.6f", s.row_spacing_mm, s.col_spacing_mm);
  item->putAndInsertString(DCM_PixelSpacing, buf);
  std::snprintf(buf, sizeof buf, "%.6f", s.slice_spacing_mm);
  item->putAndInsertString(DCM_SliceThickness, buf);
  ASSERT_TRUE(shared->findOrCreateSequenceItem(DCM_PixelValueTransformationSequence, item, 0).good());
  std::snprintf(buf, sizeof buf, "%g", s.slope);
  item->putAndInsertString(DCM_RescaleSlope, buf);
  std::snprintf(buf, sizeof buf, "%g", s.intercept);
  item->putAndInsertString(DCM_RescaleIntercept, buf);
  item->putAndInsertString(DCM_RescaleType, "HU");
  ASSERT_TRUE(shared->findOrCreateSequenceItem(DCM_CTXRayDetailsSequence, item, 0).good());
  item->putAndInsertString(DCM_KVP, "100");

  // Per frame: position (and one rescale override), frame content.
  const auto n = slice_normal(s);
  const int items = e.per_frame_items >= 0 ? e.per_frame_items : frames;
  for (int f = 0; f < items; ++f) {
    const int z = e.slice_of_frame(f);
    DcmItem* pf = nullptr;
    ASSERT_TRUE(ds->findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, pf, -2).good());
    ASSERT_TRUE(pf->findOrCreateSequenceItem(DCM_FrameContentSequence, item, 0).good());
    item->putAndInsertUint32(DCM_InStackPositionNumber, static_cast<Uint32>(z + 1));
    if (!(e.drop_position_of_slice && z == 2)) {
      ASSERT_TRUE(pf->findOrCreateSequenceItem(DCM_PlanePositionSequence, item, 0).good());
      std::snprintf(buf, sizeof buf, "%.6f\\%.6f\\%.6f", s.origin_mm[0] + z * s.slice_spacing_mm * n[0],
                    s.origin_mm[1] + z * s.slice_spacing_mm * n[1], s.origin_mm[2] + z * s.slice_spacing_mm * n[2]);
      item->putAndInsertString(DCM_ImagePositionPatient, buf);
    }
    if (z == e.override_slice) {
      ASSERT_TRUE(pf->findOrCreateSequenceItem(DCM_PixelValueTransformationSequence, item, 0).good());
      std::snprintf(buf, sizeof buf, "%g", s.slope);
      item->putAndInsertString(DCM_RescaleSlope, buf);
      std::snprintf(buf, sizeof buf, "%g", e.override_intercept);
      item->putAndInsertString(DCM_RescaleIntercept, buf);
    }
  }

  const std::size_t plane = static_cast<std::size_t>(s.nx) * s.ny;
  std::vector<Uint16> px(plane * frames);
  for (int f = 0; f < frames; ++f) {
    const int z = e.slice_of_frame(f);
    for (int y = 0; y < s.ny; ++y)
      for (int x = 0; x < s.nx; ++x) px[f * plane + y * s.nx + x] = static_cast<Uint16>(s.stored(x, y, z));
  }
  ds->putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(px.size()));
  OFCondition cond = EC_Normal;
  if (s.xfer == EXS_RLELossless) cond = ds->chooseRepresentation(s.xfer, nullptr);
  if (s.xfer == EXS_JPEGLSLossless) {
    DJLSRepresentationParameter params(0, OFTrue);
    cond = ds->chooseRepresentation(s.xfer, &params);
  }
  ASSERT_TRUE(cond.good()) << cond.text();
  cond = ff.saveFile(path.c_str(), s.xfer);
  ASSERT_TRUE(cond.good()) << path << ": " << cond.text();
}

EnhancedSpec oblique_spec() {
  EnhancedSpec e;
  e.s.nx = 20;
  e.s.ny = 16;
  e.s.nz = 9;
  const double a = 0.3, b = 0.15;  // rotated in plane and tipped: not the identity
  e.s.orientation = {std::cos(a), std::sin(a), 0, -std::sin(a) * std::cos(b), std::cos(a) * std::cos(b), std::sin(b)};
  e.s.signed_pixels = true;
  e.s.stored = [](int x, int y, int z) {
    return static_cast<std::uint16_t>(static_cast<std::int16_t>(x * 61 - y * 43 + z * 257 - 300));
  };
  e.slice_of_frame = [](int f) { return (f * 4 + 7) % 9; };  // frames out of position order
  return e;
}

TEST(IngestEnhancedCt, RoundTripInThreeTransferSyntaxes) {
  for (const E_TransferSyntax xfer : {EXS_LittleEndianExplicit, EXS_RLELossless, EXS_JPEGLSLossless}) {
    SCOPED_TRACE(DcmXfer(xfer).getXferName());
    TempDir tmp;
    EnhancedSpec e = oblique_spec();
    e.s.xfer = xfer;
    e.override_slice = 4;  // one frame with its own Pixel Value Transformation
    e.override_intercept = -1000.0;
    write_enhanced_ct(e, tmp / "enhanced.dcm");
    if (::testing::Test::HasFatalFailure()) return;
    const Volume v = ingest(tmp.path());
    const SeriesSpec& s = e.s;
    ASSERT_EQ(v.grid.nx, s.nx);
    ASSERT_EQ(v.grid.ny, s.ny);
    ASSERT_EQ(v.grid.nz, s.nz);
    EXPECT_NEAR(v.grid.sx_mm, s.col_spacing_mm, 1e-5);
    EXPECT_NEAR(v.grid.sy_mm, s.row_spacing_mm, 1e-5);
    EXPECT_NEAR(v.grid.sz_mm, s.slice_spacing_mm, 1e-4);
    const auto n = slice_normal(s);
    for (int r = 0; r < 3; ++r) {
      EXPECT_NEAR(v.affine.origin_mm[r], s.origin_mm[r], 1e-5);
      EXPECT_NEAR(v.affine.direction[r * 3 + 0], s.orientation[r], 1e-6);
      EXPECT_NEAR(v.affine.direction[r * 3 + 1], s.orientation[3 + r], 1e-6);
      EXPECT_NEAR(v.affine.direction[r * 3 + 2], n[r], 1e-6);
    }
    std::int64_t bad = 0;
    for (int z = 0; z < s.nz; ++z)
      for (int y = 0; y < s.ny; ++y)
        for (int x = 0; x < s.nx; ++x) {
          const double stored = static_cast<std::int16_t>(s.stored(x, y, z));
          bad += v.at(x, y, z) != static_cast<int>(std::lround(stored * s.slope + intercept_of(e, z)));
        }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(v.meta.source_format, "DICOM");
    EXPECT_EQ(v.meta.transfer_syntax, DcmXfer(xfer).getXferID());
    EXPECT_EQ(v.meta.patient_position, "FFP");
    EXPECT_NEAR(v.meta.kvp, 100.0, 1e-9);  // from the CT X-Ray Details functional group
    EXPECT_EQ(v.meta.acquisition_date, "20240305");
    EXPECT_NEAR(v.meta.slice_thickness_mm, s.slice_spacing_mm, 1e-6);
    ASSERT_EQ(v.meta.slice_files.size(), static_cast<std::size_t>(s.nz));
    // Slice z = 0 is stored in frame index 5 (5*4+7 = 27 = 0 mod 9), named 1-based.
    EXPECT_NE(v.meta.slice_files[0].find("(frame 6)"), std::string::npos) << v.meta.slice_files[0];
  }
}

TEST(IngestEnhancedCt, MissingFrameIsMissingSlices) {
  TempDir tmp;
  EnhancedSpec e = oblique_spec();
  // 8 frames, slice 5 absent: frames hold slices 0..4, 6..8.
  e.frames = 8;
  e.slice_of_frame = [](int f) { return f < 5 ? f : f + 1; };
  write_enhanced_ct(e, tmp / "enhanced.dcm");
  try {
    ingest(tmp.path());
    ADD_FAILURE() << "accepted";
  } catch (const IngestError& err) {
    EXPECT_EQ(err.reason(), IngestReason::MissingSlices) << err.what();
    EXPECT_NE(std::string(err.what()).find("(frame 5)"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("(frame 6)"), std::string::npos) << err.what();
  }
}

TEST(IngestEnhancedCt, FrameWithoutPlanePositionIsMissingTag) {
  TempDir tmp;
  EnhancedSpec e = oblique_spec();
  e.drop_position_of_slice = true;
  write_enhanced_ct(e, tmp / "enhanced.dcm");
  try {
    ingest(tmp.path());
    ADD_FAILURE() << "accepted";
  } catch (const IngestError& err) {
    EXPECT_EQ(err.reason(), IngestReason::MissingTag) << err.what();
    EXPECT_NE(std::string(err.what()).find("ImagePositionPatient (0020,0032)"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("frame"), std::string::npos) << err.what();
  }
}

TEST(IngestEnhancedCt, TooFewPerFrameItemsIsMissingTag) {
  TempDir tmp;
  EnhancedSpec e = oblique_spec();
  e.per_frame_items = 5;
  write_enhanced_ct(e, tmp / "enhanced.dcm");
  try {
    ingest(tmp / "enhanced.dcm");
    ADD_FAILURE() << "accepted";
  } catch (const IngestError& err) {
    EXPECT_EQ(err.reason(), IngestReason::MissingTag) << err.what();
    EXPECT_NE(std::string(err.what()).find("PerFrameFunctionalGroupsSequence"), std::string::npos) << err.what();
  }
}

TEST(IngestEnhancedCt, MultiFrameWithoutFunctionalGroupsIsUnsupported) {
  TempDir tmp;
  EnhancedSpec e = oblique_spec();
  write_enhanced_ct(e, tmp / "enhanced.dcm");
  edit_dicom(tmp / "enhanced.dcm", [](DcmDataset& ds) {
    ds.findAndDeleteElement(DCM_SharedFunctionalGroupsSequence);
    ds.findAndDeleteElement(DCM_PerFrameFunctionalGroupsSequence);
  });
  try {
    ingest(tmp.path());
    ADD_FAILURE() << "accepted";
  } catch (const IngestError& err) {
    EXPECT_EQ(err.reason(), IngestReason::UnsupportedFormat) << err.what();
    EXPECT_NE(std::string(err.what()).find("Functional Groups"), std::string::npos) << err.what();
  }
}

// An Enhanced CT object may hold a single frame: its geometry is still in the functional
// groups, and the slice thickness comes from the Pixel Measures macro.
TEST(IngestEnhancedCt, SingleFrameObject) {
  TempDir tmp;
  EnhancedSpec e = oblique_spec();
  e.s.nz = 1;
  e.slice_of_frame = [](int) { return 0; };
  write_enhanced_ct(e, tmp / "one.dcm");
  const Volume v = ingest(tmp / "one.dcm");
  ASSERT_EQ(v.grid.nz, 1);
  EXPECT_NEAR(v.grid.sz_mm, e.s.slice_spacing_mm, 1e-5);
  for (int r = 0; r < 3; ++r) EXPECT_NEAR(v.affine.origin_mm[r], e.s.origin_mm[r], 1e-5);
  EXPECT_EQ(v.at(3, 2, 0), static_cast<int>(static_cast<std::int16_t>(e.s.stored(3, 2, 0)) + e.s.intercept));
}

}  // namespace
}  // namespace sij::ingest
