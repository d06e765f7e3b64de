// Completeness before verdict. check_completeness against hand-made slice headers (even
// spacing, a missing slice, a hole in the instance numbers, an announced count, one slice, one
// multi-frame object), read_slice_headers against a phantom series on disk, and `sijtrack
// serve` end to end: a phantom needle scan sent by storescu with slices held back gets
// incomplete.json and no report (no needle or gas verdict); once the missing slices arrive the
// scan is analysed and incomplete.json goes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "datasets/phantom/Procedure.h"
#include "sidecar/SeriesCompleteness.h"
#include "sidecar_test_util.h"

namespace sij::sidecar::testing {
namespace {

using nlohmann::json;

// An axial stack: z from z0 in steps of dz, instance numbers from 1, orientation (-1,0,0),
// (0,-1,0) as the phantom writes it (normal +z).
std::vector<SliceHeader> stack(int count, double z0 = -20.0, double dz = 0.75) {
  std::vector<SliceHeader> out;
  for (int i = 0; i < count; ++i) {
    SliceHeader h;
    h.has_geometry = true;
    h.position_mm = {73.7, 79.1, z0 + dz * i};
    h.orientation = {-1, 0, 0, 0, -1, 0};
    h.instance_number = i + 1;
    out.push_back(h);
  }
  return out;
}

TEST(SeriesCompleteness, EvenlySpacedContiguousStackIsComplete) {
  auto slices = stack(40);
  std::swap(slices[3], slices[30]);  // arrival order does not matter
  const Completeness c = check_completeness(slices);
  EXPECT_TRUE(c.complete) << c.summary;
  EXPECT_EQ(c.summary, "complete: 40 slices");
}

TEST(SeriesCompleteness, MissingSlicesAreAGapWithItsZ) {
  auto slices = stack(40);
  slices.erase(slices.begin() + 10, slices.begin() + 20);  // z = -12.5 .. -5.75 missing
  const Completeness c = check_completeness(slices);
  EXPECT_FALSE(c.complete);
  ASSERT_EQ(c.gaps.size(), 1u);
  EXPECT_NEAR(c.gaps[0].from_z_mm, -20.0 + 0.75 * 9, 1e-9);
  EXPECT_NEAR(c.gaps[0].to_z_mm, -20.0 + 0.75 * 20, 1e-9);
  EXPECT_EQ(c.summary, "incomplete: 30 slices received, gap between z = -13.2 and -5.0 mm");
}

TEST(SeriesCompleteness, OneMissingSliceIsFoundAndAHoleInNumbersAlone) {
  auto slices = stack(20);
  slices.erase(slices.begin() + 7);
  EXPECT_FALSE(check_completeness(slices).complete);
  EXPECT_EQ(check_completeness(slices).gaps.size(), 1u);
  // Positions even but a number missing (renumbered or a duplicate position): still incomplete.
  auto renumbered = stack(20);
  for (size_t i = 5; i < renumbered.size(); ++i) renumbered[i].instance_number += 1;
  const Completeness c = check_completeness(renumbered);
  EXPECT_FALSE(c.complete);
  EXPECT_EQ(c.missing_instance_numbers, std::vector<int>{6});
  EXPECT_NE(c.summary.find("instance number(s) 6 missing"), std::string::npos) << c.summary;
}

TEST(SeriesCompleteness, AnnouncedCountMustArrive) {
  auto slices = stack(17);
  for (auto& s : slices) s.images_in_acquisition = 48;
  const Completeness c = check_completeness(slices);
  EXPECT_FALSE(c.complete);
  EXPECT_EQ(c.expected, 48);
  EXPECT_EQ(c.summary, "incomplete: 17 slices received, 48 announced");
  auto all = stack(48);
  for (auto& s : all) s.images_in_acquisition = 48;
  EXPECT_TRUE(check_completeness(all).complete);
}

TEST(SeriesCompleteness, OneSliceIsNotAVolumeButOneMultiFrameObjectIs) {
  EXPECT_FALSE(check_completeness(stack(1)).complete);
  EXPECT_EQ(check_completeness(stack(1)).summary, "incomplete: 1 slice received, one slice is not a volume");
  EXPECT_FALSE(check_completeness({}).complete);
  SliceHeader enhanced;
  enhanced.number_of_frames = 120;
  EXPECT_TRUE(check_completeness({enhanced}).complete);
}

TEST(SeriesCompleteness, ObliqueStackIsMeasuredAlongItsNormal) {
  // Gantry tilt: positions step along a tilted normal; even steps are complete.
  std::vector<SliceHeader> slices;
  const double c = std::cos(0.3), s = std::sin(0.3);
  for (int i = 0; i < 30; ++i) {
    if (i == 12) continue;
    SliceHeader h;
    h.has_geometry = true;
    h.orientation = {1, 0, 0, 0, c, -s};  // normal (0, s, c)
    h.position_mm = {0, s * 1.25 * i, c * 1.25 * i};
    h.instance_number = i + 1;
    slices.push_back(h);
  }
  EXPECT_FALSE(check_completeness(slices).complete);
  EXPECT_EQ(check_completeness(slices).gaps.size(), 1u);
}

class SidecarCompleteness : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(make_scratch("completeness_test"));
    sij::phantom::PhantomOptions o;
    o.seed = 3;
    o.size = sij::phantom::PhantomSize::Test;
    o.scenario = 0;
    o.write_mha = false;
    o.only_scans = {2};
    o.out_dir = (*root_ / "phantom").string();
    sij::phantom::generate_procedure(o);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*root_, ec);
    delete root_;
  }
  void SetUp() override {
    work_ = *root_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(work_);
    port_ = free_port();
  }
  static std::vector<fs::path> needle_scan() {
    for (const auto& e : fs::directory_iterator(*root_ / "phantom"))
      if (e.path().filename().string().rfind("scan_02_", 0) == 0) return files_with_suffix(e.path() / "dicom", ".dcm");
    return {};
  }
  std::unique_ptr<ServerProcess> start_server() {
    std::vector<std::string> args{"--aet", "SIJTRACK", "--port", std::to_string(port_), "--spool", (work_ / "spool").string(),
                                  "--out", (work_ / "out").string(), "--quiet-seconds", "1", "--backend", "cpu"};
    auto server = std::make_unique<ServerProcess>(args, work_ / "serve.log");
    const auto echo = [&] {
      int status = -1;
      run_command("echoscu -aec SIJTRACK 127.0.0.1 " + std::to_string(port_), &status);
      return status == 0;
    };
    EXPECT_TRUE(wait_until(echo, 20)) << server->log();
    return server;
  }
  int send(const std::vector<fs::path>& files) {
    std::string cmd = "storescu -aet CONSOLE -aec SIJTRACK 127.0.0.1 " + std::to_string(port_);
    for (const auto& f : files) cmd += " '" + f.string() + "'";
    int status = -1;
    run_command(cmd, &status);
    return status;
  }
  std::vector<fs::path> found(const std::string& name) const { return files_with_suffix(work_ / "out", name); }

  static fs::path* root_;
  fs::path work_;
  int port_ = 0;
};
fs::path* SidecarCompleteness::root_ = nullptr;

