// The verdict rules on constructed reports, each branch, with the thresholds read from the
// shipped config/verdict.json (so the tests follow the file); the config loader's defaults
// and typed errors; the anatomical words for a correction; the verdict in the JSON and at the
// top of a console summary that fits one screen.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "pipeline/analysis/ReportJson.h"
#include "pipeline/verdict/AnatomicalDirection.h"
#include "pipeline/verdict/VerdictConfig.h"
#include "pipeline/verdict/VerdictRules.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;
using sij::analysis::NeedleReport;
using sij::analysis::ScanReport;
using sij::verdict::GasCall;
using sij::verdict::NeedleCall;
using sij::verdict::VerdictConfig;
using sij::verdict::VerdictConfigError;

namespace {

const fs::path kConfigFile = fs::path(SIJTRACK_SOURCE_DIR) / "config" / "verdict.json";

VerdictConfig shipped() { return sij::verdict::load_verdict_config(kConfigFile); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A report with one right-side needle heading anteriorly (LPS -y), its tip at the origin, and a
// right joint whose posterior opening is `opening_mm` behind... anywhere the test puts it.
ScanReport one_needle(double tip_to_joint_mm, double depth_past_opening_mm, double opening_distance_mm = 50.0) {
  ScanReport r;
  NeedleReport n;
  n.needle.id = 1;
  n.needle.side = "right";
  n.needle.direction[1] = -1.0;
  n.relation.joint_found = true;
  n.relation.joint_side = "right";
  n.relation.tip_to_joint_mm = tip_to_joint_mm;
  n.relation.tip_in_joint = tip_to_joint_mm < 0;
  n.relation.depth_past_posterior_opening_mm = depth_past_opening_mm;
  if (tip_to_joint_mm > 0) {
    n.relation.correction_direction[1] = -1.0;  // anterior
    n.relation.correction_distance_mm = tip_to_joint_mm;
  }
  r.needles.push_back(n);
  sij::joint::JointFinding j;
  j.side = "right";
  j.posterior_opening_mm[0] = opening_distance_mm;  // the tip is at the origin
  r.joints.push_back(j);
  return r;
}

sij::gas::GasFinding gas(double injected, double intra, double peri, double distant, double coverage) {
  sij::gas::GasFinding g;
  g.analysed = true;
  g.injected_ml = injected;
  g.intra_articular_ml = intra;
  g.peri_articular_ml = peri;
  g.distant_ml = distant;
  g.joint_coverage = coverage;
  g.joint_side = "right";
  return g;
}

fs::path write_temp(const std::string& name, const std::string& text) {
  static const sij::test::ScratchDir dir("verdict_test");  // removed at exit
  std::ofstream(dir.path() / name) << text;
  return dir.path() / name;
}

// --- configuration ---------------------------------------------------------------------------

TEST(VerdictConfigTest, CompiledDefaultsEqualTheShippedFile) {
  const VerdictConfig file = shipped(), compiled;
  EXPECT_EQ(file.needle.in_joint_max_signed_distance_mm, compiled.needle.in_joint_max_signed_distance_mm);
  EXPECT_EQ(file.needle.border_joint_distance_mm, compiled.needle.border_joint_distance_mm);
  EXPECT_EQ(file.needle.border_max_depth_past_opening_mm, compiled.needle.border_max_depth_past_opening_mm);
  EXPECT_EQ(file.needle.border_opening_distance_mm, compiled.needle.border_opening_distance_mm);
  EXPECT_EQ(file.needle.direction_min_component, compiled.needle.direction_min_component);
  EXPECT_EQ(file.gas.min_injected_ml, compiled.gas.min_injected_ml);
  EXPECT_EQ(file.gas.confirmed_min_intra_articular_ml, compiled.gas.confirmed_min_intra_articular_ml);
  EXPECT_EQ(file.gas.confirmed_min_joint_coverage, compiled.gas.confirmed_min_joint_coverage);
  EXPECT_EQ(file.gas.confirmed_max_distant_fraction, compiled.gas.confirmed_max_distant_fraction);
  EXPECT_EQ(file.gas.partial_min_intra_articular_ml, compiled.gas.partial_min_intra_articular_ml);
  EXPECT_EQ(file.gas.partial_min_peri_articular_ml, compiled.gas.partial_min_peri_articular_ml);
  // Every key of the file is one the loader knows (an unknown one would have thrown), and the
  // file sets each of them: change a default and this test notices.
  std::ifstream in(kConfigFile);
  const auto doc = nlohmann::json::parse(in);
  int keys = 0;
  for (const auto& section : {"needle", "gas"})
    for (const auto& [name, value] : doc[section].items()) keys += name[0] != '_';
  EXPECT_EQ(keys, 11);
}

TEST(VerdictConfigTest, LeftOutKeysKeepTheirDefaults) {
  const auto c = sij::verdict::load_verdict_config(write_temp("partial.json", R"({"gas": {"min_injected_ml": 0.3}})"));
  EXPECT_EQ(c.gas.min_injected_ml, 0.3);
  EXPECT_EQ(c.gas.confirmed_min_joint_coverage, VerdictConfig{}.gas.confirmed_min_joint_coverage);
  EXPECT_EQ(c.needle.border_joint_distance_mm, VerdictConfig{}.needle.border_joint_distance_mm);
}

TEST(VerdictConfigTest, BadFilesAreTypedErrorsNamingTheKey) {
  const auto key_of = [](const std::string& text) -> std::string {
    try {
      sij::verdict::load_verdict_config(write_temp("bad.json", text));
    } catch (const VerdictConfigError& e) {
      EXPECT_TRUE(contains(e.what(), "bad.json")) << e.what();
      return e.key();
    }
    return "<no error>";
  };
  EXPECT_EQ(key_of(R"({"gas": {"min_injected_mll": 0.1}})"), "/gas/min_injected_mll");
  EXPECT_EQ(key_of(R"({"needle": {"border_joint_distance_mm": "3"}})"), "/needle/border_joint_distance_mm");
  EXPECT_EQ(key_of(R"({"gas": {"confirmed_min_joint_coverage": 1.5}})"), "/gas/confirmed_min_joint_coverage");
  EXPECT_EQ(key_of(R"({"needle": {"border_opening_distance_mm": -1}})"), "/needle/border_opening_distance_mm");
  EXPECT_EQ(key_of(R"({"needles": {}})"), "/needles");
  EXPECT_EQ(key_of(R"({"gas": 3})"), "/gas");
  EXPECT_EQ(key_of(R"({"gas": {"partial_min_intra_articular_ml": 0.9, "confirmed_min_intra_articular_ml": 0.5}})"),
            "/gas/partial_min_intra_articular_ml");
  EXPECT_EQ(key_of("{ not json"), "");
  EXPECT_EQ(key_of("[1, 2]"), "");
  EXPECT_THROW(sij::verdict::load_verdict_config("/nonexistent/verdict.json"), VerdictConfigError);
}

// --- needle ------------------------------------------------------------------------------------

TEST(VerdictNeedleTest, NoNeedleAndNoJoint) {
  const auto c = shipped();
  ScanReport empty;
  const auto v = sij::verdict::decide(empty, c);
  EXPECT_EQ(v.needle, NeedleCall::NoNeedle);
  EXPECT_EQ(v.needle_text, "no needle");

  ScanReport no_joint = one_needle(5.0, 0.0);
  no_joint.needles[0].relation = {};
  no_joint.joints.clear();
  const auto w = sij::verdict::decide(no_joint, c);
  EXPECT_EQ(w.needle, NeedleCall::NoJoint);
  EXPECT_TRUE(contains(w.needle_text, "no joint")) << w.needle_text;
}

TEST(VerdictNeedleTest, InJointAtTheConfiguredDistance) {
  const auto c = shipped();
  const double limit = c.needle.in_joint_max_signed_distance_mm;
  const auto inside = sij::verdict::decide(one_needle(limit - 1.2, 8.0), c);
  EXPECT_EQ(inside.needle, NeedleCall::InJoint);
  EXPECT_TRUE(contains(inside.needle_text, "in the right joint")) << inside.needle_text;
  EXPECT_EQ(sij::verdict::decide(one_needle(limit, 8.0), c).needle, NeedleCall::InJoint);
  EXPECT_NE(sij::verdict::decide(one_needle(limit + 0.05, 8.0), c).needle, NeedleCall::InJoint);
}

TEST(VerdictNeedleTest, PosteriorBorderByJointDistanceAtTheOpening) {
  const auto c = shipped();
  const double near = c.needle.border_joint_distance_mm - 0.2, far = c.needle.border_joint_distance_mm + 0.2;
  const double shallow = c.needle.border_max_depth_past_opening_mm - 1.0, deep = c.needle.border_max_depth_past_opening_mm + 1.0;
  const double opening_far = c.needle.border_opening_distance_mm + 20.0;
  const auto border = sij::verdict::decide(one_needle(near, shallow, opening_far), c);
  EXPECT_EQ(border.needle, NeedleCall::AtPosteriorBorder) << border.line;
  EXPECT_TRUE(contains(border.needle_text, "posterior border")) << border.needle_text;
  EXPECT_EQ(sij::verdict::decide(one_needle(far, shallow, opening_far), c).needle, NeedleCall::Outside);
  // Near the joint but deep along it (beside the joint on bone): outside.
  EXPECT_EQ(sij::verdict::decide(one_needle(near, deep, opening_far), c).needle, NeedleCall::Outside);
}

TEST(VerdictNeedleTest, PosteriorBorderByOpeningDistance) {
  const auto c = shipped();
  const double far_from_joint = c.needle.border_joint_distance_mm + 5.0, deep = c.needle.border_max_depth_past_opening_mm + 5.0;
  const auto at_opening = sij::verdict::decide(one_needle(far_from_joint, deep, c.needle.border_opening_distance_mm - 0.5), c);
  EXPECT_EQ(at_opening.needle, NeedleCall::AtPosteriorBorder);
  EXPECT_TRUE(contains(at_opening.reasons.front(), "posterior opening")) << at_opening.reasons.front();
  EXPECT_EQ(sij::verdict::decide(one_needle(far_from_joint, deep, c.needle.border_opening_distance_mm + 0.5), c).needle,
            NeedleCall::Outside);
}

TEST(VerdictNeedleTest, OutsideSaysWhereToMoveInWords) {
  const auto c = shipped();
  ScanReport r = one_needle(6.0, 20.0);
  auto v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.needle, NeedleCall::Outside);
  EXPECT_TRUE(contains(v.needle_text, "move 6.0 mm anterior (advance 6.0, across 0.0)")) << v.needle_text;
  // Toward anterior-left: both named; the needle points anterior, so 4.8 mm of the 6 is depth.
  r.needles[0].relation.correction_direction[0] = 0.6;
  r.needles[0].relation.correction_direction[1] = -0.8;
  v = sij::verdict::decide(r, c);
  EXPECT_TRUE(contains(v.needle_text, "move 6.0 mm anterior and left (advance 4.8, across 3.6)")) << v.needle_text;
  // Behind the joint: withdraw.
  r.needles[0].relation.correction_direction[0] = 0.0;
  r.needles[0].relation.correction_direction[1] = 1.0;
  v = sij::verdict::decide(r, c);
  EXPECT_TRUE(contains(v.needle_text, "posterior (withdraw 6.0")) << v.needle_text;
}

TEST(VerdictNeedleTest, TwoNeedlesTheLeastFavourableCallWins) {
  const auto c = shipped();
  ScanReport r = one_needle(-1.0, 8.0);
  ScanReport other = one_needle(8.0, 20.0);
  other.needles[0].needle.id = 2;
  r.needles.push_back(other.needles[0]);
  const auto v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.needle, NeedleCall::Outside);
  EXPECT_TRUE(contains(v.needle_text, "needle 1: needle in the right joint")) << v.needle_text;
  EXPECT_TRUE(contains(v.needle_text, "needle 2: needle outside")) << v.needle_text;
}

