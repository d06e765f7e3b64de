// The room's status page (sidecar/outputs/StatusPage, HttpStatusServer) read by a real browser
// (Debian's headless Chromium): a 1280x800 screenshot in which the verdict is a box of its
// state's colour at least 32 px high, the DOM with the verdict element's text and colour class,
// alerts in words, the timeline numbered from 1, the banner while a scan is analysed, patient
// strings escaped. And the server's protections, read with curl and raw sockets: loopback by
// default, a token required elsewhere, 8 half-open requests that do not slow /health, and
// /health reporting the listener, the spool's free space and the queue.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/outputs/HttpStatusServer.h"
#include "sidecar/outputs/SidecarHealth.h"
#include "support/RunCommand.h"
#include "support/ScratchDir.h"

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;

using sij::testing::run_stdout;

bool have(const char* tool) { return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0; }

// A report in the given state, for the page.
analysis::ScanReport report_for(verdict::NeedleCall call, const std::string& needle_text) {
  analysis::ScanReport r;
  r.source.series_description = "SIJ needle <b>&</b>";
  r.source.acquisition_time = "101502.5";
  r.verdict.needle = call;
  r.verdict.needle_text = needle_text;
  r.verdict.gas = verdict::GasCall::Confirmed;
  r.verdict.gas_text = "gas confirmed";
  r.verdict.line = needle_text + "; gas confirmed";
  analysis::NeedleReport n;
  n.needle.id = 1;
  n.needle.side = "right";
  n.relation.joint_found = true;
  n.relation.tip_to_joint_mm = call == verdict::NeedleCall::InJoint ? -1.2 : 4.6;
  n.relation.tip_in_joint = call == verdict::NeedleCall::InJoint;
  r.needles.push_back(n);
  r.gas.analysed = true;
  r.gas.injected_ml = 2.0;
  r.gas.intra_articular_ml = 1.5;
  r.gas.alerts.push_back({"gas_toward_foramina", "0.34 mL of injected gas medial to the joint, toward the sacral foramina", 12, 0.34});
  return r;
}

class StatusPageBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have("curl")) GTEST_SKIP() << "curl is not installed";
    for (int i = 0; i <= 2; ++i) fs::create_directories(dir() / ("scan_0" + std::to_string(i)));
    cv::Mat overlay(512, 512, CV_8UC3, cv::Scalar(40, 40, 40));
    cv::circle(overlay, {256, 256}, 60, cv::Scalar(255, 255, 255), -1);
    ASSERT_TRUE(cv::imwrite((dir() / "scan_02" / "overlay_axial.png").string(), overlay));
    server_ = std::make_unique<HttpStatusServer>(HttpStatusOptions{"127.0.0.1", 0, 30}, [this] {
      return nlohmann::json{{"open_series", 0}, {"queued_series", 0}, {"analysing", analysing_.load()}};
    });
    server_->start();
  }
  fs::path dir() const { return scratch_.path(); }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  void feed(int index, verdict::NeedleCall call, const std::string& text) {
    const auto report = report_for(call, text);
    const std::string scan = "scan_0" + std::to_string(index);
    server_->on_scan({"1.2.3", "1.2.3." + std::to_string(index), index, dir(), dir() / scan, &report});
  }
  // Chromium's DOM after loading, and its 1280x800 screenshot.
  std::string dump_dom() const {
    return run_stdout("timeout 60 chromium --headless --no-sandbox --disable-gpu --dump-dom '" + url() + "' 2>/dev/null");
  }
  cv::Mat screenshot(const std::string& name) const {
    const fs::path png = dir() / name;
    run_stdout("timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,800 "
        "--screenshot=" + png.string() + " '" + url() + "' >/dev/null 2>&1");
    return cv::imread(png.string());
  }
  sij::test::ScratchDir scratch_{"status_page_browser"};
  std::atomic<bool> analysing_{false};
  std::unique_ptr<HttpStatusServer> server_;
};