TEST_F(SidecarCompleteness, HeadersOfThePhantomSeriesReadBackComplete) {
  const auto files = needle_scan();
  ASSERT_GE(files.size(), 20u);
  const Completeness c = check_completeness(read_slice_headers(files.front().parent_path()));
  EXPECT_TRUE(c.complete) << c.summary;
  EXPECT_EQ(c.received, static_cast<int>(files.size()));
}

// Slices 11-20 held back: no report, no verdict, incomplete.json naming the gap; then the
// missing slices come and the scan is analysed, with its needle.
TEST_F(SidecarCompleteness, HeldBackSlicesGiveNoVerdictUntilTheyArrive) {
  const auto files = needle_scan();
  ASSERT_GE(files.size(), 30u);
  std::vector<fs::path> first, held_back;
  for (size_t i = 0; i < files.size(); ++i) (i >= 10 && i < 20 ? held_back : first).push_back(files[i]);
  auto server = start_server();
  ASSERT_EQ(send(first), 0);
  ASSERT_TRUE(wait_until([&] { return !found("incomplete.json").empty(); }, 30)) << server->log();
  EXPECT_TRUE(found("report.json").empty()) << "a verdict was given on an incomplete series";
  const json incomplete = json::parse(read_text(found("incomplete.json").front()));
  const std::string summary = incomplete["summary"];
  EXPECT_EQ(summary.rfind("incomplete: " + std::to_string(first.size()) + " slices received, gap between z = ", 0), 0u)
      << summary;
  ASSERT_EQ(incomplete["gaps"].size(), 1u);
  EXPECT_LT(incomplete["gaps"][0]["from_z_mm"].get<double>(), incomplete["gaps"][0]["to_z_mm"].get<double>());
  EXPECT_NE(server->log().find("scan incomplete: "), std::string::npos) << server->log();
  EXPECT_NE(server->log().find("no verdict until the missing slices arrive"), std::string::npos);

  ASSERT_EQ(send(held_back), 0);
  ASSERT_TRUE(wait_until([&] { return !found("report.json").empty(); }, 60)) << server->log();
  EXPECT_TRUE(found("incomplete.json").empty()) << "the complete analysis must clear incomplete.json";
  const json report = json::parse(read_text(found("report.json").front()));
  EXPECT_FALSE(report["needles"].empty()) << "the complete needle scan must show its needle";
  EXPECT_EQ(server->terminate(), 0) << server->log();
}

// A console that announces 40 slices and sends 17: incomplete ("17 slices received, 40
// announced") after the quiet period; the rest completes it by count.
TEST_F(SidecarCompleteness, AnnouncedCountShortOfSlicesIsIncomplete) {
  const auto files = needle_scan();
  const fs::path copy = work_ / "announced";
  fs::create_directories(copy);
  std::string list;
  std::vector<fs::path> copies;
  for (const auto& f : files) {
    fs::copy_file(f, copy / f.filename());
    copies.push_back(copy / f.filename());
    list += " '" + copies.back().string() + "'";
  }
  int status = -1;
  const std::string out = run_command("dcmodify -nb -i '(0020,1002)=" + std::to_string(files.size()) + "'" + list, &status);
  ASSERT_EQ(status, 0) << out;
  auto server = start_server();
  ASSERT_EQ(send({copies.begin(), copies.begin() + 17}), 0);
  ASSERT_TRUE(wait_until([&] { return !found("incomplete.json").empty(); }, 30)) << server->log();
  const json incomplete = json::parse(read_text(found("incomplete.json").front()));
  EXPECT_EQ(incomplete["summary"], "incomplete: 17 slices received, " + std::to_string(files.size()) + " announced");
  EXPECT_TRUE(found("report.json").empty());
  ASSERT_EQ(send({copies.begin() + 17, copies.end()}), 0);
  ASSERT_TRUE(wait_until([&] { return !found("report.json").empty(); }, 60)) << server->log();
  EXPECT_TRUE(found("incomplete.json").empty());
  EXPECT_EQ(server->terminate(), 0) << server->log();
}

}  // namespace
}  // namespace sij::sidecar::testing
