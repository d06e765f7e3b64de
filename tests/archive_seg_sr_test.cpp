// The DICOM SEG and the TID 1500 SR of an analysed phantom scan, checked with programs nobody
// here wrote: dciodvfy (dicom3tools: no errors against the IODs), PixelMed's DicomSRValidator
// (no errors against the templates), dcmdump (references, geometry) and pydicom (the SR's
// values against report.json, and the SEG's voxels against the phantom's masks).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "overlay_phantom_fixture.h"
#include "pipeline/analysis/ReportJson.h"
#include "pipeline/report/MeasurementReportWriter.h"
#include "pipeline/report/SegmentationWriter.h"
#include "pipeline/report/SegmentMasks.h"
#include "support/RunCommand.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;

namespace {

using sij::testing::run_command;

// Lines of a validator's report that are errors.
std::string errors_of(const std::string& report) {
  std::string errors, line;
  for (char c : report + "\n") {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (line.rfind("Error", 0) == 0 || line.rfind("E: ", 0) == 0) errors += line + "\n";
    line.clear();
  }
  return errors;
}

class ArchiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sij::test::report_phantom(); }
  const sij::test::ReportPhantom& p = sij::test::report_phantom();
};

TEST_F(ArchiveTest, SegmentMasksFollowTheGasClassesAndTheJointMask) {
  const auto masks = sij::report::build_segment_masks(p.report);
  std::set<std::string> keys;
  for (const auto& m : masks) keys.insert(m.key);
  EXPECT_TRUE(keys.count("gas_preexisting")) << "the phantom has bowel gas";
  EXPECT_TRUE(keys.count("joint_right") || keys.count("joint_left"));
  EXPECT_TRUE(keys.count("needle_" + std::to_string(p.report.needles.at(0).needle.id)));
  // Independent count: injected voxels of the truth = intra + peri + distant voxels, and
  // pre-existing = bowel voxels.
  std::int64_t injected = 0, bowel = 0;
  for (auto l : p.labels) {
    injected += (l & 2) != 0;
    bowel += !(l & 2) && (l & 4);
  }
  std::int64_t gas_injected = 0, gas_pre = 0;
  for (const auto& m : masks) {
    if (m.kind == sij::report::SegmentKind::PreexistingGas) gas_pre += m.voxels.size();
    if (m.kind == sij::report::SegmentKind::InjectedGasIntraArticular ||
        m.kind == sij::report::SegmentKind::InjectedGasPeriArticular ||
        m.kind == sij::report::SegmentKind::InjectedGasDistant) {
      gas_injected += m.voxels.size();
    }
    EXPECT_TRUE(std::is_sorted(m.voxels.begin(), m.voxels.end())) << m.key;
  }
  EXPECT_EQ(gas_injected, injected);
  EXPECT_EQ(gas_pre, bowel);
  // Joint segments: exactly the joint stage's labelled voxels.
  std::int64_t joint_voxels = 0;
  for (auto l : p.report.joint_analysis->joint_label) joint_voxels += l != 0;
  std::int64_t joint_seg = 0;
  for (const auto& m : masks) {
    if (m.kind == sij::report::SegmentKind::JointSpace) joint_seg += m.voxels.size();
  }
  EXPECT_EQ(joint_seg, joint_voxels);
}

TEST_F(ArchiveTest, SegIsValidAndReferencesTheSourceSeries) {
  sij::test::ScratchDir tmp("archive-seg");
  const fs::path file = tmp.path() / "seg.dcm";
  const auto written = sij::report::write_segmentation(p.report, file);
  ASSERT_TRUE(fs::exists(file));
  ASSERT_FALSE(written.segments.empty());
  const auto [rc, out] = run_command("dciodvfy " + file.string());
  EXPECT_EQ(errors_of(out), "") << out;
  const auto [rc2, dump] = run_command("dcmdump -q +P 0008,1115 +P 0020,000e +P 0020,000d " + file.string());
  EXPECT_NE(dump.find(p.report.source.series_uid), std::string::npos) << dump;
  EXPECT_NE(dump.find(p.report.source.study_uid), std::string::npos) << dump;
}

}  // namespace

