// Ingest of NRRD and gzipped NIfTI files written here with ITK (geometry in LPS, voxels), and
// of a real CT slice that carries no geometry: octave-dicom's CT-MONO2-16-ankle.dcm (a GE
// Secondary Capture with Modality CT and no PixelSpacing, ImagePositionPatient or
// ImageOrientationPatient), which is refused naming the missing tags.
#include <gtest/gtest.h>

#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "ingest_test_util.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::ingest {
namespace {
using namespace sij::ingest::testing;

// An oblique, anisotropic LPS geometry: rotation about z by 30 degrees, then about x by 10.
template <class Image>
typename Image::Pointer make_image(int nx, int ny, int nz, const std::function<float(int, int, int)>& value) {
  auto image = Image::New();
  typename Image::SizeType size;
  size[0] = nx;
  size[1] = ny;
  size[2] = nz;
  image->SetRegions(typename Image::RegionType(size));
  typename Image::SpacingType spacing;
  spacing[0] = 0.65;
  spacing[1] = 0.8;
  spacing[2] = 1.5;
  image->SetSpacing(spacing);
  typename Image::PointType origin;
  origin[0] = -120.25;
  origin[1] = 35.5;
  origin[2] = -410.0;
  image->SetOrigin(origin);
  const double a = 30.0 * M_PI / 180.0, b = 10.0 * M_PI / 180.0;
  const double rz[3][3] = {{std::cos(a), -std::sin(a), 0}, {std::sin(a), std::cos(a), 0}, {0, 0, 1}};
  const double rx[3][3] = {{1, 0, 0}, {0, std::cos(b), -std::sin(b)}, {0, std::sin(b), std::cos(b)}};
  typename Image::DirectionType dir;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      double v = 0;
      for (int k = 0; k < 3; ++k) v += rx[r][k] * rz[k][c];
      dir(r, c) = v;
    }
  image->SetDirection(dir);
  image->Allocate();
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) {
        typename Image::IndexType idx;
        idx[0] = x;
        idx[1] = y;
        idx[2] = z;
        image->SetPixel(idx, static_cast<typename Image::PixelType>(value(x, y, z)));
      }
  return image;
}

template <class Image>
void write_image(const typename Image::Pointer& image, const std::string& path) {
  static std::once_flag once;
  std::call_once(once, [] {
    itk::NiftiImageIOFactory::RegisterOneFactory();
    itk::NrrdImageIOFactory::RegisterOneFactory();
  });
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetFileName(path);
  writer->SetInput(image);
  writer->Update();
}

template <class Image>
void expect_geometry(const Volume& v, const typename Image::Pointer& image) {
  const auto size = image->GetLargestPossibleRegion().GetSize();
  ASSERT_EQ(v.grid.nx, static_cast<int>(size[0]));
  ASSERT_EQ(v.grid.ny, static_cast<int>(size[1]));
  ASSERT_EQ(v.grid.nz, static_cast<int>(size[2]));
  EXPECT_NEAR(v.grid.sx_mm, image->GetSpacing()[0], 1e-5);
  EXPECT_NEAR(v.grid.sy_mm, image->GetSpacing()[1], 1e-5);
  EXPECT_NEAR(v.grid.sz_mm, image->GetSpacing()[2], 1e-5);
  for (int r = 0; r < 3; ++r) {
    EXPECT_NEAR(v.affine.origin_mm[r], image->GetOrigin()[r], 1e-4) << "origin " << r;
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(v.affine.direction[r * 3 + c], image->GetDirection()(r, c), 1e-5) << r << "," << c;
    }
  }
}

// The physical (LPS) position of voxel (x, y, z) in the volume.
std::array<double, 3> physical(const Volume& v, int x, int y, int z) {
  const double i[3] = {x * static_cast<double>(v.grid.sx_mm), y * static_cast<double>(v.grid.sy_mm),
                       z * static_cast<double>(v.grid.sz_mm)};
  std::array<double, 3> p{};
  for (int r = 0; r < 3; ++r) {
    p[r] = v.affine.origin_mm[r];
    for (int c = 0; c < 3; ++c) p[r] += v.affine.direction[r * 3 + c] * i[c];
  }
  return p;
}

