// What every subcommand promises (apps/cli: OutputFile, Logging, BackendOption, main), run as a
// program on a one-scan phantom: `--json -` is stdout (JSON alone, parsable), output folders are
// created, a failure names the system's reason, `--backend cuda` without a device exits 2 with
// a hint, `--help` shows defaults, usage errors exit 2, and `--log-file` holds one line per
// event, each starting with a local time stamp.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "datasets/phantom/Procedure.h"
#include "kernels/core/Backend.h"
#include "support/RunCommand.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;

namespace {

// stdout and stderr of `command`, together, or stdout alone.
std::pair<int, std::string> run(const std::string& command, bool with_stderr = true) {
  if (with_stderr) return sij::testing::run_command(command);
  int status = -1;
  std::string output = sij::testing::run_stdout(command + " 2>/dev/null", &status);
  return {status, std::move(output)};
}

std::string sijtrack(const std::string& args) { return std::string(SIJTRACK_BINARY) + " " + args; }

class CliConventions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<sij::test::ScratchDir>("cli_conventions");
    sij::phantom::PhantomOptions o;
    o.seed = 3;
    o.out_dir = (dir_->path() / "procedure").string();
    o.only_scans = {0};
    o.write_mha = false;
    sij::phantom::generate_procedure(o);
    for (const auto& e : fs::directory_iterator(o.out_dir)) {
      if (e.is_directory()) scan_ = (e.path() / "dicom").string();
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static fs::path scratch() { return dir_->path(); }
  static inline std::unique_ptr<sij::test::ScratchDir> dir_;
  static inline std::string scan_;
};

TEST_F(CliConventions, JsonDashIsStdoutForIngestAndAnalyze) {
  for (const char* command : {"ingest", "analyze"}) {
    const auto [rc, out] = run(sijtrack(std::string(command) + " " + scan_ + " --json -"), false);
    ASSERT_EQ(rc, 0) << command;
    const auto json = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << command << ": stdout is not JSON alone:\n" << out;
    EXPECT_FALSE(fs::exists("-")) << command << " wrote a file named '-'";
  }
}

TEST_F(CliConventions, OutputFoldersAreCreated) {
  const fs::path json = scratch() / "new" / "deeper" / "report.json";
  const auto [rc, out] = run(sijtrack("analyze " + scan_ + " --json " + json.string()));
  ASSERT_EQ(rc, 0) << out;
  EXPECT_TRUE(nlohmann::json::parse(std::ifstream(json), nullptr, false).contains("verdict"));
}

TEST_F(CliConventions, AFailedWriteNamesTheRealCause) {
  const fs::path file = scratch() / "a_file";
  std::ofstream(file) << "x";
  const auto [rc, out] = run(sijtrack("ingest " + scan_ + " --json " + (file / "r.json").string()));
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("Not a directory"), std::string::npos) << out;
  EXPECT_EQ(out.find("disk full"), std::string::npos) << out;
}

TEST_F(CliConventions, CudaWithoutADeviceExitsTwoWithAHint) {
  if (sij::backend_available(sij::Backend::Cuda)) GTEST_SKIP() << "a CUDA device is present";
  const auto [rc, out] = run(sijtrack("analyze " + scan_ + " --backend cuda"));
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("--backend cpu"), std::string::npos) << out;
  EXPECT_EQ(out.find("VERDICT"), std::string::npos) << out;
}

TEST_F(CliConventions, HelpShowsDefaultsAndUsageErrorsExitTwo) {
  const auto [rc, out] = run(sijtrack("serve --help"));
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("=11112"), std::string::npos) << out;  // --port
  EXPECT_NE(out.find("=auto"), std::string::npos) << out;   // --backend
  EXPECT_EQ(run(sijtrack("analyze")).first, 2);              // the scan is required
  EXPECT_EQ(run(sijtrack("--log-level loud info")).first, 2);
}

TEST_F(CliConventions, LogFileHoldsOneStampedLinePerEvent) {
  const fs::path log = scratch() / "logs" / "replay.log";
  const auto [rc, out] = run(sijtrack("replay " + (scratch() / "procedure").string() + " --speed max --log-level debug "
                                      "--log-file " + log.string()));
  ASSERT_EQ(rc, 0) << out;
  std::ifstream in(log);
  ASSERT_TRUE(in) << log;
  const std::regex stamped(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d (trace|debug|info|warning|error|critical) \[\d+\] .+)");
  int lines = 0;
  bool summary = false;
  for (std::string line; std::getline(in, line); ++lines) {
    EXPECT_TRUE(std::regex_match(line, stamped)) << "not one stamped event: " << line;
    summary = summary || line.find("summary of scan 00: | VERDICT:") != std::string::npos;
  }
  EXPECT_GT(lines, 3);
  EXPECT_TRUE(summary) << "the multi-line summary is logged on one line at debug level";
}

}  // namespace
