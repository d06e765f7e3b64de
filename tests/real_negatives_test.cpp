// Real CT that nobody here wrote, where the right answer is known (../shared/data/
// real-ct-negatives/README.md): no needle, no injected gas, and no sacroiliac joint where there
// is no pelvis. Any finding there is false.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/ingest/Ingest.h"

namespace {

std::string negative(const std::string& name) {
  return std::string(SIJTRACK_SOURCE_DIR) + "/../shared/data/real-ct-negatives/" + name;
}

sij::analysis::ScanReport analyze_file(const std::string& path, sij::Backend backend = sij::Backend::Cpu) {
  const sij::Volume volume = sij::ingest::ingest(path);
  sij::analysis::AnalyzeOptions options;
  options.backend = backend;
  return sij::analysis::analyze_scan(volume, options);
}

TEST(RealNegatives, ChestCtHasNoNeedleNoJointNoInjectedGas) {
  const std::string path = negative("lidc-chest-philips-jpegls");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data not present: " << path;
  const auto report = analyze_file(path);
  EXPECT_TRUE(report.needles.empty());
  // The shoulder joint (scapula against humerus) is not a sacroiliac joint.
  EXPECT_TRUE(report.joints.empty());
  ASSERT_TRUE(report.joint_analysis);
  ASSERT_FALSE(report.joint_analysis->rejected.empty()) << "the shoulder is found and must be rejected with a reason";
  EXPECT_NE(report.joint_analysis->rejected.front().find("no pelvis in view"), std::string::npos);
  EXPECT_LE(report.gas.injected_ml, 0.05);
}

TEST(RealNegatives, FemoralHardwareIsNotANeedleAndItsStreaksAreNotGas) {
  const std::string path = negative("totalseg-pelvis-femoral-hardware/example_ct.nii.gz");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data not present: " << path;
  const auto report = analyze_file(path);
  EXPECT_TRUE(report.needles.empty()) << "the nail and screw were called a needle";
  ASSERT_EQ(report.hardware.size(), 1u);
  // The nail and screw sit in the left femur (README): named by patient anatomy.
  EXPECT_EQ(report.hardware.front().side, "left");
  EXPECT_GT(report.hardware.front().volume_ml, 5.0);
  EXPECT_LE(report.gas.injected_ml, 0.05);
  // The same answer on the emulated device (host reads of device memory would crash here).
  const auto emulated = analyze_file(path, sij::Backend::Emulated);
  EXPECT_TRUE(emulated.needles.empty());
  ASSERT_EQ(emulated.hardware.size(), 1u);
  EXPECT_EQ(emulated.hardware.front().side, "left");
  EXPECT_DOUBLE_EQ(emulated.hardware.front().volume_ml, report.hardware.front().volume_ml);
  EXPECT_DOUBLE_EQ(emulated.gas.injected_ml, report.gas.injected_ml);
  EXPECT_EQ(emulated.joints.size(), report.joints.size());
}

}  // namespace