TEST(IngestFormats, NrrdWrittenByItkKeepsLpsGeometryAndVoxels) {
  using Image = itk::Image<std::int16_t, 3>;
  const int nx = 9, ny = 7, nz = 5;
  auto value = [](int x, int y, int z) { return static_cast<float>(x * 131 - y * 17 + z * 1009 - 1024); };
  auto image = make_image<Image>(nx, ny, nz, value);
  TempDir tmp;
  const std::string path = tmp / "vol.nrrd";
  write_image<Image>(image, path);

  // The file itself says LPS and carries our origin (independent of ITK's reader).
  std::ifstream in(path, std::ios::binary);
  std::string header, line;
  while (std::getline(in, line) && !line.empty()) header += line + "\n";
  EXPECT_NE(header.find("space: left-posterior-superior"), std::string::npos) << header;
  EXPECT_NE(header.find("space origin: (-120.25,35.5,-410)"), std::string::npos) << header;

  const Volume v = ingest(path);
  EXPECT_EQ(v.meta.source_format, "NRRD");
  expect_geometry<Image>(v, image);
  std::int64_t bad = 0;
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) bad += v.at(x, y, z) != static_cast<std::int16_t>(value(x, y, z));
  EXPECT_EQ(bad, 0);
  // The far corner lands where the ITK image puts it.
  Image::IndexType corner;
  corner[0] = nx - 1;
  corner[1] = ny - 1;
  corner[2] = nz - 1;
  Image::PointType expected;
  image->TransformIndexToPhysicalPoint(corner, expected);
  const auto p = physical(v, nx - 1, ny - 1, nz - 1);
  for (int r = 0; r < 3; ++r) EXPECT_NEAR(p[r], expected[r], 1e-3);
}

TEST(IngestFormats, GzippedNiftiWrittenByItkIsReadBackInLps) {
  using Image = itk::Image<float, 3>;
  const int nx = 8, ny = 6, nz = 4;
  // Fractional values: the ingest rounds half away from zero.
  auto value = [](int x, int y, int z) { return static_cast<float>(x * 40 - y * 25 + z * 300) - 1000.5f; };
  auto image = make_image<Image>(nx, ny, nz, value);
  TempDir tmp;
  const std::string path = tmp / "vol.nii.gz";
  write_image<Image>(image, path);
  {
    std::ifstream f(path, std::ios::binary);
    unsigned char magic[2] = {};
    f.read(reinterpret_cast<char*>(magic), 2);
    EXPECT_TRUE(magic[0] == 0x1f && magic[1] == 0x8b) << "not gzip";
  }
  // The file stores RAS (NIfTI's convention): the sform's translation is the LPS origin with
  // x and y negated. Read with Python's gzip, not with ITK.
  int status = -1;
  const std::string srow = run_command(
      "/usr/bin/python3 -c \"import gzip,struct,sys; h=gzip.open(sys.argv[1]).read(348); "
      "print(*struct.unpack('<12f', h[280:328]))\" '" + path + "'", &status);
  ASSERT_EQ(status, 0) << srow;
  std::istringstream ss(srow);
  double m[12] = {};
  for (double& x : m) ss >> x;
  EXPECT_NEAR(m[3], 120.25, 1e-3);
  EXPECT_NEAR(m[7], -35.5, 1e-3);
  EXPECT_NEAR(m[11], -410.0, 1e-3);

  const Volume v = ingest(path);
  EXPECT_EQ(v.meta.source_format, "NIfTI");
  expect_geometry<Image>(v, image);
  std::int64_t bad = 0;
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) {
        bad += v.at(x, y, z) != static_cast<std::int16_t>(std::lround(value(x, y, z)));
      }
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(v.at(0, 0, 0), -1001);  // -1000.5 rounds away from zero
}

// octave-dicom's imdata (Debian package octave-dicom, installed by scripts/install-deps.sh).
const char* kAnkle = "/usr/share/octave/packages/dicom-0.5.1/imdata/CT-MONO2-16-ankle.dcm";

