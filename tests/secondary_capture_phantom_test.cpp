// The axial overlay as DICOM Secondary Capture, checked with programs nobody here wrote:
// DCMTK's dciodvfy (no errors against the SC Image IOD) and dcmdump (the source's study UID
// and patient ID), and DCMTK reading the pixels back byte for byte. Also a source without
// DICOM files (MetaImage) and bad input.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dctk.h>
#include <opencv2/imgproc.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <tuple>

#include "overlay_phantom_fixture.h"
#include "pipeline/report/AxialOverlay.h"
#include "pipeline/report/SecondaryCapture.h"
#include "support/RunCommand.h"

namespace fs = std::filesystem;

namespace {

// stdout and stderr of a command, and its exit status.
using sij::testing::run_command;

// Lines of dciodvfy's report that are errors.
std::string errors_of(const std::string& report) {
  std::string errors, line;
  for (char c : report) {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (line.rfind("Error", 0) == 0) errors += line + "\n";
    line.clear();
  }
  return errors;
}

std::string dump_value(const fs::path& file, const char* tag) {
  const auto [rc, out] = run_command("dcmdump -Un +P " + std::string(tag) + " " + file.string());
  const auto open = out.find('['), close = out.find(']');
  return rc == 0 && open != std::string::npos && close > open ? out.substr(open + 1, close - open - 1) : "";
}

class SecondaryCapturePhantomTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sij::test::report_phantom(); }
};

TEST_F(SecondaryCapturePhantomTest, ValidSameStudyAndPixelsRoundTrip) {
  const auto& p = sij::test::report_phantom();
  const fs::path file = p.root / "axial_sc.dcm";
  const auto written = sij::report::write_axial_secondary_capture(p.report, *p.volume, file);
  ASSERT_TRUE(fs::exists(file));
  EXPECT_TRUE(written.patient_from_source);

  const auto [rc, report] = run_command("dciodvfy " + file.string());
  EXPECT_EQ(errors_of(report), "") << report;
  EXPECT_NE(report.find("SCImage"), std::string::npos) << report;

  // Same study and patient as the source slices (read by dcmdump from a source file).
  const fs::path source = p.scan_dir / "dicom" / fs::directory_iterator(p.scan_dir / "dicom")->path().filename();
  EXPECT_EQ(dump_value(file, "0020,000d"), p.volume->meta.study_uid);
  EXPECT_EQ(dump_value(file, "0020,000d"), dump_value(source, "0020,000d"));
  EXPECT_EQ(dump_value(file, "0010,0020"), dump_value(source, "0010,0020"));
  EXPECT_FALSE(dump_value(file, "0010,0020").empty());
  EXPECT_NE(dump_value(file, "0020,000e"), p.volume->meta.series_uid);  // a new series
  EXPECT_EQ(dump_value(file, "0008,0016"), "1.2.840.10008.5.1.4.1.1.7");
  EXPECT_EQ(dump_value(file, "0008,0008"), "DERIVED\\SECONDARY");

  // Pixels: DCMTK reads back exactly the overlay, in RGB order.
  const auto overlay = sij::report::render_axial_overlay(p.report, *p.volume);
  cv::Mat rgb;
  cv::cvtColor(overlay.image, rgb, cv::COLOR_BGR2RGB);
  DcmFileFormat dicom;
  ASSERT_TRUE(dicom.loadFile(file.c_str()).good());
  DcmDataset& ds = *dicom.getDataset();
  Uint16 rows = 0, cols = 0, samples = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, cols);
  ds.findAndGetUint16(DCM_SamplesPerPixel, samples);
  EXPECT_EQ(rows, rgb.rows);
  EXPECT_EQ(cols, rgb.cols);
  EXPECT_EQ(samples, 3);
  const Uint8* pixels = nullptr;
  unsigned long count = 0;
  ASSERT_TRUE(ds.findAndGetUint8Array(DCM_PixelData, pixels, &count).good());
  ASSERT_EQ(count, rgb.total() * 3);
  EXPECT_EQ(std::memcmp(pixels, rgb.data, count), 0);
}

