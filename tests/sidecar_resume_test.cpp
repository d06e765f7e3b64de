// Outputs resumed after a crash. SidecarCore with the report-files sink on a test-size
// phantom planning scan; then the state a kill -9 between report.json and the overlays leaves
// (scan.json without outputs_done, no axial.png, a truncated one in .staging/) is made by hand,
// and a restart must finish the scan: every PNG back and whole (ends with IEND), the sinks
// called once more, the staging folder gone. A scan whose outputs were all made is not redone.
#include <gtest/gtest.h>

#include <atomic>

#include <nlohmann/json.hpp>

#include "datasets/phantom/Procedure.h"
#include "sidecar/Session.h"
#include "sidecar/SidecarCore.h"
#include "sidecar/outputs/ReportFilesSink.h"
#include "sidecar_test_util.h"

namespace sij::sidecar::testing {
namespace {

using nlohmann::json;

class CallCounter : public ScanSink {
 public:
  std::string name() const override { return "counter"; }
  void on_scan(const ScanEvent&) noexcept override { ++calls; }
  std::atomic<int> calls{0};
};

// A PNG is whole when it ends with the IEND chunk (and its CRC).
bool png_is_whole(const fs::path& file) {
  const std::string bytes = read_text(file);
  return bytes.size() > 12 && bytes.compare(bytes.size() - 8, 4, "IEND") == 0;
}

class SidecarResume : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = make_scratch("resume_test");
    sij::phantom::PhantomOptions o;
    o.seed = 5;
    o.size = sij::phantom::PhantomSize::Test;
    o.write_mha = false;
    o.only_scans = {0};
    o.out_dir = (root_ / "phantom").string();
    sij::phantom::generate_procedure(o);
    config_.spool_dir = root_ / "spool";
    config_.output_dir = root_ / "out";
    config_.quiet_seconds = 60;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  int run_core(bool send_files) {
    auto counter = std::make_shared<CallCounter>();
    SidecarCore core(config_);
    core.add_sink(std::make_shared<ReportFilesSink>());
    core.add_sink(counter);
    if (send_files) {
      for (const auto& f : files_with_suffix(root_ / "phantom" / "scan_00_planning" / "dicom", ".dcm"))
        EXPECT_TRUE(core.accept_file(f).stored());
    }
    core.flush();
    return counter->calls;
  }
  fs::path scan_dir() const { return files_with_suffix(config_.output_dir, "report.json").at(0).parent_path(); }

  fs::path root_;
  SidecarConfig config_;
};

TEST_F(SidecarResume, OutputsMissingAfterACrashAreMadeAtTheNextStart) {
  ASSERT_EQ(run_core(true), 1);
  const fs::path dir = scan_dir();
  const auto pngs = files_with_suffix(dir, ".png");
  ASSERT_FALSE(pngs.empty());
  for (const auto& png : pngs) EXPECT_TRUE(png_is_whole(png)) << png;
  EXPECT_TRUE(fs::exists(dir / ReportFilesSink::kSecondaryCaptureName));
  EXPECT_FALSE(fs::exists(dir / ".staging"));
  json journal = json::parse(read_text(dir / kScanJournalFileName));
  EXPECT_TRUE(journal["outputs_done"].get<bool>());

  // Done: a restart does nothing.
  EXPECT_EQ(run_core(false), 0);

  // The crash: report written, overlays not; a truncated PNG left in staging.
  journal["outputs_done"] = false;
  { std::ofstream(dir / kScanJournalFileName) << journal.dump(2); }
  fs::remove(dir / "axial.png");
  fs::remove(dir / ReportFilesSink::kSecondaryCaptureName);
  fs::create_directories(dir / ".staging");
  { std::ofstream(dir / ".staging" / "axial.png", std::ios::binary) << read_text(pngs[0]).substr(0, 100); }

  EXPECT_EQ(run_core(false), 1) << "the restart must finish the scan's outputs";
  ASSERT_TRUE(fs::exists(dir / "axial.png"));
  for (const auto& png : files_with_suffix(dir, ".png")) EXPECT_TRUE(png_is_whole(png)) << png;
  EXPECT_TRUE(fs::exists(dir / ReportFilesSink::kSecondaryCaptureName));
  EXPECT_FALSE(fs::exists(dir / ".staging")) << "the truncated staging file must not stay";
  EXPECT_TRUE(json::parse(read_text(dir / kScanJournalFileName))["outputs_done"].get<bool>());
  EXPECT_EQ(files_with_suffix(config_.output_dir, "report.json").size(), 1u);
}

}  // namespace
}  // namespace sij::sidecar::testing