TEST(IngestFormats, CtSliceWithoutPixelSpacingIsRefusedNamingTheTags) {
  SIJ_REQUIRE_PATH(kAnkle);
  // The file really lacks the tags (dcmdump, not our parser, says so), and is CT.
  const std::string dump = run_command("dcmdump -q +P 0008,0060 +P 0028,0030 +P 0020,0032 +P 0020,0037 '" +
                                       std::string(kAnkle) + "' 2>&1");
  EXPECT_NE(dump.find("[CT]"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("(0028,0030)"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("(0020,0032)"), std::string::npos) << dump;

  TempDir tmp;
  std::filesystem::copy_file(kAnkle, tmp / "ankle.dcm");
  for (const std::string& path : {std::string(kAnkle), tmp.path()}) {
    try {
      ingest(path);
      ADD_FAILURE() << path << " was accepted";
    } catch (const IngestError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(e.reason(), IngestReason::MissingTag) << msg;
      EXPECT_EQ(e.exit_code(), 23);
      EXPECT_NE(msg.find("PixelSpacing (0028,0030)"), std::string::npos) << msg;
      EXPECT_NE(msg.find("ImagePositionPatient (0020,0032)"), std::string::npos) << msg;
      EXPECT_NE(msg.find("ImageOrientationPatient (0020,0037)"), std::string::npos) << msg;
      EXPECT_NE(msg.find("ankle.dcm"), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
  }
  if (std::filesystem::exists(SIJTRACK_BINARY)) {
    int status = -1;
    const std::string err = run_command(std::string(SIJTRACK_BINARY) + " ingest '" + kAnkle + "' 2>&1 >/dev/null", &status);
    EXPECT_EQ(status, 23) << err;
    EXPECT_NE(err.find("missing_tag"), std::string::npos) << err;
  }

  // With the geometry supplied (as a console export would), the same pixels load: HU is the
  // stored signed value plus RescaleIntercept -1024 (slope 1); stored 0 is the Pixel Padding
  // Value and becomes padding_hu, which is -1024 as well.
  edit_dicom(tmp / "ankle.dcm", [](DcmDataset& ds) {
    ds.putAndInsertString(DCM_PixelSpacing, "0.3\\0.35");
    ds.putAndInsertString(DCM_ImagePositionPatient, "-80\\-90\\12.5");
    ds.putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
  });
  const Volume v = ingest(tmp.path());
  ASSERT_EQ(v.grid.nx, 512);
  ASSERT_EQ(v.grid.ny, 512);
  ASSERT_EQ(v.grid.nz, 1);
  EXPECT_FLOAT_EQ(v.grid.sx_mm, 0.35f);
  EXPECT_FLOAT_EQ(v.grid.sy_mm, 0.3f);
  EXPECT_EQ(v.meta.manufacturer, "GE MEDICAL SYSTEMS");
  DcmFileFormat ff;
  ASSERT_TRUE(ff.loadFile(kAnkle).good());
  const Uint16* words = nullptr;
  unsigned long count = 0;
  ASSERT_TRUE(ff.getDataset()->findAndGetUint16Array(DCM_PixelData, words, &count).good());
  ASSERT_EQ(count, 512ul * 512ul);
  const auto* raw = reinterpret_cast<const std::int16_t*>(words);  // PixelRepresentation 1
  std::int64_t bad = 0, padded = 0, bone = 0;
  for (unsigned long i = 0; i < count; ++i) {
    padded += raw[i] == 0;
    bone += raw[i] - 1024 > 300;
    bad += v.hu[i] != (raw[i] == 0 ? -1024 : raw[i] - 1024);
  }
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(v.meta.padding_voxels, padded);
  EXPECT_GT(bone, 1000) << "an ankle CT shows bone";
}

// Found by the fuzzer (fuzz/ingest_dicom_fuzz.cpp): an implicit VR file whose Modality claims
// a 4 GiB value. The header pass leaves long values on disk and must not load it (that was a
// 4 GiB allocation); the file is refused as corrupt, by name.
TEST(IngestFormats, HugeValueLengthIsRefusedAsCorruptWithoutLoadingIt) {
  TempDir tmp;
  SeriesSpec s;
  s.nz = 1;
  s.xfer = EXS_LittleEndianImplicit;
  const std::string path = tmp / "huge.dcm";
  write_ct_slice(s, 0, path, 1);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string modality(std::string("\x08\x00\x60\x00\x02\x00\x00\x00", 8) + "CT");
  const auto at = bytes.find(modality);
  ASSERT_NE(at, std::string::npos);
  const char huge[4] = {'\x06', '\xff', '\xff', '\xff'};  // 0xFFFFFF06 bytes
  bytes.replace(at + 4, 4, huge, 4);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  try {
    ingest(path);
    ADD_FAILURE() << "accepted";
  } catch (const IngestError& e) {
    EXPECT_EQ(e.reason(), IngestReason::CorruptFile) << e.what();
    EXPECT_NE(std::string(e.what()).find("huge.dcm"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sij::ingest
