// The sidecar's parts in process: the series assembler (any order, interleaved series,
// expected count, quiet period, late instances) against a brute-force bookkeeping, the spool
// (byte-identical, no temp files left, hostile UIDs kept inside), and SidecarCore on a
// test-size phantom series: accept_file, flush, the report, the sinks, the status, refusals,
// a series the ingest refuses (files kept, error.json), and a restart that does not redo work.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "datasets/phantom/Procedure.h"
#include "sidecar/SeriesAssembler.h"
#include "sidecar/SidecarCore.h"
#include "sidecar/Spool.h"
#include "sidecar_test_util.h"

namespace sij::sidecar::testing {
namespace {

using Clock = SeriesAssembler::Clock;
using namespace std::chrono_literals;

TEST(SidecarAssembler, CompletesByCountInAnyOrderWithInterleavedSeries) {
  SeriesAssembler assembler(5s);
  const Clock::time_point t0{};
  std::vector<InstanceArrival> arrivals;
  for (int s = 0; s < 3; ++s)
    for (int i = 0; i < 10 + s; ++i)
      arrivals.push_back({"study", "series" + std::to_string(s), "sop" + std::to_string(i), 10 + s, ""});
  std::mt19937 rng(7);
  std::shuffle(arrivals.begin(), arrivals.end(), rng);
  // Reference: a series is complete exactly when its last distinct instance arrives.
  std::map<std::string, std::set<std::string>> seen;
  std::set<std::string> completed;
  for (const auto& a : arrivals) {
    seen[a.series_uid].insert(a.sop_instance_uid);
    const bool expect_done = static_cast<int>(seen[a.series_uid].size()) == a.expected_count;
    auto done = assembler.add(a, t0);
    ASSERT_EQ(done.has_value(), expect_done) << a.series_uid << " " << a.sop_instance_uid;
    if (done) {
      EXPECT_EQ(done->instances, a.expected_count);
      EXPECT_TRUE(done->by_count);
      completed.insert(done->series_uid);
    }
  }
  EXPECT_EQ(completed.size(), 3u);
  EXPECT_EQ(assembler.open_series(), 0);
}

TEST(SidecarAssembler, QuietPeriodDuplicatesAndLateInstances) {
  SeriesAssembler assembler(2s);
  const Clock::time_point t0{};
  assembler.add({"st", "a", "1", 0, "20260101090000"}, t0);
  assembler.add({"st", "a", "1", 0, "20260101090000"}, t0 + 1s);  // repeated SOP: counted once
  assembler.add({"st", "b", "1", 0, "20260101080000"}, t0 + 1s);
  EXPECT_TRUE(assembler.take_quiet(t0 + 2900ms).empty());  // a: last at 1 s, quiet until 3 s
  auto due = assembler.take_quiet(t0 + 3s);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].series_uid, "b") << "earlier acquisition first";
  EXPECT_EQ(due[1].instances, 1);
  EXPECT_FALSE(due[1].by_count);
  // A late instance reopens the series with everything it had.
  assembler.add({"st", "a", "2", 0, ""}, t0 + 10s);
  auto all = assembler.take_all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].instances, 2);
}

TEST(SidecarSpool, CopiesByteForByteAndKeepsHostileUidsInside) {
  const fs::path dir = make_scratch("spool_test");
  { std::ofstream(dir / "in.bin", std::ios::binary) << std::string(200000, 'x') << "end"; }
  Spool spool(dir / "spool");
  const fs::path stored = spool.store_file(dir / "in.bin", "1.2.3", "../../evil", "4.5/6");
  EXPECT_EQ(read_text(stored), read_text(dir / "in.bin"));
  EXPECT_EQ(stored, dir / "spool" / "1.2.3" / ".._.._evil" / "4.5_6.dcm");
  EXPECT_TRUE(files_with_suffix(dir, ".partial").empty());
  EXPECT_THROW(spool.store_file(dir / "missing.bin", "1", "2", "3"), SpoolError);
  EXPECT_TRUE(files_with_suffix(dir, ".partial").empty());
  fs::remove_all(dir);
}

// Counts the scans handed to it, as the outputs engineer's sinks will see them.
class CountingSink : public ScanSink {
 public:
  std::string name() const override { return "counting"; }
  void on_scan(const ScanEvent& event) noexcept override {
    ++calls;
    last_index = event.scan_index;
    had_report = event.report != nullptr && fs::exists(event.scan_dir / "report.json");
  }
  std::atomic<int> calls{0};
  int last_index = -1;
  bool had_report = false;
};

class SidecarCoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(make_scratch("core_test"));
    sij::phantom::PhantomOptions o;
    o.seed = 5;
    o.size = sij::phantom::PhantomSize::Test;
    o.write_mha = false;
    o.only_scans = {0};
    o.out_dir = (*root_ / "phantom").string();
    sij::phantom::generate_procedure(o);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }
  void SetUp() override {
    work_ = *root_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(work_);
    config_.spool_dir = work_ / "spool";
    config_.output_dir = work_ / "out";
    config_.quiet_seconds = 60;  // flush() decides in these tests
    log_stream_ = std::make_shared<std::ostringstream>();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_stream_);
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  }
  void TearDown() override { spdlog::set_default_logger(previous_logger_); }
  std::string log() const { return log_stream_->str(); }

  static std::vector<fs::path> planning_files() {
    return files_with_suffix(*root_ / "phantom" / "scan_00_planning" / "dicom", ".dcm");
  }

  static fs::path* root_;
  fs::path work_;
  SidecarConfig config_;
  std::shared_ptr<std::ostringstream> log_stream_;
  std::shared_ptr<spdlog::logger> previous_logger_;
};
fs::path* SidecarCoreTest::root_ = nullptr;