// Rows of the screenshot in which at least 300 pixels have the colour `bgr` (within 8 per
// channel): the height of a solid box of that colour.
int rows_of_colour(const cv::Mat& image, cv::Vec3b bgr) {
  int rows = 0;
  for (int y = 0; y < image.rows; ++y) {
    int run_length = 0;
    for (int x = 0; x < image.cols; ++x) {
      const auto p = image.at<cv::Vec3b>(y, x);
      if (std::abs(p[0] - bgr[0]) <= 8 && std::abs(p[1] - bgr[1]) <= 8 && std::abs(p[2] - bgr[2]) <= 8) ++run_length;
    }
    if (run_length >= 300) ++rows;
  }
  return rows;
}

const cv::Vec3b kGreen(0x2c, 0x7d, 0x0a), kRed(0x1c, 0x14, 0xc0), kAmber(0x00, 0xa0, 0xe0);

TEST_F(StatusPageBrowser, VerdictIsLargeAndColouredByState) {
  if (!have("chromium")) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  feed(0, verdict::NeedleCall::NoNeedle, "no needle");
  feed(1, verdict::NeedleCall::Outside, "needle outside the right joint: move 4.6 mm anterior (advance 4.6, across 0.0)");
  const cv::Mat outside = screenshot("outside.png");
  ASSERT_FALSE(outside.empty()) << "chromium wrote no screenshot";
  EXPECT_EQ(outside.cols, 1280);
  EXPECT_EQ(outside.rows, 800);
  EXPECT_GE(rows_of_colour(outside, kRed), 32) << "the red OUTSIDE box is not 32 px high";
  EXPECT_EQ(rows_of_colour(outside, kGreen), 0);

  feed(2, verdict::NeedleCall::InJoint, "needle in the right joint (1.2 mm inside, 3.0 mm past the posterior opening)");
  const cv::Mat in = screenshot("in.png");
  ASSERT_FALSE(in.empty());
  EXPECT_GE(rows_of_colour(in, kGreen), 32) << "the green IN THE JOINT box is not 32 px high";
  EXPECT_EQ(rows_of_colour(in, kRed), 0);
  EXPECT_EQ(rows_of_colour(in, kAmber), 0);

  const std::string dom = dump_dom();
  EXPECT_NE(dom.find("<h1 id=\"verdict\" class=\"verdict-in\">IN THE JOINT</h1>"), std::string::npos) << dom;
  EXPECT_NE(dom.find("class=\"alert\">0.34 mL of injected gas medial to the joint"), std::string::npos) << dom;
  EXPECT_NE(dom.find("GAS CONFIRMED: 75 % of 2.0 mL in the joint"), std::string::npos) << dom;
  EXPECT_NE(dom.find("id=\"timeline\""), std::string::npos);
  EXPECT_NE(dom.find("<td>1</td><td>10:15:02</td>"), std::string::npos) << "scans numbered from 1, local time:\n" << dom;
  EXPECT_NE(dom.find("<td>3</td>"), std::string::npos);
  EXPECT_EQ(dom.find("<td>0</td>"), std::string::npos);
  EXPECT_NE(dom.find("SIJ needle &lt;b&gt;&amp;&lt;/b&gt;"), std::string::npos) << "series description not escaped";
  EXPECT_NE(dom.find("img class=\"overlay\" src=\"/latest/overlay_axial.png\""), std::string::npos) << dom;
  EXPECT_EQ(dom.find("id=\"banner\""), std::string::npos);
}

TEST_F(StatusPageBrowser, BannerWhileAScanIsAnalysed) {
  if (!have("chromium")) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  feed(0, verdict::NeedleCall::AtPosteriorBorder, "needle at the posterior border of the right joint (0.4 mm outside): move 0.9 mm anterior");
  analysing_ = true;
  const std::string dom = dump_dom();
  EXPECT_NE(dom.find("id=\"banner\">ANALYSING A NEW SCAN"), std::string::npos) << dom;
  EXPECT_NE(dom.find("class=\"verdict-border stale\">AT THE BORDER: move 0.9 mm anterior"), std::string::npos) << dom;
}

