// The joint stage on phantom procedures with ground truth: sides found, gap width against the
// manifest's gap_mm, the joint-space mask against the phantom's label bit 1 (Dice, printed),
// and the relation of the true tip (truth.json) to the joint: in/out and signed distance.
// Test size has a targeted field of view (the target joint only); one full-size scan checks
// both joints. SIJTRACK_JOINT_SEEDS=N runs the accuracy sweep (DISABLED_ by default) over N
// seeds per scenario.
#include <gtest/gtest.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkPNGImageIO.h>
#include <itkRGBPixel.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "datasets/scoring/ScanScore.h"
#include "datasets/phantom/Procedure.h"
#include "pipeline/ingest/Ingest.h"
#include "pipeline/joint/JointFinder.h"

namespace fs = std::filesystem;
using nlohmann::json;
using sij::joint::JointAnalysis;
using sij::joint::JointOptions;

namespace {

fs::path scratch_root() {
  return fs::temp_directory_path() / ("sijtrack_joint_test_" + std::to_string(::getpid()));
}

struct CleanupAtExit {
  ~CleanupAtExit() {
    std::error_code ec;
    fs::remove_all(scratch_root(), ec);
  }
};

struct Case {
  std::uint64_t seed;
  int side;       // 0 left, 1 right
  int scenario;   // 0 in, 1 short, 2 bone
  double min_gap = 2.0, max_gap = 4.0;
  bool full = false;
};

// Generates the final-needle scan of a procedure (once per binary run) and returns its folder.
fs::path final_scan(const Case& c) {
  static CleanupAtExit cleanup;
  sij::phantom::PhantomOptions o;
  o.seed = c.seed;
  o.size = c.full ? sij::phantom::PhantomSize::Full : sij::phantom::PhantomSize::Test;
  o.side = c.side;
  o.scenario = c.scenario;
  o.min_gap_mm = c.min_gap;
  o.max_gap_mm = c.max_gap;
  o.only_scans = {2};
  char name[128];
  std::snprintf(name, sizeof name, "s%llu_%d_%d_%.1f_%.1f_%d", static_cast<unsigned long long>(c.seed), c.side,
                c.scenario, c.min_gap, c.max_gap, int(c.full));
  o.out_dir = (scratch_root() / name).string();
  if (!fs::exists(o.out_dir)) sij::phantom::generate_procedure(o);
  for (const auto& e : fs::directory_iterator(o.out_dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("scan_02_", 0) == 0) return e.path();
  }
  return {};
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

// Debug: SIJTRACK_JOINT_PNG=DIR writes the axial slice through the tip (magnified 4x):
// grey bone level, green truth joint, red ours, yellow both, blue the tip.
void debug_png(const sij::Volume& v, const std::vector<std::uint8_t>& labels, const JointAnalysis& ja,
               const double tip[3], const std::string& name) {
  const char* dir = std::getenv("SIJTRACK_JOINT_PNG");
  if (!dir) return;
  double idx[3];
  v.affine.physical_to_index(v.grid, tip, idx);
  const int z = static_cast<int>(std::lround(idx[2]));
  const int r = 45, m = 4;
  using Px = itk::RGBPixel<unsigned char>;
  using Img = itk::Image<Px, 2>;
  auto img = Img::New();
  Img::RegionType region;
  region.SetSize({static_cast<itk::SizeValueType>(2 * r * m), static_cast<itk::SizeValueType>(2 * r * m)});
  img->SetRegions(region);
  img->Allocate();
  for (int py = 0; py < 2 * r * m; ++py) {
    for (int px = 0; px < 2 * r * m; ++px) {
      const int x = static_cast<int>(std::lround(idx[0])) - r + px / m, y = static_cast<int>(std::lround(idx[1])) - r + py / m;
      Px p;
      p.Fill(0);
      if (v.grid.contains(x, y, z)) {
        const auto i = static_cast<std::size_t>(v.grid.index(x, y, z));
        const double h = std::clamp((v.hu[i] + 200.0) / 1600.0, 0.0, 1.0) * 160;
        p.Fill(static_cast<unsigned char>(h));
        const bool a = ja.joint_label_at(x, y, z) != 0, b = (labels[i] & 1) != 0;
        if (a && b) { p[0] = 230; p[1] = 230; p[2] = 0; }
        else if (a) { p[0] = 230; p[1] = 0; p[2] = 0; }
        else if (b) { p[0] = 0; p[1] = 200; p[2] = 0; }
        if (std::abs(px / double(m) - (r + idx[0] - std::lround(idx[0]))) < 0.6 &&
            std::abs(py / double(m) - (r + idx[1] - std::lround(idx[1]))) < 0.6) { p[0] = 0; p[1] = 80; p[2] = 255; }
      }
      img->SetPixel({px, py}, p);
    }
  }
  auto w = itk::ImageFileWriter<Img>::New();
  w->SetInput(img);
  w->SetImageIO(itk::PNGImageIO::New());
  w->SetFileName(std::string(dir) + "/" + name + ".png");
  w->Update();
}

struct Scores {
  std::vector<double> width_err, sd_err, sd_err_behind, sd_err_other, dice, seconds;
  int inout_total = 0, inout_right = 0, sides_wrong = 0, near_boundary = 0;
};

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(std::ceil(q * v.size())) - 1);
  return v[k];
}