TEST_F(SidecarCoreTest, AcceptFileFlushWritesReportCallsSinksAndRestartDoesNotRedo) {
  const auto files = planning_files();
  ASSERT_FALSE(files.empty());
  auto sink = std::make_shared<CountingSink>();
  std::map<fs::path, fs::path> spooled_copy;  // original -> its copy in the spool
  {
    SidecarCore core(config_);
    core.add_sink(sink);
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
      const AcceptResult result = core.accept_file(*it);
      ASSERT_TRUE(result.stored()) << result.message;
      spooled_copy[*it] = result.spooled_path;
    }
    EXPECT_EQ(core.status().open_series, 1);
    core.flush();
    const SessionStatus status = core.status();
    ASSERT_EQ(status.sessions.size(), 1u);
    ASSERT_EQ(status.sessions[0].scans.size(), 1u);
    EXPECT_EQ(status.sessions[0].scans[0].instances, static_cast<int>(files.size()));
    EXPECT_TRUE(status.sessions[0].scans[0].error.empty()) << status.sessions[0].scans[0].error;
    EXPECT_EQ(status.instances_received, static_cast<std::int64_t>(files.size()));
    const auto j = to_json(status);
    EXPECT_EQ(j["schema"], kSidecarStatusSchema);
    EXPECT_EQ(j["sessions"][0]["scans"][0]["scan_index"], 0);
  }
  EXPECT_EQ(sink->calls, 1);
  EXPECT_EQ(sink->last_index, 0);
  EXPECT_TRUE(sink->had_report);
  const auto reports = files_with_suffix(config_.output_dir, "report.json");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(reports[0].parent_path().filename().string().find("scan_00_"), std::string::npos);
  const auto report = nlohmann::json::parse(read_text(reports[0]));
  EXPECT_EQ(report["needles"].size(), 0u) << "the planning scan has no needle";
  EXPECT_NE(log().find("scan analysed: "), std::string::npos) << log();
  // The originals are untouched and the spool holds a copy of each.
  EXPECT_EQ(files_with_suffix(config_.spool_dir, ".dcm").size(), files.size());
  for (const auto& [original, copy] : spooled_copy) EXPECT_EQ(read_text(copy), read_text(original)) << copy;

  // A restart over the same spool and output: the series already has its report, and the
  // status is rebuilt from disk (verdict, slices, latest) rather than shown empty.
  auto sink2 = std::make_shared<CountingSink>();
  {
    SidecarCore core(config_);
    core.add_sink(sink2);
    core.flush();
    const SessionStatus status = core.status();
    ASSERT_EQ(status.sessions.size(), 1u);
    ASSERT_EQ(status.sessions[0].scans.size(), 1u);
    const ScanStatus& scan = status.sessions[0].scans[0];
    EXPECT_EQ(scan.instances, static_cast<int>(files.size()));
    EXPECT_EQ(scan.verdict_line, report["verdict"]["line"].get<std::string>());
    EXPECT_FALSE(scan.verdict_line.empty());
    EXPECT_EQ(status.last_verdict_line, scan.verdict_line);
    EXPECT_EQ(status.last_study_uid, status.sessions[0].study_uid);
  }
  EXPECT_EQ(sink2->calls, 0);
  EXPECT_EQ(files_with_suffix(config_.output_dir, "report.json").size(), 1u);
}

TEST_F(SidecarCoreTest, RefusesNonDicomAndHoldsAnIncompleteSeriesUntilItIsWhole) {
  SidecarCore core(config_);
  { std::ofstream(work_ / "junk.dcm") << "DICM but not really"; }
  const auto junk = core.accept_file(work_ / "junk.dcm");
  EXPECT_EQ(junk.status, AcceptResult::Status::Malformed);
  EXPECT_NE(junk.message.find("not a readable DICOM file"), std::string::npos) << junk.message;

  // One slice missing in the middle: incomplete (completeness is checked before the ingest),
  // no report and no verdict; the files stay and incomplete.json names the gap.
  const auto files = planning_files();
  int sent = 0;
  for (size_t i = 0; i < files.size(); ++i)
    if (i != files.size() / 2) {
      ASSERT_TRUE(core.accept_file(files[i]).stored());
      ++sent;
    }
  core.flush();
  EXPECT_EQ(static_cast<int>(files_with_suffix(config_.spool_dir, ".dcm").size()), sent);
  const auto incomplete = files_with_suffix(config_.output_dir, "incomplete.json");
  ASSERT_EQ(incomplete.size(), 1u) << log();
  EXPECT_TRUE(files_with_suffix(config_.output_dir, "report.json").empty());
  EXPECT_NE(log().find("scan incomplete: "), std::string::npos) << log();
  const auto scan = core.status().sessions.at(0).scans.at(0);
  EXPECT_EQ(scan.incomplete.rfind("incomplete: " + std::to_string(sent) + " slices received, gap between z = ", 0), 0u)
      << scan.incomplete;
  EXPECT_EQ(scan.verdict_line, scan.incomplete) << "the status shows the incomplete line, not a verdict";
  EXPECT_EQ(core.status().last_verdict_line, scan.incomplete);
  // The missing slice arrives: analysed, incomplete.json gone.
  ASSERT_TRUE(core.accept_file(files[files.size() / 2]).stored());
  core.flush();
  EXPECT_EQ(files_with_suffix(config_.output_dir, "report.json").size(), 1u) << log();
  EXPECT_TRUE(files_with_suffix(config_.output_dir, "incomplete.json").empty());
  EXPECT_TRUE(core.status().sessions.at(0).scans.at(0).incomplete.empty());
}

}  // namespace
}  // namespace sij::sidecar::testing
