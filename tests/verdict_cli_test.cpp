// `sijtrack analyze` with the report outputs, run as a program on the report phantom's
// post-injection scan: --config with a bad file exits 2 naming the key; --png-dir, --sc and
// --json write decodable PNGs, a Secondary Capture and a JSON whose verdict line is the
// console's first line.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "overlay_phantom_fixture.h"
#include "support/RunCommand.h"

namespace fs = std::filesystem;

namespace {

using sij::testing::run_command;

class VerdictCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sij::test::report_phantom(); }
};

TEST_F(VerdictCliTest, BadConfigExitsTwoNamingTheKey) {
  const auto& p = sij::test::report_phantom();
  const fs::path config = p.root / "typo.json";
  std::ofstream(config) << R"({"needle": {"border_joint_distance": 3}})";
  const auto [rc, out] = run_command(std::string(SIJTRACK_BINARY) + " analyze " + (p.scan_dir / "dicom").string() + " --config " +
                             config.string());
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("/needle/border_joint_distance"), std::string::npos) << out;
}

TEST_F(VerdictCliTest, WritesOverlaysScAndJson) {
  const auto& p = sij::test::report_phantom();
  const fs::path png = p.root / "cli_png", sc = p.root / "cli_sc.dcm", json = p.root / "cli.json";
  const auto [rc, out] = run_command(std::string(SIJTRACK_BINARY) + " analyze " + (p.scan_dir / "dicom").string() + " --config " +
                             (fs::path(SIJTRACK_SOURCE_DIR) / "config" / "verdict.json").string() + " --png-dir " +
                             png.string() + " --sc " + sc.string() + " --json " + json.string());
  ASSERT_EQ(rc, 0) << out;
  for (const char* name : {"axial.png", "gas_projection.png"}) {
    EXPECT_FALSE(cv::imread((png / name).string()).empty()) << name;
  }
  EXPECT_TRUE(fs::exists(sc));
  std::ifstream in(json);
  const auto report = nlohmann::json::parse(in);
  const std::string line = report["verdict"]["line"];
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(out.rfind("VERDICT: " + line + "\n", 0), 0u) << out;
}

}  // namespace