TEST(VerdictDirectionTest, WordsFollowLps) {
  const double axes[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  const char* words[6] = {"left", "right", "posterior", "anterior", "cranial", "caudal"};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(sij::verdict::direction_in_words(axes[i], 0.3), words[i]);
  const double mixed[3] = {-0.31, -0.92, -0.23};
  EXPECT_EQ(sij::verdict::direction_in_words(mixed, 0.3), "anterior and right");
  EXPECT_EQ(sij::verdict::direction_in_words(mixed, 0.2), "anterior, right and caudal");
  const double zero[3] = {0, 0, 0};
  EXPECT_EQ(sij::verdict::direction_in_words(zero, 0.3), "");
}

// --- gas ---------------------------------------------------------------------------------------

TEST(VerdictGasTest, NotApplicableBeforeInjectionOrWithoutTheStage) {
  const auto c = shipped();
  ScanReport r;
  EXPECT_EQ(sij::verdict::decide(r, c).gas, GasCall::NotApplicable);  // not analysed
  r.gas = gas(c.gas.min_injected_ml * 0.5, 0, 0, 0, 0);
  const auto v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.gas, GasCall::NotApplicable);
  EXPECT_TRUE(contains(v.gas_text, "before injection")) << v.gas_text;
}

TEST(VerdictGasTest, ConfirmedAtTheThresholds) {
  const auto c = shipped();
  const auto& t = c.gas;
  const double intra = t.confirmed_min_intra_articular_ml, injected = 4.0;
  ScanReport r;
  r.gas = gas(injected, intra, 0.5, injected * t.confirmed_max_distant_fraction, t.confirmed_min_joint_coverage);
  auto v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.gas, GasCall::Confirmed) << v.line;
  EXPECT_TRUE(contains(v.gas_text, "gas confirmed")) << v.gas_text;

  r.gas.joint_coverage = t.confirmed_min_joint_coverage - 0.01;  // coverage short: partial
  v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.gas, GasCall::Partial);
  EXPECT_TRUE(contains(v.gas_text, "reached")) << v.gas_text;

  r.gas.joint_coverage = 0.9;
  r.gas.distant_ml = injected * t.confirmed_max_distant_fraction + 0.1;  // too much far away
  v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.gas, GasCall::Partial);
  EXPECT_TRUE(contains(v.gas_text, "distant")) << v.gas_text;
}

