// What a report may claim about its input (pipeline/analysis/InputCheck, ScanAnalyzer): values
// that are not CT in HU are warned about on the verdict line; injected gas in the first or last
// slice makes volume and spread lower bounds ("≥" on the console); the needle's movement since
// the previous scan is measured in the patient's frame, so a patient shifted 3 mm with the
// needle unmoved reads ~0 mm, not 3 mm.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "datasets/phantom/Procedure.h"
#include "pipeline/analysis/InputCheck.h"
#include "pipeline/analysis/ReportJson.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/ingest/Ingest.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;
using sij::Volume;

namespace {

Volume blank(int n, std::int16_t value) {
  Volume v;
  v.grid.nx = v.grid.ny = v.grid.nz = n;
  v.grid.sx_mm = v.grid.sy_mm = v.grid.sz_mm = 1.0;
  v.hu.assign(static_cast<std::size_t>(n) * n * n, value);
  v.meta.source_format = "NIfTI";
  return v;
}

TEST(InputCheck, CtLikeValuesPass) {
  Volume v = blank(20, 40);                                   // soft tissue
  for (std::size_t i = 0; i < 2000; ++i) v.hu[i] = -1000;     // air around the body
  for (std::size_t i = 3000; i < 3010; ++i) v.hu[i] = 3071;   // a little steel
  EXPECT_TRUE(sij::analysis::ct_plausibility_warnings(v).empty());
}

TEST(InputCheck, MrLikeValuesAreWarnedAbout) {
  // An MR volume: intensities from 0 to about 30000, no negative values.
  Volume v = blank(20, 0);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> value(0, 30393);
  for (auto& x : v.hu) x = static_cast<std::int16_t>(value(rng));
  const auto warnings = sij::analysis::ct_plausibility_warnings(v);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("no voxel below -200 HU"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("NIfTI file without a modality"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("above 3000 HU"), std::string::npos) << warnings[1];
}

TEST(InputCheck, InjectedGasOnAnEdgeSlice) {
  sij::gas::GasFinding g;
  g.grid.nx = g.grid.ny = 4;
  g.grid.nz = 5;
  g.mask.assign(80, sij::gas::kNoGas);
  g.mask[2 * 16 + 5] = sij::gas::kInjected;  // middle slice
  g.mask[4 * 16 + 1] = sij::gas::kPreexisting;  // last slice, but bowel gas
  EXPECT_FALSE(sij::analysis::injected_gas_reaches_scan_edge(g));
  g.mask[4 * 16 + 2] = sij::gas::kInjected;
  EXPECT_TRUE(sij::analysis::injected_gas_reaches_scan_edge(g));
  g.mask[4 * 16 + 2] = sij::gas::kNoGas;
  g.mask[3] = sij::gas::kInjected;  // first slice
  EXPECT_TRUE(sij::analysis::injected_gas_reaches_scan_edge(g));
}

TEST(InputCheck, ConsoleMarksLowerBoundsAndSaysNoInjectedGas) {
  sij::analysis::ScanReport r;
  r.gas.analysed = true;
  r.gas.injected_ml = 2.0;
  r.gas.intra_articular_ml = 1.5;
  r.gas.spread_craniocaudal_mm = 30.0;
  r.gas_reaches_scan_edge = true;
  r.verdict.gas = sij::verdict::GasCall::Confirmed;
  auto text = sij::analysis::console_summary(r);
  EXPECT_NE(text.find("spread \u2265 30 mm"), std::string::npos) << text;
  EXPECT_NE(text.find("intra-articular 1.50 = 75 % of it"), std::string::npos) << text;
  EXPECT_NE(text.find("lower bounds"), std::string::npos) << text;
  r.gas = {};
  r.gas.analysed = true;
  r.gas.preexisting_ml = 2.69;
  r.gas_reaches_scan_edge = false;
  r.verdict.gas = sij::verdict::GasCall::NotApplicable;
  text = sij::analysis::console_summary(r);
  EXPECT_NE(text.find("gas: no injected gas; pre-existing 2.69 mL"), std::string::npos) << text;
  EXPECT_EQ(text.find("spread"), std::string::npos) << text;
}

// Seed 1's final-needle scan (a real CT-like phantom), generated once.
class PhantomInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<sij::test::ScratchDir>("input_limits");
    sij::phantom::PhantomOptions o;
    o.seed = 1;
    o.out_dir = dir_->path().string();
    o.only_scans = {2};
    o.write_mha = false;
    sij::phantom::generate_procedure(o);
    for (const auto& e : fs::directory_iterator(dir_->path())) {
      if (e.is_directory()) scan_ = std::make_shared<Volume>(sij::ingest::ingest((e.path() / "dicom").string()));
    }
  }
  static void TearDownTestSuite() {
    scan_.reset();
    dir_.reset();
  }
  static inline std::unique_ptr<sij::test::ScratchDir> dir_;
  static inline std::shared_ptr<Volume> scan_;
};

TEST_F(PhantomInputTest, APhantomCtRaisesNoWarning) {
  ASSERT_TRUE(scan_);
  EXPECT_TRUE(sij::analysis::ct_plausibility_warnings(*scan_).empty());
}

TEST_F(PhantomInputTest, PatientMotionIsNotNeedleMotion) {
  ASSERT_TRUE(scan_);
  const sij::analysis::AnalyzeOptions options;
  const auto before = sij::analysis::analyze_scan(std::shared_ptr<const Volume>(scan_), options);
  ASSERT_FALSE(before.needles.empty());
  // The same voxels placed 3 mm further left and 1 mm up: the patient moved, the needle in him
  // did not. In scanner coordinates the tip moved sqrt(10) = 3.16 mm.
  auto moved = std::make_shared<Volume>(*scan_);
  moved->affine.origin_mm[0] += 3.0;
  moved->affine.origin_mm[2] += 1.0;
  moved->meta.series_uid += ".9";
  const auto after = sij::analysis::analyze_scan(std::shared_ptr<const Volume>(moved), options, &before);
  ASSERT_FALSE(after.needles.empty());
  const auto& n = after.needles.front();
  ASSERT_TRUE(n.tip_moved_mm.has_value()) << "the needle was not matched with the previous scan's";
  EXPECT_TRUE(n.tip_moved_in_patient_frame);
  EXPECT_LT(*n.tip_moved_mm, 0.5) << "patient motion read as needle motion";
  const auto text = sij::analysis::console_summary(after);
  EXPECT_NE(text.find("since the previous scan (in the patient, after aligning the scans)"), std::string::npos) << text;
}

}  // namespace
