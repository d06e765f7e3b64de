// Scans are ordered by acquisition time, never by arrival. A test-size phantom procedure
// (planning, needle part-way, needle final) given to SidecarCore out of order: planning, final,
// then part-way (late). The late scan is compared with the planning scan (acquired before it),
// not with the final one (analysed before it); it does not become the latest; the status lists
// the scans in acquisition order; after a restart the order and the latest come back from disk.
#include <gtest/gtest.h>

#include <sstream>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "datasets/phantom/Procedure.h"
#include "sidecar/SidecarCore.h"
#include "sidecar_test_util.h"

namespace sij::sidecar::testing {
namespace {

using nlohmann::json;

class SidecarOrder : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(make_scratch("order_test"));
    sij::phantom::PhantomOptions o;
    o.seed = 5;
    o.size = sij::phantom::PhantomSize::Test;
    o.write_mha = false;
    o.only_scans = {0, 1, 2};
    o.out_dir = (*root_ / "phantom").string();
    sij::phantom::generate_procedure(o);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*root_, ec);
    delete root_;
  }
  void SetUp() override {
    config_.spool_dir = *root_ / "spool";
    config_.output_dir = *root_ / "out";
    config_.quiet_seconds = 60;  // flush() decides
    log_stream_ = std::make_shared<std::ostringstream>();
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_stream_)));
  }
  void TearDown() override { spdlog::set_default_logger(previous_logger_); }

  static std::vector<fs::path> scan_files(int index) {
    for (const auto& e : fs::directory_iterator(*root_ / "phantom"))
      if (e.path().filename().string().rfind("scan_0" + std::to_string(index) + "_", 0) == 0)
        return files_with_suffix(e.path() / "dicom", ".dcm");
    return {};
  }
  static std::string series_of(int index) { return scan_files(index).empty() ? "" : series_uid(scan_files(index)[0]); }
  static std::string series_uid(const fs::path& file) {
    DcmFileFormat ff;
    OFString uid;
    if (ff.loadFile(file.c_str()).good()) ff.getDataset()->findAndGetOFString(DCM_SeriesInstanceUID, uid);
    return uid.c_str();
  }
  void give(SidecarCore& core, int index) {
    for (const auto& f : scan_files(index)) ASSERT_TRUE(core.accept_file(f).stored());
    core.flush();
  }
  json report_of(const std::string& series) const {
    for (const auto& r : files_with_suffix(config_.output_dir, "report.json")) {
      const json j = json::parse(read_text(r));
      if (j["source"]["series_uid"] == series) return j;
    }
    return {};
  }

  static fs::path* root_;
  SidecarConfig config_;
  std::shared_ptr<std::ostringstream> log_stream_;
  std::shared_ptr<spdlog::logger> previous_logger_;
};
fs::path* SidecarOrder::root_ = nullptr;

TEST_F(SidecarOrder, LateOlderScanIsComparedWithTheScanBeforeItAndIsNotTheLatest) {
  const std::string planning = series_of(0), partway = series_of(1), final_scan = series_of(2);
  ASSERT_FALSE(planning.empty() || partway.empty() || final_scan.empty());
  {
    SidecarCore core(config_);
    give(core, 0);
    give(core, 2);
    ASSERT_FALSE(report_of(final_scan)["needles"].empty()) << "the final scan has its needle";
    give(core, 1);  // late: acquired before the final scan
    const SessionStatus status = core.status();
    ASSERT_EQ(status.sessions.size(), 1u);
    const auto& scans = status.sessions[0].scans;
    ASSERT_EQ(scans.size(), 3u);
    EXPECT_EQ(scans[0].series_uid, planning);
    EXPECT_EQ(scans[1].series_uid, partway) << "listed by acquisition, not arrival";
    EXPECT_EQ(scans[2].series_uid, final_scan);
    EXPECT_EQ(scans[1].scan_index, 2) << "the folder number stays the arrival number";
    EXPECT_EQ(status.last_series_uid, final_scan) << "a late older scan must not become the latest";
    EXPECT_EQ(status.last_verdict_line, scans[2].verdict_line);
  }
  const std::string log = log_stream_->str();
  EXPECT_NE(log.find("re-analysed earlier scan 0 from the spool as the comparison"), std::string::npos)
      << "the late scan must be compared with the planning scan\n" << log;
  EXPECT_NE(log.find("was acquired before the session's newest scan: not the latest"), std::string::npos) << log;
  // Compared with the planning scan (no needle), its needle has no predecessor; compared with
  // the final scan it would have one (previous_id, tip_moved_mm).
  const json late = report_of(partway);
  ASSERT_FALSE(late["needles"].empty()) << late.dump(1);
  for (const auto& needle : late["needles"]) EXPECT_FALSE(needle.contains("tip_moved_mm")) << needle.dump(1);

  // The check above can fail: the final scan sent again is re-analysed against the part-way
  // scan now (acquired just before it), and its needle then has a predecessor.
  SidecarCore restarted(config_);
  give(restarted, 2);
  const json final_again = report_of(final_scan);
  ASSERT_FALSE(final_again["needles"].empty());
  EXPECT_TRUE(final_again["needles"][0].contains("tip_moved_mm")) << final_again["needles"][0].dump(1);

  // After a restart: the order (scan.json) and the latest come back from disk.
  const SessionStatus status = restarted.status();
  ASSERT_EQ(status.sessions.size(), 1u);
  ASSERT_EQ(status.sessions[0].scans.size(), 3u);
  EXPECT_EQ(status.sessions[0].scans[1].series_uid, partway);
  EXPECT_EQ(status.last_series_uid, final_scan);
}

}  // namespace
}  // namespace sij::sidecar::testing