// DCMTK's storescu sends it to DCMTK's storescp (a stand-in for the console or PACS), which
// accepts and stores it.
TEST_F(SecondaryCapturePhantomTest, StorescpAcceptsIt) {
  const auto& p = sij::test::report_phantom();
  const fs::path file = p.root / "send_sc.dcm";
  const auto written = sij::report::write_axial_secondary_capture(p.report, *p.volume, file);
  const fs::path inbox = p.root / "storescp_inbox";
  fs::create_directories(inbox);
  const int port = 20000 + ::getpid() % 20000;
  const fs::path pid_file = p.root / "storescp.pid";
  // Our own storescp, stopped by its pid (and by timeout should the test die first).
  const std::string start = "timeout 60 storescp -aet SIJSCP -od " + inbox.string() + " " + std::to_string(port) +
                            " > /dev/null 2>&1 & echo $! > " + pid_file.string();
  ASSERT_EQ(std::system(start.c_str()), 0);
  int sent = -1;
  std::string log;
  for (int attempt = 0; attempt < 20 && sent != 0; ++attempt) {  // until the listener is up
    ::usleep(200000);
    std::tie(sent, log) = run_command("storescu -aec SIJSCP localhost " + std::to_string(port) + " " + file.string());
  }
  std::ifstream pid_in(pid_file);
  long pid = 0;
  pid_in >> pid;
  if (pid > 0) std::system(("kill " + std::to_string(pid)).c_str());
  ASSERT_EQ(sent, 0) << log;
  int received = 0;
  for (const auto& e : fs::directory_iterator(inbox)) {
    ++received;
    EXPECT_EQ(dump_value(e.path(), "0008,0018"), written.sop_instance_uid);
  }
  EXPECT_EQ(received, 1);
}

TEST_F(SecondaryCapturePhantomTest, NonDicomSourceStillValid) {
  const auto& p = sij::test::report_phantom();
  sij::analysis::ScanReport report = p.report;
  report.source.slice_files.clear();
  report.source.source_path = (p.scan_dir / "image.mha").string();
  report.source.source_format = "MetaImage";
  report.source.study_uid.clear();
  const fs::path file = p.root / "mha_sc.dcm";
  const auto written = sij::report::write_axial_secondary_capture(report, *p.volume, file);
  EXPECT_FALSE(written.patient_from_source);
  EXPECT_FALSE(written.study_uid.empty());
  EXPECT_EQ(dump_value(file, "0020,000d"), written.study_uid);
  const auto [rc, out] = run_command("dciodvfy " + file.string());
  EXPECT_EQ(errors_of(out), "") << out;
}

TEST_F(SecondaryCapturePhantomTest, BadInputIsATypedError) {
  const auto& p = sij::test::report_phantom();
  const cv::Mat grey(10, 10, CV_8U, cv::Scalar(0));
  EXPECT_THROW(sij::report::write_secondary_capture(grey, p.report, p.root / "grey.dcm"), sij::report::SecondaryCaptureError);
  const cv::Mat colour(10, 10, CV_8UC3, cv::Scalar(0));
  EXPECT_THROW(sij::report::write_secondary_capture(colour, p.report, p.root / "no_such_dir" / "x.dcm"),
               sij::report::SecondaryCaptureError);
}

// One SC series per scan: two scans of the procedure give two series (numbers derived from
// theirs, descriptions naming them); the same scan written again is the same series with the
// next instance number and a new SOP instance.
TEST_F(SecondaryCapturePhantomTest, OneSeriesPerScanAndReanalysisCountsOn) {
  const auto& p = sij::test::report_phantom();
  const fs::path file = p.root / "per_scan" / "overlay.dcm";
  fs::create_directories(file.parent_path());
  fs::remove(file);
  const auto first = sij::report::write_axial_secondary_capture(p.report, *p.volume, file);
  const int source_number = p.volume->meta.series_number;
  ASSERT_GE(source_number, 0);
  EXPECT_EQ(dump_value(file, "0020,0011"), std::to_string(9000 + source_number));
  EXPECT_EQ(dump_value(file, "0020,0013"), "1");
  const std::string description = dump_value(file, "0008,103e");
  EXPECT_EQ(description, "sijtrack overlay of series " + std::to_string(source_number) + " " +
                             p.volume->meta.series_description);
  EXPECT_EQ(first.series_uid, sij::report::sc_series_uid(p.volume->meta));
  EXPECT_EQ(first.series_uid.rfind("2.25.", 0), 0u);
  EXPECT_LE(first.series_uid.size(), 64u);

  const auto again = sij::report::write_axial_secondary_capture(p.report, *p.volume, file);
  EXPECT_EQ(again.series_uid, first.series_uid);
  EXPECT_NE(again.sop_instance_uid, first.sop_instance_uid);
  EXPECT_EQ(again.instance_number, 2);
  EXPECT_EQ(dump_value(file, "0020,0013"), "2");
  const auto [rc, out] = run_command("dciodvfy " + file.string());
  EXPECT_EQ(errors_of(out), "") << out;

  // Another scan (another source series and number): another SC series.
  sij::analysis::ScanReport other = p.report;
  other.source.series_uid += ".7";
  other.source.series_number = source_number + 1;
  const auto third = sij::report::write_axial_secondary_capture(other, *p.volume, file);
  EXPECT_NE(third.series_uid, first.series_uid);
  EXPECT_EQ(third.series_number, 9000 + source_number + 1);
  EXPECT_EQ(third.instance_number, 1);  // the file held another series
}

}  // namespace
