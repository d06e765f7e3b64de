// Scanner profiles: the shipped files load, every bad key is named in the error, selection by
// DICOM tags, apply_profile fills the stage options, the HU correction against a brute-force
// per-voxel map, and the needle gauge table.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "calib/ApplyProfile.h"
#include "calib/NeedleModel.h"
#include "calib/ProfileSelect.h"
#include "calib/ScanPreparation.h"
#include "calib/ScannerProfile.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sij::calib;

namespace {

const std::string kProfiles = std::string(SIJTRACK_SOURCE_DIR) + "/config/scanners";

class CalibProfileTest : public ::testing::Test {
 protected:
  sij::test::ScratchDir scratch_{"calib_profile"};
  const fs::path& dir_ = scratch_.path();
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  // The key named by the ProfileError a profile with `text` raises ("" when it loads).
  std::string bad_key(const std::string& text) {
    try {
      load_profile(write("bad.json", text));
    } catch (const ProfileError& e) {
      EXPECT_NE(std::string(e.what()).find(e.key()), std::string::npos) << e.what();
      return e.key().empty() ? "<file>" : e.key();
    }
    return "";
  }
};

TEST_F(CalibProfileTest, ShippedDefaultEqualsBuiltInDefaults) {
  const ScannerProfile p = load_profile(kProfiles + "/default.json");
  ScannerProfile builtin;
  builtin.description = p.description;
  EXPECT_EQ(profile_to_json(p).dump(), profile_to_json(builtin).dump());
}

TEST_F(CalibProfileTest, EveryShippedProfileLoads) {
  int count = 0;
  for (const auto& e : fs::directory_iterator(kProfiles)) {
    if (e.path().extension() != ".json") continue;
    EXPECT_NO_THROW(load_profile(e.path().string())) << e.path();
    ++count;
  }
  EXPECT_GE(count, 2);
}

TEST_F(CalibProfileTest, SaveAndLoadRoundTrip) {
  ScannerProfile p;
  p.name = "ct-room-2";
  p.match.manufacturer = "ACME";
  p.match.convolution_kernels = {"B30f", "B70f"};
  p.hu_correction = HuCorrection{1.02, -12.5, true, -985.0, 63.0, "1.2.3"};
  p.thresholds.metal_hu = 2800;
  p.needle = needle_model_for_gauge("20G", 150.0);
  p.needle.blooming_diameter_mm = 2.1;
  p.needle.tip_offset_mm = -0.3;
  p.fence.rod_count = 10;
  const std::string path = (dir_ / "p.json").string();
  save_profile(p, path);
  const ScannerProfile q = load_profile(path);
  EXPECT_EQ(profile_to_json(p).dump(), profile_to_json(q).dump());
  EXPECT_EQ(q.source_path, path);
}

TEST_F(CalibProfileTest, MissingKeysKeepDefaults) {
  const ScannerProfile p = load_profile(write("min.json", R"({"name": "minimal", "thresholds": {"metal_hu": 3000}})"));
  EXPECT_EQ(p.thresholds.metal_hu, 3000);
  EXPECT_EQ(p.thresholds.cortical_bone_hu, Thresholds{}.cortical_bone_hu);
  EXPECT_DOUBLE_EQ(p.needle.outer_diameter_mm, 0.72);
}

TEST_F(CalibProfileTest, ErrorsNameTheBadKey) {
  EXPECT_EQ(bad_key(R"({"name": "x", "thresholds": {"metl_hu": 2500}})"), "/thresholds/metl_hu");
  EXPECT_EQ(bad_key(R"({"name": "x", "thresholds": {"metal_hu": "high"}})"), "/thresholds/metal_hu");
  EXPECT_EQ(bad_key(R"({"name": "x", "thresholds": {"metal_hu": 2500.5}})"), "/thresholds/metal_hu");
  EXPECT_EQ(bad_key(R"({"name": "x", "thresholds": {"gas_core_hu": -200, "gas_edge_hu": -300}})"), "/thresholds/gas_core_hu");
  EXPECT_EQ(bad_key(R"({"name": "x", "hu_correction": {"slope": 7}})"), "/hu_correction/slope");
  EXPECT_EQ(bad_key(R"({"name": "x", "needle": {"gauge": "30G"}})"), "/needle/gauge");
  EXPECT_EQ(bad_key(R"({"name": "x", "needle": {"length_mm": -1}})"), "/needle/length_mm");
  EXPECT_EQ(bad_key(R"({"name": "x", "reference": {"tissue": "bone"}})"), "/reference/tissue");
  EXPECT_EQ(bad_key(R"({"name": "x", "fence": {"rod_count": 1}})"), "/fence/rod_count");
  EXPECT_EQ(bad_key(R"({"name": "x", "match": {"convolution_kernels": [1]}})"), "/match/convolution_kernels");
  EXPECT_EQ(bad_key(R"({"name": "x", "schema": "other/2"})"), "/schema");
  EXPECT_EQ(bad_key(R"({"name": ""})"), "/name");
  EXPECT_EQ(bad_key(R"({"name": "x", "extra": 1})"), "/extra");
  EXPECT_EQ(bad_key(R"({"name": "x", "thresholds": 5})"), "/thresholds");
  EXPECT_EQ(bad_key(R"({"name": "x",)"), "<file>");
  EXPECT_EQ(bad_key(R"({"name": "x", "comment": "notes are allowed", "_note": 1})"), "");
  EXPECT_THROW(load_profile((dir_ / "absent.json").string()), ProfileError);
}

sij::VolumeMetadata meta(const std::string& manufacturer, const std::string& model, const std::string& kernel) {
  sij::VolumeMetadata m;
  m.manufacturer = manufacturer;
  m.model = model;
  m.convolution_kernel = kernel;
  return m;
}

TEST_F(CalibProfileTest, SelectsByDicomTagsAndFallsBackToDefault) {
  // The shipped folder: the phantom's tags (datasets/phantom/DicomWriter.cpp) pick its profile.
  auto c = select_profile(kProfiles, meta("sijtrack phantom", "sijtrack phantom generator", "B30f"));
  EXPECT_EQ(c.profile.name, "sijtrack-phantom");
  c = select_profile(kProfiles, meta("  SIJTRACK PHANTOM ", "sijtrack phantom generator", "STANDARD\\LUNG"));
  EXPECT_EQ(c.profile.name, "sijtrack-phantom");
  c = select_profile(kProfiles, meta("sijtrack phantom", "sijtrack phantom generator", "B70f"));
  EXPECT_EQ(c.profile.name, "default");
  c = select_profile(kProfiles, meta("SIEMENS", "SOMATOM", "B30f"));
  EXPECT_EQ(c.profile.name, "default");

  // The most specific match wins; no default.json: built-in defaults.
  write("a.json", R"({"name": "maker", "match": {"manufacturer": "ACME"}})");
  write("b.json", R"({"name": "maker-model-kernel", "match": {"manufacturer": "ACME", "model": "X1", "convolution_kernels": ["SOFT"]}})");
  EXPECT_EQ(select_profile(dir_.string(), meta("ACME", "X1", "SOFT")).profile.name, "maker-model-kernel");
  EXPECT_EQ(select_profile(dir_.string(), meta("ACME", "X1", "SHARP")).profile.name, "maker");
  const auto none = select_profile(dir_.string(), meta("OTHER", "", ""));
  EXPECT_EQ(none.profile.name, "default");
  EXPECT_NE(none.rule.find("built-in"), std::string::npos);
  // A broken profile in the folder is an error, not silently skipped.
  write("c.json", R"({"name": "broken", "thresholds": {"metal": 1}})");
  EXPECT_THROW(select_profile(dir_.string(), meta("ACME", "X1", "SOFT")), ProfileError);
  EXPECT_THROW(select_profile((dir_ / "missing").string(), meta("", "", "")), ProfileError);
}

// What analyze and serve call per scan: a named folder that is missing is an error; with no
// folder named and none installed ($SIJTRACK_PROFILES pointing nowhere) the scan is still
// analysed, on the built-in defaults, and the report says so.
TEST_F(CalibProfileTest, PrepareScanPicksByTagsAndFallsBackWhenNoFolderIsInstalled) {
  sij::Volume volume;
  volume.grid.nx = volume.grid.ny = volume.grid.nz = 2;
  volume.hu.assign(8, 40);
  volume.meta = meta("sijtrack phantom", "sijtrack phantom generator", "B30f");
  sij::analysis::AnalyzeOptions options;
  EXPECT_EQ(prepare_scan(volume, options, {"", kProfiles}).profile.name, "sijtrack-phantom");
  EXPECT_THROW(prepare_scan(volume, options, {"", (dir_ / "missing").string()}), ProfileError);
  ::setenv("SIJTRACK_PROFILES", (dir_ / "nowhere").c_str(), 1);
  const ProfileChoice fallback = prepare_scan(volume, options, {});
  ::unsetenv("SIJTRACK_PROFILES");
  EXPECT_EQ(fallback.profile.name, "default");
  EXPECT_NE(fallback.rule.find("built-in defaults"), std::string::npos) << fallback.rule;
  EXPECT_EQ(volume.hu[0], 40);  // the identity correction leaves the voxels alone
}

TEST_F(CalibProfileTest, ApplyProfileSetsStageOptions) {
  ScannerProfile p;
  p.thresholds.metal_hu = 2900;
  p.thresholds.metal_refine_floor_hu = 1800;
  p.thresholds.metal_removal_hu = 2100;
  p.thresholds.cortical_bone_hu = 700;
  p.thresholds.bone_split_hu = 950;
  p.thresholds.cancellous_bone_hu = 220;
  p.thresholds.body_hu = -450;
  p.needle = needle_model_for_gauge("18G");
  p.needle.blooming_diameter_mm = 2.4;
  sij::analysis::AnalyzeOptions o;
  apply_profile(p, o);
  EXPECT_EQ(o.needle.metal_threshold_hu, 2900);
  EXPECT_EQ(o.needle.refine_floor_hu, 1800);
  EXPECT_EQ(o.needle.body_threshold_hu, -450);
  EXPECT_DOUBLE_EQ(o.needle.needle_diameter_mm, 1.27);
  EXPECT_EQ(o.joint.metal_threshold_hu, 2100);
  EXPECT_EQ(o.joint.cortical_threshold_hu, 700);
  EXPECT_EQ(o.joint.split_threshold_hu, 950);
  EXPECT_EQ(o.joint.bone_threshold_hu, 220);
  EXPECT_DOUBLE_EQ(o.joint.bloom_radius_mm, 1.2);
  EXPECT_EQ(o.gas.body_threshold_hu, -450);
  p.thresholds.gas_core_hu = -650;
  p.thresholds.gas_edge_hu = -250;
  p.reference.air_hu = -990.0;
  apply_profile(p, o);
  EXPECT_EQ(o.gas.core_threshold_hu, -650);
  EXPECT_EQ(o.gas.edge_threshold_hu, -250);
  EXPECT_FLOAT_EQ(o.gas.air_hu, -990.f);
  // The default profile changes no stage's defaults (the analysis without a profile and with
  // the default one are the same).
  sij::analysis::AnalyzeOptions d;
  const sij::analysis::AnalyzeOptions untouched;
  apply_profile(load_profile(kProfiles + "/default.json"), d);
  EXPECT_EQ(d.needle.metal_threshold_hu, untouched.needle.metal_threshold_hu);
  EXPECT_EQ(d.needle.refine_floor_hu, untouched.needle.refine_floor_hu);
  EXPECT_EQ(d.needle.body_threshold_hu, untouched.needle.body_threshold_hu);
  EXPECT_DOUBLE_EQ(d.needle.needle_diameter_mm, untouched.needle.needle_diameter_mm);
  EXPECT_EQ(d.joint.bone_threshold_hu, untouched.joint.bone_threshold_hu);
  EXPECT_EQ(d.joint.cortical_threshold_hu, untouched.joint.cortical_threshold_hu);
  EXPECT_EQ(d.joint.split_threshold_hu, untouched.joint.split_threshold_hu);
  EXPECT_EQ(d.joint.metal_threshold_hu, untouched.joint.metal_threshold_hu);
  EXPECT_DOUBLE_EQ(d.joint.bloom_radius_mm, untouched.joint.bloom_radius_mm);
  EXPECT_EQ(d.gas.core_threshold_hu, untouched.gas.core_threshold_hu);
  EXPECT_EQ(d.gas.edge_threshold_hu, untouched.gas.edge_threshold_hu);
  EXPECT_EQ(d.gas.body_threshold_hu, untouched.gas.body_threshold_hu);
  EXPECT_FLOAT_EQ(d.gas.air_hu, untouched.gas.air_hu);
}

TEST_F(CalibProfileTest, HuCorrectionMatchesPerVoxelMap) {
  sij::Volume v;
  v.grid.nx = 17, v.grid.ny = 9, v.grid.nz = 5;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(-32768, 32767);
  v.hu.resize(static_cast<std::size_t>(v.grid.voxel_count()));
  for (auto& h : v.hu) h = static_cast<std::int16_t>(d(rng));
  const auto original = v.hu;
  EXPECT_EQ(apply_hu_correction(HuCorrection{}, v), 0);
  EXPECT_EQ(v.hu, original);
  const HuCorrection c{1.037, -21.4, true, -980, 60, ""};
  const std::int64_t changed = apply_hu_correction(c, v);
  std::int64_t expect_changed = 0;
  for (std::size_t i = 0; i < v.hu.size(); ++i) {
    const double want = std::clamp(std::round(1.037 * original[i] - 21.4), -32768.0, 32767.0);
    ASSERT_EQ(v.hu[i], static_cast<std::int16_t>(want)) << "voxel " << i << " from " << original[i];
    expect_changed += v.hu[i] != original[i];
  }
  EXPECT_EQ(changed, expect_changed);
}

TEST_F(CalibProfileTest, NeedleGaugeTable) {
  const auto& t = needle_gauges();
  ASSERT_EQ(t.size(), 8u);
  EXPECT_EQ(t.front().gauge, "18G");
  EXPECT_EQ(t.back().gauge, "25G");
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_LT(t[i].outer_diameter_mm, t[i - 1].outer_diameter_mm);
  EXPECT_DOUBLE_EQ(find_gauge("22")->outer_diameter_mm, 0.72);
  EXPECT_DOUBLE_EQ(find_gauge(" 22g ")->outer_diameter_mm, 0.72);
  EXPECT_FALSE(find_gauge("17G"));
  const NeedleModel m = needle_model_for_gauge("25G", 90.0);
  EXPECT_DOUBLE_EQ(m.outer_diameter_mm, 0.51);
  EXPECT_DOUBLE_EQ(m.length_mm, 90.0);
  EXPECT_THROW(needle_model_for_gauge("26G"), std::invalid_argument);
  EXPECT_EQ(NeedleModel{}.gauge, "22G");
  EXPECT_DOUBLE_EQ(NeedleModel{}.length_mm, 140.0);
}

}  // namespace
