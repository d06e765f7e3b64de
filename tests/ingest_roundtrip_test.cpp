// Round trips: a CT series written with DCMTK in several transfer syntaxes (oblique, file
// names and InstanceNumbers shuffled against the position order) is read back voxel for
// voxel; NIfTI and MetaImage files written by hand (headers in their own conventions) load
// with the right LPS geometry.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "ingest_test_util.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::ingest {
namespace {
using namespace sij::ingest::testing;

void expect_series_matches(const Volume& v, const SeriesSpec& s) {
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
  std::int64_t mismatches = 0;
  for (int z = 0; z < s.nz; ++z)
    for (int y = 0; y < s.ny; ++y)
      for (int x = 0; x < s.nx; ++x) {
        const double stored = s.signed_pixels ? static_cast<std::int16_t>(s.stored(x, y, z)) : s.stored(x, y, z);
        const int expected = static_cast<int>(std::lround(stored * s.slope + s.intercept));
        mismatches += v.at(x, y, z) != expected;
      }
  EXPECT_EQ(mismatches, 0);
}

TEST(IngestRoundTrip, DicomSeriesInEveryTransferSyntax) {
  const std::pair<E_TransferSyntax, const char*> syntaxes[] = {
      {EXS_LittleEndianExplicit, "explicit-le"}, {EXS_LittleEndianImplicit, "implicit-le"},
      {EXS_BigEndianExplicit, "explicit-be"},    {EXS_RLELossless, "rle"},
      {EXS_JPEGProcess14SV1, "jpeg-lossless"},   {EXS_JPEGLSLossless, "jpeg-ls"}};
  for (const auto& [xfer, name] : syntaxes) {
    SCOPED_TRACE(name);
    TempDir tmp;
    SeriesSpec s;
    const double c = std::cos(0.2), sn = std::sin(0.2);
    s.orientation = {c, sn, 0, -sn, c, 0};  // rotated in plane: not the identity
    s.xfer = xfer;
    write_ct_series(s, tmp.path());
    const Volume v = ingest(tmp.path());
    expect_series_matches(v, s);
    EXPECT_EQ(v.meta.transfer_syntax, DcmXfer(xfer).getXferID());
    EXPECT_EQ(v.meta.patient_position, "HFP");
    EXPECT_NEAR(v.meta.ctdivol_mgy, 12.5, 1e-9);
    EXPECT_EQ(v.meta.convolution_kernel, "B30f");
  }
}

TEST(IngestRoundTrip, SignedPixelsFractionalSlopeAndPadding) {
  TempDir tmp;
  SeriesSpec s;
  s.signed_pixels = true;
  s.slope = 0.5;
  s.intercept = -100.0;
  s.stored = [](int x, int y, int z) { return static_cast<std::uint16_t>(static_cast<std::int16_t>(x * 50 - y * 70 + z)); };
  write_ct_series(s, tmp.path());
  expect_series_matches(ingest(tmp.path()), s);

  // Pixel Padding Value on every slice: padded voxels become padding_hu.
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    edit_dicom(e.path().string(), [](DcmDataset& ds) { ds.putAndInsertSint16(DCM_PixelPaddingValue, -70); });
  }
  IngestOptions opt;
  opt.padding_hu = -2048;
  const Volume v = ingest(tmp.path(), opt);
  std::int64_t expected_padded = 0;
  for (int z = 0; z < s.nz; ++z)
    for (int y = 0; y < s.ny; ++y)
      for (int x = 0; x < s.nx; ++x) {
        const bool pad = static_cast<std::int16_t>(s.stored(x, y, z)) == -70;
        expected_padded += pad;
        if (pad) {
          EXPECT_EQ(v.at(x, y, z), -2048);
        }
      }
  EXPECT_GT(expected_padded, 0);
  EXPECT_EQ(v.meta.padding_voxels, expected_padded);
}

// A MetaImage header says LPS directly: origin and TransformMatrix (columns = axes).
TEST(IngestRoundTrip, HandWrittenMetaImage) {
  TempDir tmp;
  const int nx = 5, ny = 4, nz = 3;
  {
    std::ofstream h(tmp / "vol.mhd");
    h << "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
         "TransformMatrix = 0 1 0 -1 0 0 0 0 1\nOffset = 10 -20 30\n"
         "ElementSpacing = 0.5 0.75 2\nDimSize = 5 4 3\nElementType = MET_SHORT\n"
         "ElementDataFile = vol.raw\n";
    std::ofstream raw(tmp / "vol.raw", std::ios::binary);
    for (int i = 0; i < nx * ny * nz; ++i) {
      const std::int16_t v = static_cast<std::int16_t>(i * 10 - 1000);
      raw.write(reinterpret_cast<const char*>(&v), 2);
    }
  }
  const Volume v = ingest(tmp / "vol.mhd");
  EXPECT_EQ(v.meta.source_format, "MetaImage");
  ASSERT_EQ(v.grid.voxel_count(), nx * ny * nz);
  EXPECT_FLOAT_EQ(v.grid.sy_mm, 0.75f);
  EXPECT_DOUBLE_EQ(v.affine.origin_mm[1], -20.0);
  // MetaImage's TransformMatrix is row-major with rows = axes: axis x = (0, 1, 0).
  EXPECT_NEAR(v.affine.direction[1 * 3 + 0], 1.0, 1e-9);
  EXPECT_NEAR(v.affine.direction[0 * 3 + 1], -1.0, 1e-9);
  EXPECT_EQ(v.at(4, 3, 2), static_cast<std::int16_t>((2 * 20 + 3 * 5 + 4) * 10 - 1000));
}

