// The HTTP status server read by a real client nobody here wrote (curl): /health, /status from
// the provider, the page with the latest verdict, the overlay PNG byte for byte, refusals of
// names outside the scan folder, and a clean stop.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "sidecar/outputs/HttpStatusServer.h"
#include "support/RunCommand.h"
#include "support/ScratchDir.h"

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;

using sij::testing::run_stdout;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class SidecarOutputsHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
    fs::create_directories(dir_ / "scan_02");
  }
  std::string url(const HttpStatusServer& server, const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server.port()) + path;
  }
  sij::test::ScratchDir scratch_{"outputs_http"};
  const fs::path& dir_ = scratch_.path();
};

TEST_F(SidecarOutputsHttp, HealthAndStatusReadByCurl) {
  int provider_calls = 0;
  const nlohmann::json status = {{"schema", "sijtrack.sidecar.status/1"}, {"open_series", 3},
                                 {"sessions", {{{"study_uid", "1.2.3"}}}}};
  HttpStatusServer server({"127.0.0.1", 0, 5}, [&] {
    ++provider_calls;
    return status;
  });
  server.start();
  ASSERT_GT(server.port(), 0);

  int rc = -1;
  const auto health = nlohmann::json::parse(run_stdout("curl -sf " + url(server, "/health"), &rc));
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["version"], SIJTRACK_VERSION);
  EXPECT_GE(health["uptime_s"].get<double>(), 0.0);
  EXPECT_LT(health["uptime_s"].get<double>(), 60.0);

  const auto got = nlohmann::json::parse(run_stdout("curl -sf " + url(server, "/status"), &rc));
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(got, status);
  EXPECT_EQ(provider_calls, 1);

  // Before any scan: no latest numbers, and the page says it is waiting.
  EXPECT_EQ(run_stdout("curl -s -o /dev/null -w '%{http_code}' " + url(server, "/latest.json")), "404");
  EXPECT_NE(run_stdout("curl -sf " + url(server, "/")).find("waiting for the first scan"), std::string::npos);

  server.stop();
  EXPECT_FALSE(server.running());
  run_stdout("curl -sf --max-time 5 " + url(server, "/health") + " >/dev/null 2>&1", &rc);
  EXPECT_NE(rc, 0) << "the server still answers after stop()";
}

TEST_F(SidecarOutputsHttp, PageShowsLatestVerdictAndServesOverlay) {
  HttpStatusServer server({"127.0.0.1", 0, 2}, {});
  server.start();

  // A scan folder as the report stage leaves it: two PNGs, the axial overlay among them.
  cv::Mat image(40, 60, CV_8UC3, cv::Scalar(10, 200, 30));
  cv::circle(image, {30, 20}, 8, cv::Scalar(0, 0, 255), -1);
  ASSERT_TRUE(cv::imwrite((dir_ / "scan_02" / "overlay_axial.png").string(), image));
  ASSERT_TRUE(cv::imwrite((dir_ / "scan_02" / "gas_projection.png").string(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(99))));
  std::ofstream(dir_ / "secret.png") << "outside the scan folder";

  analysis::ScanReport report;
  report.verdict.line = "needle in right joint (1.2 mm inside); gas <confirmed> & spread";
  analysis::NeedleReport needle;
  needle.needle.id = 1;
  needle.needle.side = "right";
  needle.needle.tip_mm[0] = -61.25;
  needle.needle.tip_mm[1] = 20.5;
  needle.needle.tip_mm[2] = 131.75;
  needle.relation.joint_found = true;
  needle.relation.tip_in_joint = true;
  needle.relation.tip_to_joint_mm = -1.2;
  report.needles.push_back(needle);
  report.gas.analysed = true;
  report.gas.injected_ml = 2.345;
  report.gas.intra_articular_ml = 1.111;
  ScanEvent event{"1.2.3", "1.2.3.4", 2, dir_, dir_ / "scan_02", &report};
  server.on_scan(event);

  int rc = -1;
  const std::string page = run_stdout("curl -sf " + url(server, "/"), &rc);
  ASSERT_EQ(rc, 0);
  EXPECT_NE(page.find("needle in right joint (1.2 mm inside); gas &lt;confirmed&gt; &amp; spread"), std::string::npos)
      << page;
  EXPECT_NE(page.find("http-equiv=\"refresh\" content=\"2\""), std::string::npos);
  EXPECT_NE(page.find("-61.2, 20.5, 131.8"), std::string::npos) << page;  // tip, LPS, 0.1 mm
  EXPECT_NE(page.find("2.35 mL"), std::string::npos) << page;
  EXPECT_LT(page.find("overlay_axial.png"), page.find("gas_projection.png")) << "the axial overlay comes first";

  const auto latest = nlohmann::json::parse(run_stdout("curl -sf " + url(server, "/latest.json"), &rc));
  EXPECT_EQ(latest["scan_index"], 2);
  EXPECT_DOUBLE_EQ(latest["needles"][0]["tip_mm_lps"][0].get<double>(), -61.25);

  // The overlay, byte for byte, by its alias and by its name; another PNG by name.
  const fs::path got = dir_ / "got.png";
  run_stdout("curl -sf -o " + got.string() + " " + url(server, "/latest/overlay.png"), &rc);
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(slurp(got), slurp(dir_ / "scan_02" / "overlay_axial.png"));
  EXPECT_EQ(run_stdout("curl -sf " + url(server, "/latest/gas_projection.png")), slurp(dir_ / "scan_02" / "gas_projection.png"));
  const std::string content_type = run_stdout("curl -sf -o /dev/null -w '%{content_type}' " + url(server, "/latest/overlay.png"));
  EXPECT_EQ(content_type, "image/png");

  // Nothing outside the scan folder, and no PNG that is not there.
  EXPECT_EQ(run_stdout("curl -s --path-as-is -o /dev/null -w '%{http_code}' " + url(server, "/latest/../secret.png")), "404");
  EXPECT_EQ(run_stdout("curl -s -o /dev/null -w '%{http_code}' " + url(server, "/latest/..%2Fsecret.png")), "404");
  EXPECT_EQ(run_stdout("curl -s -o /dev/null -w '%{http_code}' " + url(server, "/latest/missing.png")), "404");
}

TEST_F(SidecarOutputsHttp, BusyPortIsATypedError) {
  HttpStatusServer first({"127.0.0.1", 0, 5}, {});
  first.start();
  HttpStatusServer second({"127.0.0.1", first.port(), 5}, {});
  EXPECT_THROW(second.start(), std::runtime_error);
}

}  // namespace
}  // namespace sij::sidecar