TEST(VerdictGasTest, PartialAndNotConfirmed) {
  const auto c = shipped();
  const auto& t = c.gas;
  ScanReport r;
  r.gas = gas(2.0, 0.0, t.partial_min_peri_articular_ml, 0.2, 0.0);  // around the joint only
  EXPECT_EQ(sij::verdict::decide(r, c).gas, GasCall::Partial);
  r.gas = gas(2.0, t.partial_min_intra_articular_ml, 0.0, 0.2, 0.05);  // a little inside
  EXPECT_EQ(sij::verdict::decide(r, c).gas, GasCall::Partial);
  r.gas = gas(2.0, t.partial_min_intra_articular_ml * 0.5, t.partial_min_peri_articular_ml * 0.5, 1.8, 0.01);
  const auto v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.gas, GasCall::NotConfirmed);
  EXPECT_TRUE(contains(v.gas_text, "not confirmed")) << v.gas_text;
}

TEST(VerdictGasTest, AlertsRideAlongOnTheLine) {
  const auto c = shipped();
  ScanReport r;
  r.gas = gas(3.0, 2.0, 0.5, 0.5, 0.6);
  r.gas.alerts.push_back({"gas_toward_foramina", "0.4 mL of gas medial to the joint, toward the sacral foramina", 12.0, 0.4});
  const auto v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.gas, GasCall::Confirmed);
  EXPECT_TRUE(contains(v.line, "ALERT gas_toward_foramina")) << v.line;
  EXPECT_TRUE(contains(v.reasons.back(), "sacral foramina"));
}

