// `sijtrack replay` on a generated test-size procedure: in process through SidecarCore (one
// report per scan, scored against the phantom's truth with tip errors under 1.5 mm), the same
// through the command line with --csv, over the network to DCMTK's storescp (every slice
// arrives), the recorded timing kept with --speed realtime, a plain folder of DICOM series
// grouped and ordered like the manifest, and clear errors for folders that hold no session.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "datasets/phantom/Procedure.h"
#include "sidecar/replay/RecordedSession.h"
#include "sidecar/replay/ReplayTable.h"
#include "sidecar/replay/Replayer.h"
#include "support/LocalNetwork.h"

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;
using sij::testing::StoreScp;

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

class ReplaySession : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::temp_directory_path() / ("sijtrack_replay_test_" + std::to_string(::getpid())));
    phantom::PhantomOptions o;
    o.seed = 11;
    o.size = phantom::PhantomSize::Test;
    o.scenario = 0;  // tip in the joint
    o.write_mha = false;
    o.out_dir = (*root_ / "procedure").string();
    phantom::generate_procedure(o);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*root_, ec);
    delete root_;
  }
  static fs::path procedure() { return *root_ / "procedure"; }
  static fs::path scratch(const std::string& name) { return *root_ / name; }
  static nlohmann::json manifest() {
    std::ifstream in(procedure() / "manifest.json");
    return nlohmann::json::parse(in);
  }

  static fs::path* root_;
};
fs::path* ReplaySession::root_ = nullptr;

TEST_F(ReplaySession, InProcessGivesOneReportPerScanAndScoresTheTip) {
  const auto session = read_recorded_session(procedure());
  ASSERT_EQ(session.scans.size(), 4u);
  ASSERT_TRUE(session.has_truth());

  ReplayOptions options;
  options.speed = ReplaySpeed::Max;
  options.out_dir = scratch("in_process");
  int progress_calls = 0;
  std::size_t last_files_done = 0;
  const auto result = replay_sessions({session}, options, [&](const ReplayProgress& p) {
    ++progress_calls;
    EXPECT_GE(p.files_done, last_files_done);
    last_files_done = p.files_done;
  });
  EXPECT_EQ(result.files_fed, session.file_count());
  EXPECT_EQ(result.files_refused, 0u);
  EXPECT_EQ(last_files_done, session.file_count());
  EXPECT_GT(progress_calls, 4);

  // One analysed scan per recorded scan, each with its report on disk, in recorded order.
  ASSERT_EQ(result.scans.size(), 4u);
  const auto m = manifest();
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& scan = result.scans[i];
    EXPECT_EQ(scan.series_uid, m["scans"][i]["series_instance_uid"].get<std::string>());
    EXPECT_EQ(scan.kind, m["scans"][i]["kind"].get<std::string>());
    EXPECT_TRUE(fs::is_regular_file(fs::path(scan.scan_dir) / "report.json")) << scan.scan_dir;
    ASSERT_TRUE(scan.score.has_value()) << scan.score_error;
    const bool needle_present = m["scans"][i]["needle_present"].get<bool>();
    EXPECT_EQ(scan.score->needle_expected, needle_present);
    if (needle_present) {
      EXPECT_TRUE(scan.score->needle_matched) << scan.kind;
      EXPECT_LT(scan.score->tip_error_mm, 1.5) << scan.kind;
    }
  }
  // After the injection the gas is scored too: volume against truth.json, Dice against labels.mha.
  const auto& post = result.scans[3];
  ASSERT_TRUE(post.score.has_value());
  EXPECT_TRUE(post.score->gas_injected_truth);
  if (post.score->gas_analysed) {
    ASSERT_TRUE(post.score->gas_dice.has_value()) << "labels.mha was not used";
    EXPECT_GE(*post.score->gas_dice, 0.0);
    EXPECT_LE(*post.score->gas_dice, 1.0);
  }
  std::size_t reports = 0;
  for (const auto& e : fs::recursive_directory_iterator(result.sessions_dir)) {
    reports += e.path().filename() == "report.json" ? 1 : 0;
  }
  EXPECT_EQ(reports, 4u);

  const std::string table = replay_table(result);
  EXPECT_NE(table.find("needle_final"), std::string::npos) << table;
  EXPECT_NE(table.find("4 scan(s) analysed, 4 scored"), std::string::npos) << table;
}

