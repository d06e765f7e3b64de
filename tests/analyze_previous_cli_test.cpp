// `sijtrack analyze --previous`, run as a program on a phantom procedure: the previous scans are
// compared in acquisition order whatever order they are given in (newest first used to count
// the injected ozone as pre-existing gas), and the scan itself, a later scan and a scan of
// another study are refused with exit 4 and a message naming the scan.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "datasets/phantom/Procedure.h"
#include "support/RunCommand.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;

namespace {

using sij::testing::run_command;

// Seed 1's planning, final-needle and post-injection scans, and seed 2's planning scan (another
// study), generated once for the suite.
struct Procedures {
  sij::test::ScratchDir dir{"analyze_previous"};
  fs::path one = dir.path() / "seed1", two = dir.path() / "seed2";
  Procedures() {
    sij::phantom::PhantomOptions o;
    o.seed = 1;
    o.out_dir = one.string();
    o.only_scans = {0, 2, 3};
    o.write_mha = false;
    sij::phantom::generate_procedure(o);
    o.seed = 2;
    o.out_dir = two.string();
    o.only_scans = {0};
    sij::phantom::generate_procedure(o);
  }
  std::string scan(const fs::path& root, const std::string& prefix) const {
    for (const auto& e : fs::directory_iterator(root)) {
      if (e.path().filename().string().rfind(prefix, 0) == 0) return (e.path() / "dicom").string();
    }
    return (root / prefix).string();
  }
  std::string planning() const { return scan(one, "scan_00_"); }
  std::string needle() const { return scan(one, "scan_02_"); }
  std::string post() const { return scan(one, "scan_03_"); }
  std::string other_study() const { return scan(two, "scan_00_"); }
};

class AnalyzePreviousCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { procedures_ = std::make_unique<Procedures>(); }
  static void TearDownTestSuite() { procedures_.reset(); }
  static std::string analyze(const std::string& args) { return std::string(SIJTRACK_BINARY) + " analyze " + args; }
  static inline std::unique_ptr<Procedures> procedures_;
};

TEST_F(AnalyzePreviousCli, OrderGivenDoesNotChangeTheGas) {
  const auto& p = *procedures_;
  const fs::path oldest_first = p.dir.path() / "oldest_first.json", newest_first = p.dir.path() / "newest_first.json";
  auto [rc, out] = run_command(analyze(p.post() + " --previous " + p.planning() + " " + p.needle() + " --json " +
                               oldest_first.string()));
  ASSERT_EQ(rc, 0) << out;
  std::tie(rc, out) = run_command(analyze(p.post() + " --previous " + p.needle() + " " + p.planning() + " --json " +
                                  newest_first.string()));
  ASSERT_EQ(rc, 0) << out;
  const auto a = nlohmann::json::parse(std::ifstream(oldest_first));
  const auto b = nlohmann::json::parse(std::ifstream(newest_first));
  // The phantom injects about 3 mL; newest first used to report none.
  EXPECT_GT(a["gas"]["injected_ml"].get<double>(), 1.0) << a["gas"].dump();
  EXPECT_DOUBLE_EQ(a["gas"]["injected_ml"].get<double>(), b["gas"]["injected_ml"].get<double>());
  EXPECT_EQ(a["verdict"]["line"], b["verdict"]["line"]);
}

TEST_F(AnalyzePreviousCli, RefusesTheScanItself) {
  const auto& p = *procedures_;
  const auto [rc, out] = run_command(analyze(p.needle() + " --previous " + p.planning() + " " + p.needle()));
  EXPECT_EQ(rc, 4) << out;
  EXPECT_NE(out.find("--previous " + p.needle() + " is the scan being analysed itself"), std::string::npos) << out;
  EXPECT_EQ(out.find("VERDICT"), std::string::npos) << out;
}

TEST_F(AnalyzePreviousCli, RefusesALaterScan) {
  const auto& p = *procedures_;
  const auto [rc, out] = run_command(analyze(p.needle() + " --previous " + p.post()));
  EXPECT_EQ(rc, 4) << out;
  EXPECT_NE(out.find("--previous " + p.post() + " was acquired at"), std::string::npos) << out;
  EXPECT_NE(out.find("after the scan being analysed"), std::string::npos) << out;
}

TEST_F(AnalyzePreviousCli, RefusesAnotherStudy) {
  const auto& p = *procedures_;
  const auto [rc, out] = run_command(analyze(p.needle() + " --previous " + p.other_study()));
  EXPECT_EQ(rc, 4) << out;
  EXPECT_NE(out.find("belongs to another study"), std::string::npos) << out;
}

}  // namespace