// A NIfTI-1 file is RAS: an identity sform with origin (10, 20, 30) is LPS (-10, -20, 30)
// with x and y axes flipped. scl_slope/scl_inter apply.
TEST(IngestRoundTrip, HandWrittenNiftiIsConvertedFromRas) {
  TempDir tmp;
  const int nx = 4, ny = 3, nz = 2;
  char hdr[352] = {};
  auto put_i32 = [&](int off, std::int32_t v) { std::memcpy(hdr + off, &v, 4); };
  auto put_i16 = [&](int off, std::int16_t v) { std::memcpy(hdr + off, &v, 2); };
  auto put_f32 = [&](int off, float v) { std::memcpy(hdr + off, &v, 4); };
  put_i32(0, 348);
  const std::int16_t dim[8] = {3, nx, ny, nz, 1, 1, 1, 1};
  std::memcpy(hdr + 40, dim, sizeof dim);
  put_i16(70, 4);    // datatype int16
  put_i16(72, 16);   // bitpix
  const float pixdim[8] = {1, 0.8f, 0.9f, 2.5f, 1, 1, 1, 1};
  std::memcpy(hdr + 76, pixdim, sizeof pixdim);
  put_f32(108, 352);  // vox_offset
  put_f32(112, 2.0f);     // scl_slope
  put_f32(116, -1024.f);  // scl_inter
  hdr[123] = 2;           // xyzt_units: mm
  put_i16(252, 0);        // qform_code
  put_i16(254, 1);        // sform_code: scanner
  const float srow_x[4] = {0.8f, 0, 0, 10}, srow_y[4] = {0, 0.9f, 0, 20}, srow_z[4] = {0, 0, 2.5f, 30};
  std::memcpy(hdr + 280, srow_x, 16);
  std::memcpy(hdr + 296, srow_y, 16);
  std::memcpy(hdr + 312, srow_z, 16);
  std::memcpy(hdr + 344, "n+1\0", 4);
  {
    std::ofstream f(tmp / "vol.nii", std::ios::binary);
    f.write(hdr, sizeof hdr);
    for (int i = 0; i < nx * ny * nz; ++i) {
      const std::int16_t v = static_cast<std::int16_t>(i * 3);
      f.write(reinterpret_cast<const char*>(&v), 2);
    }
  }
  const Volume v = ingest(tmp / "vol.nii");
  EXPECT_EQ(v.meta.source_format, "NIfTI");
  EXPECT_NEAR(v.affine.origin_mm[0], -10.0, 1e-4);
  EXPECT_NEAR(v.affine.origin_mm[1], -20.0, 1e-4);
  EXPECT_NEAR(v.affine.origin_mm[2], 30.0, 1e-4);
  EXPECT_NEAR(v.affine.direction[0 * 3 + 0], -1.0, 1e-6);  // RAS x -> LPS -x
  EXPECT_NEAR(v.affine.direction[1 * 3 + 1], -1.0, 1e-6);
  EXPECT_NEAR(v.affine.direction[2 * 3 + 2], 1.0, 1e-6);
  EXPECT_NEAR(v.grid.sz_mm, 2.5, 1e-6);
  EXPECT_EQ(v.at(3, 2, 1), (1 * 12 + 2 * 4 + 3) * 3 * 2 - 1024);
}

TEST(IngestRoundTrip, UnknownExtensionAndBrokenImageFile) {
  TempDir tmp;
  std::ofstream(tmp / "x.txt") << "hello";
  try {
    ingest(tmp / "x.txt");
    ADD_FAILURE();
  } catch (const IngestError& e) {
    EXPECT_EQ(e.reason(), IngestReason::UnsupportedFormat) << e.what();
  }
  std::ofstream(tmp / "bad.nii") << "not a nifti file at all";
  try {
    ingest(tmp / "bad.nii");
    ADD_FAILURE();
  } catch (const IngestError& e) {
    EXPECT_EQ(e.reason(), IngestReason::CorruptFile) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.nii"), std::string::npos);
  }
}

}  // namespace
}  // namespace sij::ingest