// Scores one scan; with `strict`, the accuracy targets are test expectations.
void score(const Case& c, Scores& s, bool strict) {
  const fs::path dir = final_scan(c);
  ASSERT_FALSE(dir.empty());
  const json manifest = read_json(dir.parent_path() / "manifest.json");
  const json truth = read_json(dir / "truth.json");
  const sij::Volume volume = sij::ingest::ingest((dir / "image.mha").string());
  const std::vector<std::uint8_t> labels = sij::scoring::read_phantom_labels((dir / "labels.mha").string());
  ASSERT_EQ(labels.size(), volume.hu.size());

  const auto t0 = std::chrono::steady_clock::now();
  const JointAnalysis ja = sij::joint::find_joints(volume, JointOptions{});
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.seconds.push_back(secs);

  // Sides: the target joint always; both in a full-size scan.
  const std::string target = truth["needle"]["side"].get<std::string>();
  std::map<std::string, double> truth_gap;
  for (const auto& j : manifest["joints"]) truth_gap[j["side"].get<std::string>()] = j["gap_mm"].get<double>();
  // A joint is in view when the labels hold at least 0.5 mL of its joint space (LPS +x is
  // the patient's left; the phantom's midline is x = 0 up to a few mm of patient motion).
  std::map<std::string, double> labelled_ml;
  {
    const sij::Grid& lg = volume.grid;
    const double voxel_ml = lg.sx_mm * lg.sy_mm * lg.sz_mm * 1e-3;
    for (std::int32_t z = 0; z < lg.nz; ++z) {
      for (std::int32_t y = 0; y < lg.ny; ++y) {
        for (std::int32_t x = 0; x < lg.nx; ++x) {
          if (!(labels[static_cast<std::size_t>(lg.index(x, y, z))] & 1)) continue;
          const double index[3] = {double(x), double(y), double(z)};
          double p[3];
          volume.affine.index_to_physical(lg, index, p);
          labelled_ml[p[0] > 0 ? "left" : "right"] += voxel_ml;
        }
      }
    }
  }
  std::vector<std::string> expect_sides = {target};
  for (const char* side : {"left", "right"}) {
    if (side != target && labelled_ml[side] >= 0.5) expect_sides.push_back(side);
  }
  std::string found_desc;
  for (const auto& f : ja.joints) {
    char b[160];
    std::snprintf(b, sizeof b, " %s(w=%.2f iqr=%.2f n=%d vol=%.2fmL)", f.side.c_str(), f.gap_width_mm,
                  f.gap_width_iqr_mm, f.width_samples, f.volume_ml);
    found_desc += b;
  }
  for (const auto& side : expect_sides) {
    const auto it = std::find_if(ja.joints.begin(), ja.joints.end(), [&](const auto& f) { return f.side == side; });
    if (it == ja.joints.end()) {
      ++s.sides_wrong;
      if (strict) ADD_FAILURE() << dir << ": no " << side << " joint; found" << found_desc;
      continue;
    }
    const double err = it->gap_width_mm - truth_gap[side];
    s.width_err.push_back(err);
    if (strict) {
      EXPECT_LE(std::fabs(err), 0.5) << dir << " " << side << " gap " << truth_gap[side];
    }
  }
  if (c.full && strict) {
    EXPECT_EQ(ja.joints.size(), 2u) << found_desc;
  }
  if (ja.joints.size() > expect_sides.size()) {
    ++s.sides_wrong;
    if (strict) ADD_FAILURE() << dir << ": more joints than in view:" << found_desc;
  }

  // Dice of the joint-space mask against label bit 1.
  std::int64_t both = 0, ours = 0, theirs = 0;
  const sij::Grid& g = volume.grid;
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      for (std::int32_t x = 0; x < g.nx; ++x) {
        const bool a = ja.joint_label_at(x, y, z) != 0;
        const bool b = (labels[static_cast<std::size_t>(g.index(x, y, z))] & 1) != 0;
        both += a && b;
        ours += a;
        theirs += b;
      }
    }
  }
  const double dice = ours + theirs > 0 ? 2.0 * both / double(ours + theirs) : 0.0;
  s.dice.push_back(dice);

  // The true tip against the joint.
  const json& tn = truth["needle"];
  const double tip[3] = {tn["tip_mm"][0].get<double>(), tn["tip_mm"][1].get<double>(), tn["tip_mm"][2].get<double>()};
  const auto rel = sij::joint::relate_tip_to_joint(ja, tip);
  debug_png(volume, labels, ja, tip, "seed" + std::to_string(c.seed) + (c.full ? "_full" : ""));
  const bool truth_in = tn["tip_in_joint"].get<bool>();
  const double truth_sd = tn["tip_to_joint_mm"].get<double>();
  EXPECT_TRUE(rel.joint_found) << dir;
  const double sd_err = rel.tip_to_joint_mm - truth_sd;
  s.sd_err.push_back(sd_err);
  // Within a few tenths of a millimetre of the boundary the in/out answer is a coin toss at
  // this resolution; those scans count separately (the distance is still checked).
  const bool near = std::fabs(truth_sd) < 0.3;
  if (near) {
    ++s.near_boundary;
  } else {
    ++s.inout_total;
    s.inout_right += rel.tip_in_joint == truth_in;
  }
  std::printf("[joint] %s seed %llu %s/%s gap %.2f/%.2f (L/R truth) found%s  dice %.3f  tip sd %.2f (truth %.2f, %s) depth %.1f  %.3f s\n",
              c.full ? "full" : "test", static_cast<unsigned long long>(c.seed), target.c_str(),
              tn["scenario"].get<std::string>().c_str(), truth_gap["left"], truth_gap["right"], found_desc.c_str(),
              dice, rel.tip_to_joint_mm, truth_sd, truth_in ? "in" : "out", rel.depth_past_posterior_opening_mm, secs);
  // Behind the posterior opening the phantom's joint space ends where its walls start to part
  // (the interosseous gap widens over ~6 mm behind the articular extent); the facing test
  // finds that within a few tenths of a millimetre, one voxel at worst (docs/report.md,
  // "Joint"). Tips behind the opening are held to one millimetre (stop 11: 1.2-1.6 mm short
  // at test size); the summary reports them separately.
  const bool behind_opening = !truth_in && tn["scenario"].get<std::string>() == "tip_short_of_joint";
  (behind_opening ? s.sd_err_behind : s.sd_err_other).push_back(sd_err);
  if (strict) {
    EXPECT_EQ(rel.joint_side, target) << dir;
    if (!near) {
      EXPECT_EQ(rel.tip_in_joint, truth_in) << dir << " sd " << rel.tip_to_joint_mm << " truth " << truth_sd;
    }
    EXPECT_LE(std::fabs(sd_err), behind_opening ? 1.0 : 0.7) << dir << " sd " << rel.tip_to_joint_mm << " truth " << truth_sd;
    EXPECT_GT(dice, 0.9) << dir;  // stop 11: 0.87-0.95; since the facing directions are smoothed: 0.92-0.98
  }
}

