// `sijtrack ingest` end to end: geometry printed and JSON written on success, one line on
// stderr and the reason's exit code on refusal.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "ingest_test_util.h"
#include "pipeline/ingest/IngestError.h"

namespace sij::ingest {
namespace {
using namespace sij::ingest::testing;

TEST(IngestCli, PrintsGeometryAndWritesJson) {
  const std::string dir = real_ct("philips-ingenuity-phantom-5mm");
  SIJ_REQUIRE_PATH(dir);
  SIJ_REQUIRE_PATH(SIJTRACK_BINARY);
  TempDir tmp;
  int status = -1;
  const std::string out = run_command(std::string(SIJTRACK_BINARY) + " ingest '" + dir + "' --json '" +
                                          (tmp / "v.json") + "' 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("512 x 512 x 28"), std::string::npos) << out;
  std::ifstream in(tmp / "v.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["size"][2], 28);
  EXPECT_NEAR(j["spacing_mm"][2].get<double>(), 5.0, 1e-3);
  EXPECT_NEAR(j["origin_mm"][2].get<double>(), 696.21, 1e-6);
  EXPECT_EQ(j["metadata"]["patient_position"], "HFS");
  EXPECT_EQ(j["coordinates"], "LPS");
}

TEST(IngestCli, RefusalExitsWithTheReasonCode) {
  const std::string dir = real_ct("philips-ingenuity-phantom-tilt");
  SIJ_REQUIRE_PATH(dir);
  SIJ_REQUIRE_PATH(SIJTRACK_BINARY);
  int status = -1;
  const std::string err = run_command(std::string(SIJTRACK_BINARY) + " ingest '" + dir + "' 2>&1 >/dev/null", &status);
  EXPECT_EQ(status, exit_code(IngestReason::GantryTilt)) << err;
  EXPECT_NE(err.find("gantry tilt"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;

  TempDir tmp;
  run_command(std::string(SIJTRACK_BINARY) + " ingest '" + tmp.path() + "' 2>/dev/null", &status);
  EXPECT_EQ(status, exit_code(IngestReason::EmptyFolder));
}

}  // namespace
}  // namespace sij::ingest