TEST_F(ReplaySession, CommandLineWritesTheScoredCsv) {
  const fs::path csv = scratch("replay.csv");
  const std::string cmd = std::string(SIJTRACK_BINARY) + " replay " + procedure().string() + " --speed max --out " +
                          scratch("cli").string() + " --csv " + csv.string() + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0) << out;
  EXPECT_NE(out.find("replay: scan 4/4 done"), std::string::npos) << "plain progress lines off a TTY\n" << out;

  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  ASSERT_NE(header.find("tip_error_mm"), std::string::npos);
  // Column positions from the header, so the check follows the file, not a fixed layout.
  std::vector<std::string> names;
  std::stringstream hs(header);
  for (std::string f; std::getline(hs, f, ',');) names.push_back(f);
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  int rows = 0, scored_needles = 0;
  while (std::getline(in, line)) {
    ++rows;
    std::vector<std::string> fields;
    std::stringstream ls(line);
    for (std::string f; std::getline(ls, f, ',');) fields.push_back(f);
    if (line.find('"') == std::string::npos) {
      EXPECT_EQ(fields.size() + (line.back() == ',' ? 1 : 0), names.size()) << line;
    }
    if (fields.at(column("needle_matched")) == "1") {
      ++scored_needles;
      EXPECT_LT(std::stod(fields.at(column("tip_error_mm"))), 1.5) << line;
    }
  }
  EXPECT_EQ(rows, 4);
  EXPECT_EQ(scored_needles, 2);  // needle partway and needle final
}

TEST_F(ReplaySession, OverTheNetworkEverySliceReachesStorescp) {
  if (std::system("command -v storescp >/dev/null 2>&1") != 0) GTEST_SKIP() << "storescp is not installed";
  const auto session = read_recorded_session(procedure());
  StoreScp scp(scratch("received"), {}, "SIJTRACK");
  ReplayOptions options;
  options.send = DicomNode{"127.0.0.1", scp.port(), "SIJTRACK", "SIJREPLAY"};
  const auto result = replay_sessions({session}, options);
  EXPECT_EQ(result.files_fed, session.file_count());
  EXPECT_EQ(result.files_refused, 0u);
  EXPECT_TRUE(result.scans.empty()) << "no scoring over the network: the reports are the server's";
  EXPECT_EQ(files_in(scratch("received")), session.file_count());
}

TEST_F(ReplaySession, RealtimeKeepsTheRecordedSpacing) {
  if (std::system("command -v storescp >/dev/null 2>&1") != 0) GTEST_SKIP() << "storescp is not installed";
  auto session = read_recorded_session(procedure());
  session.scans.resize(2);
  session.scans[0].files.resize(2);
  session.scans[1].files.resize(2);
  session.scans[1].seconds_from_start = 1.2;  // minutes in the recording; 1.2 s here
  StoreScp scp(scratch("received_realtime"), {}, "SIJTRACK");
  ReplayOptions options;
  options.speed = ReplaySpeed::Realtime;
  options.send = DicomNode{"127.0.0.1", scp.port(), "SIJTRACK", "SIJREPLAY"};
  const auto result = replay_sessions({session}, options);
  EXPECT_EQ(result.files_fed, 4u);
  EXPECT_GE(result.wall_s, 1.2);
  EXPECT_LT(result.wall_s, 5.0);
}

TEST_F(ReplaySession, PlainDicomFolderIsGroupedAndOrderedLikeTheManifest) {
  // The four series' files mixed into two folders, named so that file order is not scan order.
  const fs::path plain = scratch("plain");
  const auto m = manifest();
  for (std::size_t i = 0; i < 4; ++i) {
    const fs::path sub = plain / (i % 2 ? "a" : "b");
    fs::create_directories(sub);
    for (const auto& e : fs::directory_iterator(procedure() / m["scans"][i]["dicom_dir"].get<std::string>())) {
      fs::copy_file(e.path(), sub / ("s" + std::to_string(3 - i) + "_" + e.path().filename().string()));
    }
  }
  std::ofstream(plain / "notes.txt") << "not DICOM";
  const auto session = read_recorded_session(plain);
  EXPECT_TRUE(session.manifest.is_null());
  EXPECT_FALSE(session.has_truth());
  EXPECT_EQ(session.skipped_files, 1);
  EXPECT_EQ(session.study_uid, m["study_instance_uid"].get<std::string>());
  ASSERT_EQ(session.scans.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(session.scans[i].series_uid, m["scans"][i]["series_instance_uid"].get<std::string>()) << i;
    EXPECT_EQ(session.scans[i].files.size(), m["scans"][i]["slices"].get<std::size_t>());
    EXPECT_NEAR(session.scans[i].seconds_from_start, m["scans"][i]["seconds_from_start"].get<double>(), 1.0);
  }
}

TEST_F(ReplaySession, FoldersWithoutASessionAreClearErrors) {
  const fs::path empty = scratch("empty");
  fs::create_directories(empty);
  EXPECT_THROW(read_recorded_session(empty), ReplayError);
  EXPECT_THROW(read_recorded_session(scratch("does_not_exist")), ReplayError);
  const fs::path bad = scratch("bad_manifest");
  fs::create_directories(bad);
  std::ofstream(bad / "manifest.json") << "{ not json";
  try {
    read_recorded_session(bad);
    FAIL() << "no error for a broken manifest";
  } catch (const ReplayError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.json"), std::string::npos) << e.what();
  }
  EXPECT_THROW(replay_sessions({}, ReplayOptions{}), ReplayError);
}

}  // namespace
}  // namespace sij::sidecar