TEST(VerdictGasTest, ThresholdsComeFromTheFile) {
  ScanReport r;
  r.gas = gas(3.0, 1.0, 0.5, 0.2, 0.5);
  EXPECT_EQ(sij::verdict::decide(r, shipped()).gas, GasCall::Confirmed);
  const auto strict = sij::verdict::load_verdict_config(
      write_temp("strict.json", R"({"gas": {"confirmed_min_intra_articular_ml": 2.0}})"));
  EXPECT_EQ(sij::verdict::decide(r, strict).gas, GasCall::Partial);
}

// --- outputs -----------------------------------------------------------------------------------

TEST(VerdictOutputTest, JsonAndOneScreenSummary) {
  // The busiest report there can be: two needles with history and a target, two joints, gas
  // with alerts.
  ScanReport r = one_needle(6.0, 20.0);
  r.needles[0].previous_id = 1;
  r.needles[0].tip_moved_mm = 3.0;
  r.needles[0].target_error_mm = 2.0;
  r.needles[0].target_lateral_mm = 1.0;
  r.needles[0].target_depth_mm = 1.7;
  r.needles.push_back(r.needles[0]);
  r.needles[1].needle.id = 2;
  r.joints.push_back(r.joints[0]);
  r.joints[1].side = "left";
  r.gas = gas(3.0, 0.2, 0.5, 2.3, 0.1);
  for (const char* code : {"gas_far_from_joint", "gas_toward_foramina", "gas_along_track"}) {
    r.gas.alerts.push_back({code, "gas where it should not be", 20.0, 0.5});
  }
  r.timings_ms["total"] = 100;
  r.verdict = sij::verdict::decide(r, shipped());

  const auto j = sij::analysis::to_json(r);
  EXPECT_EQ(j["verdict"]["needle"], "outside");
  EXPECT_EQ(j["verdict"]["gas"], sij::verdict::gas_call_name(r.verdict.gas));
  EXPECT_EQ(j["verdict"]["line"], r.verdict.line);
  EXPECT_EQ(j["verdict"]["reasons"].size(), r.verdict.reasons.size());

  const std::string summary = sij::analysis::console_summary(r);
  std::istringstream lines(summary);
  std::string first, line;
  std::getline(lines, first);
  EXPECT_EQ(first, "VERDICT: " + r.verdict.line);
  int count = 1;
  while (std::getline(lines, line)) ++count;
  EXPECT_LT(count, 25) << summary;
}

