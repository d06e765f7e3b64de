// HU calibration on a phantom planning scan: air and muscle measured at their true values
// (datasets/phantom/Materials.h: air -1000 HU, muscle 50 HU), and a scan whose HU went
// through a known linear map (a miscalibrated scanner) corrected back, in memory and through
// `sijtrack calibrate hu FILE --out PROFILE`.
//
// Tolerance: the air median is taken over >10^4 voxels with noise SD <= 25 HU (standard error
// < 0.5 HU) and the muscle median over >10^5 eroded voxels; integer HU and the rounding of the
// mapped volume add up to 0.5 HU each. So each reference point is within 2 HU after
// correction, and the corrected line, extrapolated over the 1050 HU between the reference
// points, stays within 2 + 2 * (2350 / 1050) < 7 HU at cortical bone (1350 HU).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "calib/ApplyProfile.h"
#include "calib/HuCalibration.h"
#include "calib/ScannerProfile.h"
#include "datasets/phantom/MhaWriter.h"
#include "datasets/phantom/Procedure.h"
#include "pipeline/ingest/Ingest.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;
using namespace sij::calib;

namespace {

class CalibHuTest : public ::testing::Test {
 protected:
  static std::unique_ptr<sij::test::ScratchDir> scratch_;
  static fs::path root_;
  static sij::Volume* planning_;
  static void SetUpTestSuite() {
    scratch_ = std::make_unique<sij::test::ScratchDir>("calib_hu");
    root_ = scratch_->path();
    sij::phantom::PhantomOptions o;
    o.seed = 3;
    o.size = sij::phantom::PhantomSize::Test;
    o.only_scans = {0};
    o.out_dir = root_.string();
    sij::phantom::generate_procedure(o);
    planning_ = new sij::Volume(sij::ingest::ingest((root_ / "scan_00_planning" / "image.mha").string()));
  }
  static void TearDownTestSuite() {
    delete planning_;
    scratch_.reset();
  }
  // The scan as a scanner with this miscalibration would have stored it.
  static sij::Volume miscalibrated(double slope, double intercept) {
    sij::Volume v = *planning_;
    apply_hu_correction(HuCorrection{slope, intercept, false, 0, 0, ""}, v);
    return v;
  }
  static void expect_corrects(const HuCorrection& c, double slope, double intercept) {
    // corrected(map(h)) against h at air, muscle and cortical bone.
    const double tol[3] = {2.0, 2.0, 7.0};
    const double h[3] = {-1000.0, 50.0, 1350.0};
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(c.apply(slope * h[i] + intercept), h[i], tol[i]) << "at " << h[i] << " HU";
    }
  }
};
std::unique_ptr<sij::test::ScratchDir> CalibHuTest::scratch_;
fs::path CalibHuTest::root_;
sij::Volume* CalibHuTest::planning_ = nullptr;

TEST_F(CalibHuTest, MeasuresTrueAirAndMuscle) {
  const HuMeasurement m = measure_hu_references(*planning_, HuCalibrationOptions{});
  std::printf("[ hu       ] air %.1f HU (MAD %.1f, %lld voxels), muscle %.1f HU (MAD %.1f, %lld voxels), other mode %.0f\n",
              m.air_hu, m.air_mad_hu, static_cast<long long>(m.air_voxels), m.tissue_hu, m.tissue_mad_hu,
              static_cast<long long>(m.tissue_voxels), m.other_mode_hu);
  EXPECT_NEAR(m.air_hu, -1000.0, 2.0);
  EXPECT_NEAR(m.tissue_hu, 50.0, 2.0);
  EXPECT_GT(m.air_voxels, 5000);
  EXPECT_GT(m.tissue_voxels, 50000);
  expect_corrects(m.correction, 1.0, 0.0);
}

TEST_F(CalibHuTest, CorrectsAKnownLinearMiscalibration) {
  const double maps[3][2] = {{1.04, -30.0}, {0.97, 25.0}, {1.0, 40.0}};
  for (const auto& mp : maps) {
    SCOPED_TRACE("map " + std::to_string(mp[0]) + " * hu + " + std::to_string(mp[1]));
    const HuMeasurement m = measure_hu_references(miscalibrated(mp[0], mp[1]), HuCalibrationOptions{});
    std::printf("[ hu       ] map %.2f*hu%+.0f: measured air %.1f, muscle %.1f -> slope %.5f, intercept %.2f\n", mp[0],
                mp[1], m.air_hu, m.tissue_hu, m.correction.slope, m.correction.intercept_hu);
    expect_corrects(m.correction, mp[0], mp[1]);
    // Applied to the volume, the corrected scan reads like the original one.
    sij::Volume v = miscalibrated(mp[0], mp[1]);
    apply_hu_correction(m.correction, v);
    const HuMeasurement again = measure_hu_references(v, HuCalibrationOptions{});
    EXPECT_NEAR(again.air_hu, -1000.0, 2.0);
    EXPECT_NEAR(again.tissue_hu, 50.0, 2.0);
  }
}

TEST_F(CalibHuTest, CliWritesTheCorrectionIntoAProfile) {
  const sij::Volume v = miscalibrated(1.03, -20.0);
  const fs::path image = root_ / "miscalibrated.mha", profile = root_ / "measured.json";
  sij::phantom::write_mha(image.string(), v.grid, v.affine, v.hu);
  const std::string cmd = std::string(SIJTRACK_BINARY) + " calibrate hu " + image.string() + " --profiles " +
                          SIJTRACK_SOURCE_DIR + "/config/scanners --out " + profile.string() + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const ScannerProfile p = load_profile(profile.string());
  EXPECT_TRUE(p.hu_correction.measured);
  EXPECT_EQ(p.name, "default");  // a MetaImage carries no scanner tags
  expect_corrects(p.hu_correction, 1.03, -20.0);
}

TEST_F(CalibHuTest, RefusesAScanWithoutAirOrTissue) {
  sij::Volume v;
  v.grid.nx = v.grid.ny = 40, v.grid.nz = 10;
  v.hu.assign(static_cast<std::size_t>(v.grid.voxel_count()), 40);  // all soft tissue: no air
  EXPECT_THROW(measure_hu_references(v, HuCalibrationOptions{}), HuCalibrationError);
  v.hu.assign(v.hu.size(), -1000);  // all air: no body
  EXPECT_THROW(measure_hu_references(v, HuCalibrationOptions{}), HuCalibrationError);
  EXPECT_THROW(correction_from(-1000.0, -900.0, References{}), HuCalibrationError);
}

}  // namespace