void print_scores(const char* what, const Scores& s) {
  std::vector<double> aw, as;
  for (double v : s.width_err) aw.push_back(std::fabs(v));
  for (double v : s.sd_err) as.push_back(std::fabs(v));
  std::vector<double> ao, ab;
  for (double v : s.sd_err_other) ao.push_back(std::fabs(v));
  for (double v : s.sd_err_behind) ab.push_back(std::fabs(v));
  std::printf("[joint] %s: |tip sd error| in joint or on bone: median %.2f p95 %.2f max %.2f mm (%zu); behind the opening: median %.2f max %.2f mm (%zu)\n",
              what, percentile(ao, 0.5), percentile(ao, 0.95), percentile(ao, 1.0), ao.size(), percentile(ab, 0.5),
              percentile(ab, 1.0), ab.size());
  std::printf("[joint] %s: %zu scans; |gap width error| median %.2f p95 %.2f max %.2f mm; |tip sd error| median %.2f p95 %.2f max %.2f mm; "
              "in/out right %d/%d (+%d within 0.3 mm of the boundary); Dice median %.3f min %.3f; sides wrong %d; time median %.3f s\n",
              what, s.sd_err.size(), percentile(aw, 0.5), percentile(aw, 0.95), percentile(aw, 1.0), percentile(as, 0.5),
              percentile(as, 0.95), percentile(as, 1.0), s.inout_right, s.inout_total, s.near_boundary,
              percentile(s.dice, 0.5), s.dice.empty() ? NAN : *std::min_element(s.dice.begin(), s.dice.end()), s.sides_wrong, percentile(s.seconds, 0.5));
}

}  // namespace