TEST(VerdictNeedleTest, CorrectionWithinTheTipUncertaintyIsAtTheTarget) {
  const auto c = shipped();
  ScanReport r = one_needle(0.1, 0.0, 1.0);  // 0.1 mm outside, at the opening: posterior border
  r.needles[0].needle.tip_uncertainty_mm = 0.6;
  auto v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.needle, NeedleCall::AtPosteriorBorder);
  EXPECT_TRUE(contains(v.needle_text, "at the target (correction 0.1 mm, within the 0.6 mm tip uncertainty)")) << v.needle_text;
  EXPECT_FALSE(contains(v.needle_text, "move")) << v.needle_text;
  // A correction larger than the uncertainty is still given in words.
  r.needles[0].needle.tip_uncertainty_mm = 0.05;
  v = sij::verdict::decide(r, c);
  EXPECT_TRUE(contains(v.needle_text, "move 0.1 mm anterior")) << v.needle_text;
}

TEST(VerdictGasTest, OneVocabularyAndTheShareInTheJoint) {
  const auto c = shipped();
  const auto& t = c.gas;
  ScanReport r;
  // 0.3 of 2.9 mL inside: partial, with the share shown and "peri-articular", never "around".
  r.gas = gas(2.9, 0.3, 1.7, 0.9, t.confirmed_min_joint_coverage - 0.01);
  auto v = sij::verdict::decide(r, c);
  EXPECT_TRUE(contains(v.gas_text, "0.3 mL intra-articular (10% of the 2.9 mL injected), 1.7 mL peri-articular, 0.9 mL distant"))
      << v.gas_text;
  EXPECT_FALSE(contains(v.gas_text, "around")) << v.gas_text;
  r.gas = gas(2.0, 1.5, 0.4, 0.1, t.confirmed_min_joint_coverage + 0.1);
  v = sij::verdict::decide(r, c);
  EXPECT_EQ(v.gas, sij::verdict::GasCall::Confirmed) << v.gas_text;
  EXPECT_TRUE(contains(v.gas_text, "1.5 mL intra-articular (75% of the 2.0 mL injected)")) << v.gas_text;
}

}  // namespace
