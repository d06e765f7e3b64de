// Every refusal of the DICOM ingest, fed real files (copies of the Philips series) with one
// thing broken, or series written with DCMTK. Each checks the reason, the message, and that
// the input was left as it was.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include "ingest_test_util.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::ingest {
namespace {
using namespace sij::ingest::testing;

const char* kPhilips = "philips-ingenuity-phantom-5mm";

IngestError expect_refusal(const std::string& path, IngestReason reason, const IngestOptions& opt = {}) {
  try {
    ingest(path, opt);
  } catch (const IngestError& e) {
    EXPECT_EQ(reason_name(e.reason()), reason_name(reason)) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
    EXPECT_EQ(e.exit_code(), exit_code(reason));
    return e;
  }
  ADD_FAILURE() << path << " was accepted, expected " << reason_name(reason);
  return IngestError(IngestReason::NotFound, "");
}

bool contains(const IngestError& e, const std::string& s) {
  return std::string(e.what()).find(s) != std::string::npos;
}

TEST(IngestRefusal, ExitCodesAreDistinct) {
  std::set<int> codes;
  for (int r = 0; r <= static_cast<int>(IngestReason::MissingTag); ++r) {
    const int c = exit_code(static_cast<IngestReason>(r));
    EXPECT_GT(c, 1);
    EXPECT_TRUE(codes.insert(c).second) << "duplicate exit code " << c;
  }
}

TEST(IngestRefusal, MissingSliceNamesItsNeighbours) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp.path());
  // I100 sits between I90 and I110 (5 mm apart each, by position).
  std::filesystem::remove(tmp / "I100");
  const auto e = expect_refusal(tmp.path(), IngestReason::MissingSlices);
  EXPECT_TRUE(contains(e, "I90") && contains(e, "I110")) << e.what();
  EXPECT_TRUE(contains(e, "1 slice")) << e.what();
}

TEST(IngestRefusal, DuplicatedFileIsNamed) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp.path());
  std::filesystem::copy_file(tmp / "I150", tmp / "I150_copy");
  const auto e = expect_refusal(tmp.path(), IngestReason::DuplicateSlices);
  EXPECT_TRUE(contains(e, "I150") && contains(e, "I150_copy")) << e.what();
  EXPECT_TRUE(contains(e, "SOPInstanceUID")) << e.what();
}

TEST(IngestRefusal, TruncatedFileIsNamedAndNothingIsDeleted) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp.path());
  const std::size_t files_before = std::distance(std::filesystem::directory_iterator(tmp.path()), {});
  std::filesystem::resize_file(tmp / "I170", 300000);  // cut inside the pixel data
  const auto e = expect_refusal(tmp.path(), IngestReason::CorruptFile);
  EXPECT_EQ(e.file(), tmp / "I170");
  EXPECT_TRUE(contains(e, "I170")) << e.what();
  // The folder is untouched: same files, the bad one still there for the user.
  EXPECT_EQ(files_before, static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(tmp.path()), {})));
  EXPECT_EQ(std::filesystem::file_size(tmp / "I170"), 300000u);
  // Moving the bad file aside leaves a series with a gap, reported as such.
  std::filesystem::rename(tmp / "I170", tmp.path() + "/../" + std::filesystem::path(tmp.path()).filename().string() + "-I170");
  expect_refusal(tmp.path(), IngestReason::MissingSlices);
  std::filesystem::remove(tmp.path() + "/../" + std::filesystem::path(tmp.path()).filename().string() + "-I170");
}

TEST(IngestRefusal, HeaderGarbageWithDicmMagicIsCorrupt) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp.path());
  std::filesystem::resize_file(tmp / "I40", 700);  // inside the header
  const auto e = expect_refusal(tmp.path(), IngestReason::CorruptFile);
  EXPECT_TRUE(contains(e, "I40")) << e.what();
}

TEST(IngestRefusal, EmptyFolderAndFolderWithoutImages) {
  TempDir tmp;
  expect_refusal(tmp.path(), IngestReason::EmptyFolder);
  std::ofstream(tmp / "notes.txt") << "not an image\n";
  const auto e = expect_refusal(tmp.path(), IngestReason::EmptyFolder);
  EXPECT_TRUE(contains(e, "1 file(s) skipped")) << e.what();
  expect_refusal(tmp / "does-not-exist", IngestReason::NotFound);
}