TEST(StatusServerProtection, LoopbackByDefaultTokenElsewhere) {
  EXPECT_EQ(HttpStatusOptions{}.host, "127.0.0.1");
  HttpStatusServer open_to_all(HttpStatusOptions{.host = "0.0.0.0", .port = 0}, {});
  EXPECT_THROW(open_to_all.start(), std::runtime_error);
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  HttpStatusServer with_token(HttpStatusOptions{.host = "0.0.0.0", .port = 0, .token = "s3cret"}, {});
  with_token.start();
  const std::string base = "http://127.0.0.1:" + std::to_string(with_token.port());
  EXPECT_EQ(run_stdout("curl -s -o /dev/null -w '%{http_code}' " + base + "/"), "401");
  EXPECT_EQ(run_stdout("curl -s -o /dev/null -w '%{http_code}' '" + base + "/?token=wrong'"), "401");
  EXPECT_EQ(run_stdout("curl -s -o /dev/null -w '%{http_code}' '" + base + "/?token=s3cret'"), "200");
  EXPECT_EQ(run_stdout("curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret' " + base + "/health"), "200");
}

TEST(StatusServerProtection, HalfOpenRequestsDoNotSlowHealth) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  HttpStatusServer server(HttpStatusOptions{.port = 0}, {});
  server.start();
  std::vector<int> sockets;
  for (int i = 0; i < 8; ++i) {  // each sends half a request line and then nothing
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(server.port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const char half[] = "GET /status HTTP/1.1\r\nHost: x\r\n";
    ASSERT_GT(::send(fd, half, sizeof half - 1, 0), 0);
    sockets.push_back(fd);
  }
  const auto start = std::chrono::steady_clock::now();
  int rc = -1;
  const auto body = run_stdout("curl -s --max-time 5 http://127.0.0.1:" + std::to_string(server.port()) + "/health", &rc);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const int fd : sockets) ::close(fd);
  EXPECT_EQ(rc, 0) << body;
  EXPECT_LT(seconds, 1.0) << "/health waited behind the half-open requests";
}

TEST(StatusServerProtection, HealthReportsListenerSpoolAndQueue) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed";
  sij::test::ScratchDir spool("health_spool");
  HttpStatusServer server(HttpStatusOptions{.port = 0}, {});
  server.start();
  SessionStatus status;
  status.queued_series = 1;
  status.analysing = true;
  // The listener here is the HTTP server's own port (it accepts); the spool is a real folder.
  HealthInputs inputs{.listener_port = server.port(), .spool_dir = spool.path(), .min_free_bytes = 1};
  server.set_health_provider([&] { return sidecar_health(inputs, status); });
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/health";
  auto health = nlohmann::json::parse(run_stdout("curl -s " + url));
  EXPECT_EQ(health["status"], "ok") << health.dump();
  EXPECT_TRUE(health["listener"]["accepting"].get<bool>());
  EXPECT_GT(health["spool"]["free_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(health["queue"]["waiting"], 1);
  EXPECT_EQ(health["queue"]["analysing"], true);
  // A full spool and a dead listener: degraded, 503, each problem in words.
  inputs.min_free_bytes = std::uintmax_t{1} << 62;
  inputs.listener_port = 1;  // nothing listens on port 1 here
  EXPECT_EQ(run_stdout("curl -s -o /dev/null -w '%{http_code}' " + url), "503");
  health = nlohmann::json::parse(run_stdout("curl -s " + url));
  EXPECT_EQ(health["status"], "degraded");
  EXPECT_EQ(health["problems"].size(), 2u) << health.dump();
}

}  // namespace
}  // namespace sij::sidecar