namespace {

TEST_F(ArchiveTest, SrIsValidForDciodvfyAndPixelMed) {
  sij::test::ScratchDir tmp("archive-sr");
  const auto seg = sij::report::write_segmentation(p.report, tmp.path() / "seg.dcm");
  const fs::path file = tmp.path() / "sr.dcm";
  const auto written = sij::report::write_measurement_report(p.report, seg, file);
  ASSERT_TRUE(fs::exists(file));
  const auto [rc, out] = run_command("dciodvfy " + file.string());
  EXPECT_EQ(errors_of(out), "") << out;
  // Newer Java runtimes limit XPath expressions below what PixelMed's templates need.
  const auto [rc2, out2] = run_command(
      "java -Djdk.xml.xpathExprOpLimit=0 -Djdk.xml.xpathExprGrpLimit=0 -Djdk.xml.xpathTotalOpLimit=0 "
      "-cp /usr/share/java/pixelmed.jar com.pixelmed.validate.DicomSRValidator " + file.string());
  EXPECT_NE(out2.find("Root Template Validation Complete"), std::string::npos) << out2;
  EXPECT_NE(out2.find("Found Root Template TID_1500"), std::string::npos) << out2;
  EXPECT_EQ(errors_of(out2), "") << out2;
}

}  // namespace

namespace {

// The command line end to end: `analyze --json --seg --sr` on the phantom scan, both files
// valid for dciodvfy, and every SR value read back with pydicom equal to report.json's.
TEST_F(ArchiveTest, AnalyzeWritesSegAndSrWhoseValuesMatchReportJson) {
  sij::test::ScratchDir tmp("archive-cli");
  const fs::path json = tmp.path() / "report.json", seg = tmp.path() / "seg.dcm", sr = tmp.path() / "sr.dcm";
  const auto [rc, out] = run_command(std::string(SIJTRACK_BINARY) + " analyze " + (p.scan_dir / "dicom").string() +
                             " --json " + json.string() + " --seg " + seg.string() + " --sr " + sr.string());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("DICOM SEG"), std::string::npos) << out;
  for (const fs::path& f : {seg, sr}) {
    const auto [vrc, report] = run_command("dciodvfy " + f.string());
    EXPECT_EQ(errors_of(report), "") << f << "\n" << report;
  }
  const std::string script = std::string(SIJTRACK_SOURCE_DIR) + "/tests/tools/sr_vs_report.py";
  const auto [prc, check] = run_command("/usr/bin/python3 " + script + " " + sr.string() + " " + json.string() + " " +
                                seg.string());
  EXPECT_EQ(prc, 0) << check;
  EXPECT_NE(check.find(" 0 mismatches"), std::string::npos) << check;
  std::printf("%s", check.c_str());
}

TEST_F(ArchiveTest, SrNeedsSegAndNonDicomSourceIsRefused) {
  sij::test::ScratchDir tmp("archive-refuse");
  const auto [rc, out] = run_command(std::string(SIJTRACK_BINARY) + " analyze " + (p.scan_dir / "dicom").string() +
                             " --sr " + (tmp.path() / "sr.dcm").string());
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("--seg"), std::string::npos) << out;
  sij::analysis::ScanReport nifti = p.report;
  nifti.source.source_format = "NIfTI";
  nifti.source.slice_sop_instance_uids.clear();
  try {
    sij::report::write_segmentation(nifti, tmp.path() / "seg.dcm");
    ADD_FAILURE() << "SEG written for a NIfTI source";
  } catch (const sij::report::SegmentationError& e) {
    EXPECT_NE(std::string(e.what()).find("DICOM series"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(tmp.path() / "seg.dcm"));
}

}  // namespace