TEST(IngestRefusal, TwoSeriesAreListedAndOneCanBeChosen) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp / "a");
  SeriesSpec spec;
  spec.nz = 3;
  write_ct_series(spec, tmp / "b");
  const auto e = expect_refusal(tmp.path(), IngestReason::MixedSeries);
  EXPECT_TRUE(contains(e, spec.series_uid)) << e.what();
  EXPECT_TRUE(contains(e, "1.3.46.670589.33.1.6002432791750815306.26862469513794233732")) << e.what();
  EXPECT_TRUE(contains(e, "--series")) << e.what();

  IngestOptions opt;
  opt.series_uid = spec.series_uid;
  const Volume v = ingest(tmp.path(), opt);
  EXPECT_EQ(v.grid.nz, 3);
  EXPECT_EQ(v.meta.series_uid, spec.series_uid);
  opt.series_uid = "1.2.3.4";
  const auto e2 = expect_refusal(tmp.path(), IngestReason::SeriesNotFound, opt);
  EXPECT_TRUE(contains(e2, spec.series_uid)) << e2.what();
}

TEST(IngestRefusal, MemoryGuardNamesTheBytes) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  IngestOptions opt;
  opt.max_bytes = 1000000;
  const auto e = expect_refusal(real_ct(kPhilips), IngestReason::TooLarge, opt);
  EXPECT_TRUE(contains(e, std::to_string(512LL * 512 * 28 * 2))) << e.what();
}

TEST(IngestRefusal, NonCtModalityIsNamed) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp.path());
  for (const char* f : {"I10", "I20", "I30"}) {
    edit_dicom(tmp / f, [](DcmDataset& ds) { ds.putAndInsertString(DCM_Modality, "PT"); });
  }
  // The edited files still belong to the series, so the whole series is refused.
  const auto e = expect_refusal(tmp.path(), IngestReason::NotCt);
  EXPECT_TRUE(contains(e, "\"PT\"")) << e.what();
}

TEST(IngestRefusal, ShiftedSliceIsNonUniformSpacing) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp.path());
  // I200 is at z = 696.21 + 19 * 5 = 791.21; move it 1.7 mm.
  edit_dicom(tmp / "I200", [](DcmDataset& ds) {
    ds.putAndInsertString(DCM_ImagePositionPatient, "-115.5\\-1.85\\792.91");
  });
  const auto e = expect_refusal(tmp.path(), IngestReason::NonUniformSpacing);
  EXPECT_TRUE(contains(e, "I200")) << e.what();
}

TEST(IngestRefusal, DifferentPixelSpacingIsMixedGeometry) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp.path());
  edit_dicom(tmp / "I60", [](DcmDataset& ds) { ds.putAndInsertString(DCM_PixelSpacing, "0.5\\0.5"); });
  const auto e = expect_refusal(tmp.path(), IngestReason::MixedGeometry);
  EXPECT_TRUE(contains(e, "I60") && contains(e, "PixelSpacing")) << e.what();
}

TEST(IngestRefusal, MissingPositionTagIsNamed) {
  SIJ_REQUIRE_PATH(real_ct(kPhilips));
  TempDir tmp;
  copy_files(real_ct(kPhilips), tmp.path());
  edit_dicom(tmp / "I80", [](DcmDataset& ds) { ds.findAndDeleteElement(DCM_ImagePositionPatient); });
  const auto e = expect_refusal(tmp.path(), IngestReason::MissingTag);
  EXPECT_TRUE(contains(e, "I80") && contains(e, "(0020,0032)")) << e.what();
}

TEST(IngestRefusal, SyntheticTiltIsRefusedButObliqueIsNot) {
  TempDir tmp;
  SeriesSpec oblique;
  const double c = std::cos(0.3), s = std::sin(0.3);
  oblique.orientation = {1, 0, 0, 0, c, -s};  // rotated about x, positions along the normal
  write_ct_series(oblique, tmp / "oblique");
  const Volume v = ingest(tmp / "oblique");
  EXPECT_EQ(v.grid.nz, oblique.nz);

  // Same orientation, but positions stepping along z only: a tilted gantry.
  SeriesSpec tilted = oblique;
  TempDir tmp2;
  for (int z = 0; z < tilted.nz; ++z) {
    SeriesSpec one = tilted;
    const auto n = slice_normal(tilted);
    // write_ct_slice steps along the normal; undo the sideways part by moving the origin.
    const double step = z * tilted.slice_spacing_mm;
    one.origin_mm = {tilted.origin_mm[0] - step * n[0], tilted.origin_mm[1] - step * n[1],
                     tilted.origin_mm[2] - step * n[2] + step};
    write_ct_slice(one, z, tmp2 / ("s" + std::to_string(z) + ".dcm"), z + 1);
  }
  const auto e = expect_refusal(tmp2.path(), IngestReason::GantryTilt);
  EXPECT_TRUE(contains(e, "17.2")) << e.what();  // 0.3 rad
}

}  // namespace
}  // namespace sij::ingest
