// Needle calibration. A synthetic needle whose cross-section is an analytic Gaussian (sigma
// 0.6 mm: FWHM 2.3548 sigma = 1.41 mm, plus the trilinear interpolation's own widening of
// at most 0.1 mm at 0.5 mm voxels) and whose ends fall off symmetrically at known points,
// with its back end in view: blooming and the hub-to-tip tip offset (0 by construction).
// The phantom's final needle scan: tip offset against truth.json, blooming against a model
// of the phantom's imaging (steel disc of the truth diameter, PSF and voxel blur from the
// truth, the scanner's HU ceiling), and the profile written by the CLI.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <fstream>
#include <string>

#include "calib/NeedleCalibration.h"
#include "calib/ScannerProfile.h"
#include "datasets/phantom/Procedure.h"
#include "pipeline/ingest/Ingest.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sij::calib;

namespace {

using V3 = std::array<double, 3>;
V3 vec(const json& j) { return {j[0].get<double>(), j[1].get<double>(), j[2].get<double>()}; }

double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Needle from `back` along unit `d` for `length` mm, Gaussian cross-section sigma, peak
// `amplitude` above the background; body (40 HU) below y = 0, air above.
sij::Volume synthetic_needle(const V3& back, const V3& d, double length, double sigma, double amplitude) {
  sij::Volume v;
  v.grid.nx = 100, v.grid.ny = 170, v.grid.nz = 70;
  v.grid.sx_mm = v.grid.sy_mm = v.grid.sz_mm = 0.5f;
  v.affine.origin_mm[0] = -32.0, v.affine.origin_mm[1] = -55.0, v.affine.origin_mm[2] = -22.0;
  v.hu.resize(static_cast<std::size_t>(v.grid.voxel_count()));
  for (int k = 0; k < v.grid.nz; ++k)
    for (int j = 0; j < v.grid.ny; ++j)
      for (int i = 0; i < v.grid.nx; ++i) {
        const double idx[3] = {double(i), double(j), double(k)};
        double p[3];
        v.affine.index_to_physical(v.grid, idx, p);
        const V3 q{p[0] - back[0], p[1] - back[1], p[2] - back[2]};
        const double t = q[0] * d[0] + q[1] * d[1] + q[2] * d[2];
        const V3 perp{q[0] - t * d[0], q[1] - t * d[1], q[2] - t * d[2]};
        const double r2 = perp[0] * perp[0] + perp[1] * perp[1] + perp[2] * perp[2];
        const double bg = p[1] < 0 ? 40.0 : -1000.0;
        const double hu = bg + amplitude * std::exp(-r2 / (2 * sigma * sigma)) * phi(t / sigma) * phi((length - t) / sigma);
        v.hu[static_cast<std::size_t>(v.grid.index(i, j, k))] = static_cast<std::int16_t>(std::lround(hu));
      }
  return v;
}

TEST(CalibNeedleSyntheticTest, BloomingAndHubToTipOffset) {
  const double n = std::sqrt(0.3 * 0.3 + 0.9 * 0.9 + 0.2 * 0.2);
  const V3 d{0.3 / n, -0.9 / n, 0.2 / n};
  const V3 tip{0.0, -36.0, 0.0};
  const double length = 60.0, sigma = 0.6;
  const V3 back{tip[0] - length * d[0], tip[1] - length * d[1], tip[2] - length * d[2]};
  const sij::Volume v = synthetic_needle(back, d, length, sigma, 6000.0);
  const NeedleModel model = needle_model_for_gauge("22G", length);
  const NeedleCalibration c = calibrate_needle(v, model, sij::needle::NeedleOptions{});
  ASSERT_TRUE(c.needle_found);
  std::printf("[ needle   ] synthetic: FWHM %.3f / %.3f mm (analytic %.3f), length %.3f mm, offset %+.3f mm\n",
              c.fwhm_in_plane_mm, c.fwhm_through_plane_mm, 2.3548 * sigma, c.measured_length_mm,
              c.tip_offset_mm.value_or(NAN));
  EXPECT_GE(c.profiles_used, 10);
  EXPECT_NEAR(c.fwhm_in_plane_mm, 2.3548 * sigma + 0.05, 0.1);
  EXPECT_NEAR(c.fwhm_through_plane_mm, 2.3548 * sigma + 0.05, 0.1);
  ASSERT_TRUE(c.back_end_in_view);
  EXPECT_NEAR(std::hypot(c.back_end_mm[0] - back[0], c.back_end_mm[1] - back[1], c.back_end_mm[2] - back[2]), 0.0, 0.4);
  ASSERT_TRUE(c.tip_offset_mm.has_value());
  EXPECT_EQ(c.tip_offset_rule, "hub_to_tip_length");
  EXPECT_NEAR(*c.tip_offset_mm, 0.0, 0.3);
  // A needle 2 mm longer than the model says: the offset shows it.
  const NeedleCalibration longer = calibrate_needle(v, needle_model_for_gauge("22G", length - 2.0), sij::needle::NeedleOptions{});
  ASSERT_TRUE(longer.tip_offset_mm.has_value());
  EXPECT_NEAR(*longer.tip_offset_mm, 2.0, 0.3);
  const NeedleModel stored = calibrated_model(model, c, "synthetic");
  EXPECT_DOUBLE_EQ(*stored.blooming_diameter_mm, c.fwhm_in_plane_mm);
  EXPECT_DOUBLE_EQ(*stored.tip_offset_mm, *c.tip_offset_mm);
  EXPECT_EQ(stored.calibrated_on, "synthetic");
}

TEST(CalibNeedleSyntheticTest, NoNeedleIsReported) {
  sij::Volume v = synthetic_needle({0, 0, 0}, {1, 0, 0}, 10.0, 0.6, 0.0);  // amplitude 0: no steel
  const NeedleCalibration c = calibrate_needle(v, NeedleModel{}, sij::needle::NeedleOptions{});
  EXPECT_FALSE(c.needle_found);
  EXPECT_FALSE(c.tip_offset_mm.has_value());
}

// FWHM of the phantom's shaft as a model predicts it: a steel disc (kSteelHu) of the true
// diameter, blurred by a Gaussian of the PSF plus the voxel box and trilinear sampling
// (variances s^2/12 + s^2/6), clipped at the scanner's ceiling; half-way between that peak
// and the tissue background (~50 HU).
double model_fwhm(double diameter, double psf_sigma, double spacing, double hu_max) {
  const double var = psf_sigma * psf_sigma + spacing * spacing / 4.0;
  const double steel = 33700.0, bg = 50.0, r0 = 0.5 * diameter;
  // 2D disc convolved with a Gaussian, on a line through the centre: numerical integral.
  auto value = [&](double x) {
    double acc = 0;
    const int n = 200;
    for (int a = 0; a < n; ++a)
      for (int b = 0; b < n; ++b) {
        const double u = -r0 + (a + 0.5) * 2 * r0 / n, w = -r0 + (b + 0.5) * 2 * r0 / n;
        if (u * u + w * w > r0 * r0) continue;
        acc += std::exp(-((x - u) * (x - u) + w * w) / (2 * var));
      }
    return bg + (steel - bg) * acc * (2 * r0 / n) * (2 * r0 / n) / (2 * M_PI * var);
  };
  const double peak = std::min(value(0.0), hu_max);
  const double level = 0.5 * (peak + bg);
  double x = 0;
  while (std::min(value(x), hu_max) > level) x += 0.005;
  return 2 * x;
}

class CalibNeedleTest : public ::testing::Test {
 protected:
  static std::unique_ptr<sij::test::ScratchDir> scratch_;
  static fs::path root_;
  static void SetUpTestSuite() {
    scratch_ = std::make_unique<sij::test::ScratchDir>("calib_needle");
    root_ = scratch_->path();
    sij::phantom::PhantomOptions o;
    o.seed = 2;
    o.size = sij::phantom::PhantomSize::Test;
    o.only_scans = {2};
    o.out_dir = root_.string();
    sij::phantom::generate_procedure(o);
  }
  static void TearDownTestSuite() { scratch_.reset(); }
  static fs::path final_scan() { return root_ / "scan_02_needle_final"; }
};
std::unique_ptr<sij::test::ScratchDir> CalibNeedleTest::scratch_;
fs::path CalibNeedleTest::root_;

TEST_F(CalibNeedleTest, PhantomTipOffsetAndBlooming) {
  std::ifstream in(final_scan() / "truth.json");
  const json truth = json::parse(in);
  const sij::Volume v = sij::ingest::ingest((final_scan() / "dicom").string());
  const NeedleModel model = needle_model_for_gauge("22G", truth["needle"]["length_mm"].get<double>());
  NeedleCalibration c = calibrate_needle(v, model, sij::needle::NeedleOptions{});
  ASSERT_TRUE(c.needle_found);
  // The test-size field of view ends a few mm above the skin: the hub is not in it.
  EXPECT_FALSE(c.back_end_in_view);
  EXPECT_FALSE(c.tip_offset_mm.has_value());
  const V3 tip = vec(truth["needle"]["tip_mm"]);
  tip_offset_against(c, tip.data());
  ASSERT_TRUE(c.tip_offset_mm.has_value());
  EXPECT_EQ(c.tip_offset_rule, "phantom_truth");
  EXPECT_LT(std::fabs(*c.tip_offset_mm), 1.0);
  EXPECT_LT(c.tip_lateral_offset_mm, 0.5);
  const double expected = model_fwhm(truth["needle"]["diameter_mm"].get<double>(),
                                     truth["imaging"]["psf_sigma_mm"].get<double>(),
                                     truth["geometry"]["spacing_mm"][0].get<double>(), truth["imaging"]["hu_max"].get<double>());
  std::printf("[ needle   ] phantom: FWHM %.3f mm in-plane, %.3f mm through-plane (model %.3f), tip offset %+.3f mm along, "
              "%.3f mm across\n",
              c.fwhm_in_plane_mm, c.fwhm_through_plane_mm, expected, *c.tip_offset_mm, c.tip_lateral_offset_mm);
  EXPECT_GT(c.fwhm_in_plane_mm, truth["needle"]["diameter_mm"].get<double>());
  EXPECT_NEAR(c.fwhm_in_plane_mm, expected, 0.3 * expected);
}

TEST_F(CalibNeedleTest, CliStoresTheMeasurementsInTheProfile) {
  const fs::path out = root_ / "needle_profile.json";
  const std::string cmd = std::string(SIJTRACK_BINARY) + " calibrate needle " + (final_scan() / "dicom").string() +
                          " --length 140 --truth " + (final_scan() / "truth.json").string() + " --out " + out.string() +
                          " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const ScannerProfile p = load_profile(out.string());
  EXPECT_EQ(p.name, "sijtrack-phantom");
  EXPECT_EQ(p.needle.gauge, "22G");
  EXPECT_DOUBLE_EQ(p.needle.length_mm, 140.0);
  ASSERT_TRUE(p.needle.blooming_diameter_mm.has_value());
  EXPECT_GT(*p.needle.blooming_diameter_mm, 0.72);
  ASSERT_TRUE(p.needle.tip_offset_mm.has_value());
  EXPECT_LT(std::fabs(*p.needle.tip_offset_mm), 1.0);
  EXPECT_EQ(p.needle.tip_offset_rule, "phantom_truth");
  // An unknown gauge is refused.
  const std::string bad = std::string(SIJTRACK_BINARY) + " calibrate needle " + (final_scan() / "dicom").string() +
                          " --gauge 30G > /dev/null 2>&1";
  EXPECT_NE(std::system(bad.c_str()), 0);
}

}  // namespace
