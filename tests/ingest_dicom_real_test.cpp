// Ingest on real scanner files nobody here wrote: the Philips and GE series in
// shared/data/real-ct and pydicom's test files. Geometry is checked against dcmdump's
// output and HU against pydicom's raw Pixel Data with the rescale tags.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "ingest_test_util.h"
#include "pipeline/ingest/DicomSlice.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::ingest {
namespace {
using namespace sij::ingest::testing;

struct DumpedSlice {
  double ipp[3] = {0, 0, 0};
  double iop[6] = {0, 0, 0, 0, 0, 0};
  double ps[2] = {0, 0};
  int rows = 0, cols = 0;
  bool directory = false;  // a DICOMDIR: its records repeat the image tags
  std::set<std::string> seen;
};

std::vector<double> parse_ds(const std::string& line) {
  std::vector<double> v;
  const auto a = line.find('['), b = line.find(']');
  if (a == std::string::npos || b == std::string::npos) return v;
  std::stringstream ss(line.substr(a + 1, b - a - 1));
  std::string item;
  while (std::getline(ss, item, '\\')) v.push_back(std::stod(item));
  return v;
}

// Geometry tags of every image file in `dir` as dcmdump prints them.
std::map<std::string, DumpedSlice> dcmdump_geometry(const std::string& dir) {
  const std::string out = run_command(
      "cd '" + dir + "' && dcmdump -q +P 0020,0032 +P 0020,0037 +P 0028,0030 +P 0028,0010 "
      "+P 0028,0011 +P 0002,0002 +F * 2>/dev/null");
  std::map<std::string, DumpedSlice> result;
  std::stringstream ss(out);
  std::string line, current;
  while (std::getline(ss, line)) {
    if (line.rfind("# dcmdump (", 0) == 0) {
      current = line.substr(line.find("): ") + 3);
      continue;
    }
    auto& s = result[current];
    const std::string tag = line.substr(0, 11);
    if (tag == "(0002,0002)" && line.find("MediaStorageDirectoryStorage") != std::string::npos) s.directory = true;
    if (!s.seen.insert(tag).second) continue;  // the first (top-level) occurrence only
    if (line.rfind("(0020,0032)", 0) == 0) { auto v = parse_ds(line); for (int i = 0; i < 3; ++i) s.ipp[i] = v.at(i); }
    if (line.rfind("(0020,0037)", 0) == 0) { auto v = parse_ds(line); for (int i = 0; i < 6; ++i) s.iop[i] = v.at(i); }
    if (line.rfind("(0028,0030)", 0) == 0) { auto v = parse_ds(line); s.ps[0] = v.at(0); s.ps[1] = v.at(1); }
    if (line.rfind("(0028,0010)", 0) == 0) s.rows = std::stoi(line.substr(15));
    if (line.rfind("(0028,0011)", 0) == 0) s.cols = std::stoi(line.substr(15));
  }
  for (auto it = result.begin(); it != result.end();) {
    it = it->second.rows == 0 || it->second.directory ? result.erase(it) : std::next(it);  // DIRFILE and such
  }
  return result;
}

// HU of a file computed by pydicom from the raw Pixel Data and the rescale tags, plus
// its sum and a few samples: "sum hu[0] hu[1000] hu[mid] min max".
std::string pydicom_hu_summary(const std::string& file) {
  const char* script =
      "import pydicom,struct,sys\n"
      "ds=pydicom.dcmread(sys.argv[1])\n"
      "n=ds.Rows*ds.Columns\n"
      "v=struct.unpack('<%d%s'%(n,'h' if ds.PixelRepresentation else 'H'),ds.PixelData[:2*n])\n"
      "s=float(ds.get('RescaleSlope',1));b=float(ds.get('RescaleIntercept',0))\n"
      "h=[int(round(x*s+b)) for x in v]\n"
      "print(sum(h),h[0],h[1000],h[n//2+ds.Columns//2],min(h),max(h))\n";
  return run_command("/usr/bin/python3 -c \"" + std::string(script) + "\" '" + file + "'");
}

bool have_pydicom() {
  int status = -1;
  run_command("/usr/bin/python3 -c 'import pydicom' >/dev/null 2>&1", &status);
  return status == 0;
}

std::string volume_hu_summary(const Volume& v, int z) {
  const std::size_t plane = static_cast<std::size_t>(v.grid.nx) * v.grid.ny;
  const std::int16_t* p = v.hu.data() + z * plane;
  long long sum = 0;
  int lo = 1 << 20, hi = -(1 << 20);
  for (std::size_t i = 0; i < plane; ++i) { sum += p[i]; lo = std::min<int>(lo, p[i]); hi = std::max<int>(hi, p[i]); }
  std::ostringstream os;
  os << sum << ' ' << p[0] << ' ' << p[1000] << ' ' << p[plane / 2 + v.grid.nx / 2] << ' ' << lo << ' ' << hi << '\n';
  return os.str();
}

TEST(IngestRealDicom, PhilipsSeriesGeometryMatchesDcmdump) {
  const std::string dir = real_ct("philips-ingenuity-phantom-5mm");
  SIJ_REQUIRE_PATH(dir);
  const Volume vol = ingest(dir);
  const auto dumped = dcmdump_geometry(dir);
  ASSERT_GE(dumped.size(), 2u) << "dcmdump printed no geometry";

  EXPECT_EQ(vol.grid.nz, static_cast<int>(dumped.size()));
  const auto& any = dumped.begin()->second;
  EXPECT_EQ(vol.grid.nx, any.cols);
  EXPECT_EQ(vol.grid.ny, any.rows);
  EXPECT_NEAR(vol.grid.sx_mm, any.ps[1], 1e-6);
  EXPECT_NEAR(vol.grid.sy_mm, any.ps[0], 1e-6);
  // The slice normal from dcmdump's orientation; the origin is the lowest slice along it.
  const double* o = any.iop;
  const double n[3] = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
  double lo = 1e30, hi = -1e30;
  const DumpedSlice* first = nullptr;
  for (const auto& [file, s] : dumped) {
    const double a = s.ipp[0] * n[0] + s.ipp[1] * n[1] + s.ipp[2] * n[2];
    if (a < lo) { lo = a; first = &s; }
    hi = std::max(hi, a);
  }
  for (int r = 0; r < 3; ++r) {
    EXPECT_NEAR(vol.affine.origin_mm[r], first->ipp[r], 1e-6);
    EXPECT_NEAR(vol.affine.direction[r * 3 + 0], o[r], 1e-9);
    EXPECT_NEAR(vol.affine.direction[r * 3 + 1], o[3 + r], 1e-9);
    EXPECT_NEAR(vol.affine.direction[r * 3 + 2], n[r], 1e-9);
  }
  EXPECT_NEAR(vol.grid.sz_mm, (hi - lo) / (dumped.size() - 1), 1e-4);
  EXPECT_NEAR(vol.grid.sz_mm, 5.0, 1e-3);  // README: 5 mm slices

  // Every plane z sits at origin + z * sz along the normal, per dcmdump's position.
  ASSERT_EQ(vol.meta.slice_files.size(), dumped.size());
  for (int z = 0; z < vol.grid.nz; ++z) {
    const std::string name = std::filesystem::path(vol.meta.slice_files[z]).filename().string();
    const auto& s = dumped.at(name);
    const double a = s.ipp[0] * n[0] + s.ipp[1] * n[1] + s.ipp[2] * n[2];
    EXPECT_NEAR(a - lo, z * vol.grid.sz_mm, 1e-3) << name;
  }
  // The DICOMDIR-like DIRFILE is skipped, not fatal.
  bool dirfile_skipped = false;
  for (const auto& s : vol.meta.skipped_files) dirfile_skipped |= s.find("DIRFILE") != std::string::npos;
  EXPECT_TRUE(dirfile_skipped);

  EXPECT_EQ(vol.meta.modality, "CT");
  EXPECT_EQ(vol.meta.manufacturer, "Philips");
  EXPECT_EQ(vol.meta.model, "Ingenuity CT");
  EXPECT_EQ(vol.meta.patient_position, "HFS");
  EXPECT_EQ(vol.meta.convolution_kernel, "UB");
  EXPECT_NEAR(vol.meta.kvp, 120.0, 1e-9);
  EXPECT_NEAR(vol.meta.ctdivol_mgy, 18.36697247706422, 1e-9);
  EXPECT_EQ(vol.meta.series_description, "STD BRAIN 5MM");
  EXPECT_EQ(vol.meta.series_uid, "1.3.46.670589.33.1.6002432791750815306.26862469513794233732");
}

TEST(IngestRealDicom, PhilipsHuMatchesRescaleTagsViaPydicom) {
  const std::string dir = real_ct("philips-ingenuity-phantom-5mm");
  SIJ_REQUIRE_PATH(dir);
  if (!have_pydicom()) GTEST_SKIP() << "python3-pydicom not installed (/usr/bin/python3)";
  const Volume vol = ingest(dir);
  for (int z : {0, vol.grid.nz / 2, vol.grid.nz - 1}) {
    const std::string expected = pydicom_hu_summary(vol.meta.slice_files[z]);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(volume_hu_summary(vol, z), expected) << vol.meta.slice_files[z];
  }
  // Air around the phantom: intercept -1024 applied.
  EXPECT_LT(vol.at(0, 0, 0), -900);
}

TEST(IngestRealDicom, BothTiltSeriesAreRefusedAsGantryTilt) {
  for (const char* folder : {"philips-ingenuity-phantom-tilt", "ge-hispeed-head-tilt-varspacing"}) {
    const std::string dir = real_ct(folder);
    SIJ_REQUIRE_PATH(dir);
    try {
      ingest(dir);
      ADD_FAILURE() << folder << " was accepted";
    } catch (const IngestError& e) {
      EXPECT_EQ(e.reason(), IngestReason::GantryTilt) << e.what();
      EXPECT_EQ(e.exit_code(), 20);
      const std::string msg = e.what();
      EXPECT_NE(msg.find("18.5"), std::string::npos) << msg;  // the stated tilt
      EXPECT_NE(msg.find("(0018,1120)"), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
    }
  }
}

TEST(IngestRealDicom, CtSmallSingleFileWithPaddingValue) {
  const std::string file = pydicom_file("CT_small.dcm");
  SIJ_REQUIRE_PATH(file);
  IngestOptions opt;
  opt.padding_hu = -3000;  // distinct from any real HU so the padded voxels can be counted
  const Volume vol = ingest(file, opt);
  EXPECT_EQ(vol.grid.nx, 128);
  EXPECT_EQ(vol.grid.ny, 128);
  EXPECT_EQ(vol.grid.nz, 1);
  EXPECT_NEAR(vol.grid.sx_mm, 0.661468, 1e-6);
  EXPECT_NEAR(vol.grid.sz_mm, 5.0, 1e-6);  // SliceThickness for a single slice
  EXPECT_NEAR(vol.affine.origin_mm[0], -158.135803, 1e-6);
  EXPECT_NEAR(vol.affine.origin_mm[1], -179.035797, 1e-6);
  EXPECT_NEAR(vol.affine.origin_mm[2], -75.699997, 1e-6);
  const std::string expected = pydicom_hu_summary(file);
  // Pydicom knows nothing of padding: compare where the stored value is not the padding.
  std::int64_t padded = 0;
  for (auto v : vol.hu) padded += v == -3000;
  EXPECT_EQ(padded, vol.meta.padding_voxels);
  if (vol.meta.padding_voxels == 0 && have_pydicom()) {
    EXPECT_EQ(volume_hu_summary(vol, 0), expected);
  }
}

// pydicom's MR_small in several encodings: every decoder must give the same pixels.
TEST(IngestRealDicom, CompressedAndBigEndianVariantsDecodeIdentically) {
  const std::string ref_file = pydicom_file("MR_small.dcm");
  SIJ_REQUIRE_PATH(ref_file);
  IngestOptions opt;
  const auto ref_h = read_dicom_header(ref_file);
  ASSERT_EQ(ref_h.kind, DicomFileKind::Image);
  std::vector<std::int16_t> ref(static_cast<std::size_t>(ref_h.rows) * ref_h.columns);
  decode_dicom_slice(ref_h, opt, ref.data());
  // Cross-check the reference itself against pydicom's raw bytes.
  if (!have_pydicom()) GTEST_SKIP() << "python3-pydicom not installed (/usr/bin/python3)";
  const std::string py = pydicom_hu_summary(ref_file);
  long long sum = 0;
  for (auto v : ref) sum += v;
  EXPECT_EQ(py.substr(0, py.find(' ')), std::to_string(sum));

  int decoded = 0;
  for (const char* name : {"MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm",
                           "MR_small_bigendian.dcm", "MR_small_implicit.dcm", "MR_small_expb.dcm"}) {
    const std::string f = pydicom_file(name);
    if (!std::filesystem::exists(f)) continue;
    const auto h = read_dicom_header(f);
    ASSERT_EQ(h.kind, DicomFileKind::Image) << name << ": " << h.problem;
    std::vector<std::int16_t> got(ref.size());
    decode_dicom_slice(h, opt, got.data());
    EXPECT_EQ(got, ref) << name;
    ++decoded;
  }
  EXPECT_GE(decoded, 3);
}

TEST(IngestRealDicom, MrIsRefusedAsNotCt) {
  const std::string file = pydicom_file("MR_small_RLE.dcm");
  SIJ_REQUIRE_PATH(file);
  try {
    ingest(file);
    ADD_FAILURE() << "MR accepted";
  } catch (const IngestError& e) {
    EXPECT_EQ(e.reason(), IngestReason::NotCt) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"MR\""), std::string::npos) << e.what();
    EXPECT_EQ(e.file(), file);
  }
}

TEST(IngestRealDicom, TruncatedFileIsCorruptAndNamed) {
  const std::string file = pydicom_file("MR_truncated.dcm");
  SIJ_REQUIRE_PATH(file);
  try {
    ingest(file);
    ADD_FAILURE() << "truncated file accepted";
  } catch (const IngestError& e) {
    EXPECT_EQ(e.reason(), IngestReason::CorruptFile) << e.what();
    EXPECT_EQ(e.file(), file);
    EXPECT_NE(std::string(e.what()).find("MR_truncated.dcm"), std::string::npos);
  }
}

}  // namespace
}  // namespace sij::ingest