TEST(JointFinder, TestSizeProceduresAcrossScenariosAndSides) {
  const std::vector<Case> cases = {
      {101, 0, 0}, {102, 1, 0}, {103, 0, 1}, {104, 1, 2}, {105, 1, 1, 1.0, 2.0}, {106, 0, 0, 1.0, 2.0},
  };
  Scores s;
  for (const Case& c : cases) score(c, s, true);
  print_scores("test size", s);
}

TEST(JointFinder, FullSizeScanFindsBothJoints) {
  Scores s;
  score({201, 1, 0, 2.0, 4.0, true}, s, true);
  print_scores("full size", s);
}

// Seed 1006 (found by the 50-seed full-size evaluation): the sacral canal cuts the sacrum's
// posterior arch off its body, so four bones are in view. The ilia are the two most lateral
// of them and the sacrum everything between; keeping the three largest dropped the smaller
// ilium and put the "joints" between the arch and the body. The tip sits at the posterior
// opening beside the steel. This scan's joints are wide in places (the local width runs 12 %
// over the nominal gap): with an extent limit of 1.15 x the measured width those parts fell
// out, the mask's Dice was 0.85 and the distance 1.5 mm off.
TEST(JointFinder, FullSizeSacrumInPiecesStillFindsBothJoints) {
  Scores s;
  score({1006, 1, 0, 2.0, 4.0, true}, s, false);
  print_scores("sacrum in pieces", s);
  ASSERT_EQ(s.dice.size(), 1u);
  EXPECT_EQ(s.sides_wrong, 0);
  EXPECT_GT(s.dice[0], 0.9);
  EXPECT_EQ(s.inout_right, s.inout_total);
  for (const double e : s.width_err) EXPECT_LE(std::fabs(e), 0.5);
  ASSERT_EQ(s.sd_err.size(), 1u);
  EXPECT_LE(std::fabs(s.sd_err[0]), 0.7);
}

TEST(JointFinder, NoBoneNoJoint) {
  sij::Volume v;
  v.grid = {40, 30, 20, 0.8f, 0.8f, 1.0f};
  v.hu.assign(static_cast<std::size_t>(v.grid.voxel_count()), 40);
  const JointAnalysis ja = sij::joint::find_joints(v, JointOptions{});
  EXPECT_TRUE(ja.joints.empty());
  const double tip[3] = {1, 2, 3};
  EXPECT_FALSE(sij::joint::relate_tip_to_joint(ja, tip).joint_found);
}

// SIJTRACK_JOINT_SEEDS=N --gtest_also_run_disabled_tests: N seeds per scenario, default and
// narrow (1-2 mm) gaps, test size.
TEST(JointFinder, DISABLED_AccuracySweep) {
  const char* env = std::getenv("SIJTRACK_JOINT_SEEDS");
  const int n = env ? std::atoi(env) : 5;
  const bool full = std::getenv("SIJTRACK_JOINT_FULL") != nullptr;
  Scores all;
  for (int k = 0; k < n; ++k) {
    for (int scenario = 0; scenario < 3; ++scenario) {
      const bool narrow = k % 2 == 1;
      Case c{static_cast<std::uint64_t>(1000 + 10 * k + scenario), k % 2 == 0 ? scenario % 2 : 1 - scenario % 2, scenario,
             narrow ? 1.0 : 2.0, narrow ? 2.0 : 4.0, full};
      score(c, all, false);
      std::error_code ec;
      fs::remove_all(final_scan(c).parent_path(), ec);
    }
  }
  print_scores("sweep", all);
}

// SIJTRACK_JOINT_CASE="seed side scenario min_gap max_gap [full]" --gtest_also_run_disabled_tests:
// one procedure, for looking at a case (SIJTRACK_JOINT_PNG=DIR writes the slice through the tip).
TEST(JointFinder, DISABLED_OneCase) {
  const char* env = std::getenv("SIJTRACK_JOINT_CASE");
  if (!env) GTEST_SKIP() << "set SIJTRACK_JOINT_CASE";
  unsigned long long seed = 0;
  int side = 0, scenario = 0, full = 0;
  double lo = 2, hi = 4;
  std::sscanf(env, "%llu %d %d %lf %lf %d", &seed, &side, &scenario, &lo, &hi, &full);
  Scores s;
  score({seed, side, scenario, lo, hi, full != 0}, s, false);
  print_scores("case", s);
}
