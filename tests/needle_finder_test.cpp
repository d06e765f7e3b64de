// The needle stage on phantom procedures with ground truth (test size): tip, direction, side,
// entry and inserted length of the trocar in the partway and final scans; no needle (and never
// a fence rod) in the planning scans; two needles when a second steel shaft is written into a
// scan. The median tip error is printed. SIJTRACK_NEEDLE_SEEDS=N runs the accuracy sweep
// (DISABLED_ by default) over N seeds per scenario.
#include <gtest/gtest.h>
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

#include "datasets/phantom/Procedure.h"
#include "pipeline/ingest/Ingest.h"
#include "pipeline/needle/NeedleFinder.h"

namespace fs = std::filesystem;
using nlohmann::json;
using sij::needle::NeedleFinding;
using sij::needle::NeedleOptions;

namespace {

using V3 = std::array<double, 3>;

fs::path scratch_root() {
  return fs::temp_directory_path() / ("sijtrack_needle_test_" + std::to_string(::getpid()));
}

struct CleanupAtExit {
  ~CleanupAtExit() {
    std::error_code ec;
    fs::remove_all(scratch_root(), ec);
  }
};

struct Case {
  std::uint64_t seed;
  int side;      // 0 left, 1 right
  int scenario;  // 0 in, 1 short, 2 bone
  bool full = false;  // full-size scans (512 x 512, the whole pelvis)
};

// Generates (once per binary run) the planning, partway and final scans of a procedure.
const fs::path& procedure(const Case& c) {
  static std::map<std::uint64_t, fs::path> done;
  static CleanupAtExit cleanup;
  auto it = done.find(c.seed);
  if (it != done.end()) return it->second;
  sij::phantom::PhantomOptions o;
  o.seed = c.seed;
  o.size = c.full ? sij::phantom::PhantomSize::Full : sij::phantom::PhantomSize::Test;
  o.write_mha = true;
  o.side = c.side;
  o.scenario = c.scenario;
  o.only_scans = {0, 1, 2};
  o.out_dir = (scratch_root() / ("seed_" + std::to_string(c.seed))).string();
  sij::phantom::generate_procedure(o);
  return done.emplace(c.seed, fs::path(o.out_dir)).first->second;
}

fs::path scan_dir(const fs::path& proc, int index) {
  for (const auto& e : fs::directory_iterator(proc)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && name.rfind("scan_0" + std::to_string(index) + "_", 0) == 0) return e.path();
  }
  return {};
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

V3 vec(const json& j) { return {j[0].get<double>(), j[1].get<double>(), j[2].get<double>()}; }
V3 vec(const double p[3]) { return {p[0], p[1], p[2]}; }
double dist(const V3& a, const V3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}
double angle_deg(const V3& a, const V3& b) {
  const double c = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  return std::acos(std::clamp(c, -1.0, 1.0)) * 180.0 / M_PI;
}
double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}
double percentile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(std::ceil(q * v.size())) - 1);
  return v[k];
}

struct Errors {
  std::vector<double> tip, lateral, depth, direction, entry, length;
  int side_wrong = 0, missed = 0, extra = 0, scans = 0;
  double seconds = 0;
};

// Finds the needles in one needle scan and records the errors against truth.json.
void score_needle_scan(const fs::path& dir, Errors& e, bool expect_pass) {
  const json truth = read_json(dir / "truth.json");
  const json& tn = truth["needle"];
  ASSERT_TRUE(tn["present"].get<bool>()) << dir;
  const sij::Volume volume = sij::ingest::ingest((dir / "image.mha").string());
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<NeedleFinding> found = sij::needle::find_needles(volume, NeedleOptions{});
  e.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++e.scans;
  if (found.empty()) {
    ++e.missed;
    if (expect_pass) ADD_FAILURE() << dir << ": no needle found";
    return;
  }
  e.extra += static_cast<int>(found.size()) - 1;
  if (expect_pass) {
    EXPECT_EQ(found.size(), 1u) << dir;
  }
  const NeedleFinding& f = found[0];
  const V3 tip = vec(tn["tip_mm"]), dir_t = vec(tn["direction"]), entry = vec(tn["entry_mm"]);
  const V3 d{f.tip_mm[0] - tip[0], f.tip_mm[1] - tip[1], f.tip_mm[2] - tip[2]};
  const double depth = d[0] * dir_t[0] + d[1] * dir_t[1] + d[2] * dir_t[2];
  const double tip_err = dist(vec(f.tip_mm), tip);
  e.tip.push_back(tip_err);
  e.depth.push_back(depth);
  e.lateral.push_back(std::sqrt(std::max(0.0, tip_err * tip_err - depth * depth)));
  const double dir_err = angle_deg(vec(f.direction), dir_t);
  e.direction.push_back(dir_err);
  const double entry_err = dist(vec(f.entry_mm), entry);
  e.entry.push_back(entry_err);
  const double length_err = std::fabs(f.inserted_length_mm - tn["inserted_length_mm"].get<double>());
  e.length.push_back(length_err);
  const bool side_ok = f.side == tn["side"].get<std::string>();
  e.side_wrong += side_ok ? 0 : 1;
  std::printf("  %-60s tip %.2f mm (depth %+.2f) dir %.2f deg entry %.2f mm length %+.2f mm side %s (%s)%s\n",
              dir.string().substr(scratch_root().string().size()).c_str(), tip_err, depth, dir_err, entry_err,
              f.inserted_length_mm - tn["inserted_length_mm"].get<double>(), f.side.c_str(),
              f.side_rule.c_str(), f.plateau_clipped ? " clipped" : "");
  if (!expect_pass) return;
  EXPECT_LT(tip_err, 1.0) << dir;
  EXPECT_LT(dir_err, 2.0) << dir;
  EXPECT_TRUE(side_ok) << dir << ": reported " << f.side << ", truth " << tn["side"];
  EXPECT_TRUE(f.entry_in_view) << dir;
  EXPECT_LT(entry_err, 2.0) << dir;
  EXPECT_LT(length_err, 2.0) << dir;
  // The fields a physician reads are consistent with each other.
  const V3 back{f.tip_mm[0] - f.inserted_length_mm * f.direction[0], f.tip_mm[1] - f.inserted_length_mm * f.direction[1],
                f.tip_mm[2] - f.inserted_length_mm * f.direction[2]};
  EXPECT_LT(dist(back, vec(f.entry_mm)), 1e-6);
  EXPECT_NEAR(std::sin(f.angle_to_axial_deg * M_PI / 180.0), f.direction[2], 1e-9);
  EXPECT_GT(f.tip_uncertainty_mm, 0.0);
}

void print_summary(const char* name, const Errors& e) {
  std::printf("%s: %d scans, missed %d, extra %d, side wrong %d\n"
              "  tip error median %.3f mm, 95th %.3f mm, max %.3f mm (lateral median %.3f, depth median %+.3f)\n"
              "  direction error median %.3f deg, max %.3f deg; entry median %.2f mm, max %.2f mm; "
              "length max %.2f mm; %.3f s per scan\n",
              name, e.scans, e.missed, e.extra, e.side_wrong, median(e.tip), percentile(e.tip, 0.95),
              e.tip.empty() ? NAN : *std::max_element(e.tip.begin(), e.tip.end()), median(e.lateral),
              median(e.depth), median(e.direction),
              e.direction.empty() ? NAN : *std::max_element(e.direction.begin(), e.direction.end()),
              median(e.entry), e.entry.empty() ? NAN : *std::max_element(e.entry.begin(), e.entry.end()),
              e.length.empty() ? NAN : *std::max_element(e.length.begin(), e.length.end()),
              e.scans ? e.seconds / e.scans : 0.0);
}

// Both sides, every scenario; seeds fixed so a failure replays.
const std::vector<Case> kCases = {
    {101, 0, 0}, {102, 1, 0}, {103, 0, 1}, {104, 1, 1}, {105, 0, 2}, {106, 1, 2},
};

TEST(NeedleFinder, PhantomTipDirectionSideEntry) {
  Errors e;
  for (const Case& c : kCases) {
    const fs::path proc = procedure(c);
    for (int scan : {1, 2}) score_needle_scan(scan_dir(proc, scan), e, true);
  }
  print_summary("needle scans", e);
  EXPECT_EQ(e.missed, 0);
  EXPECT_LT(median(e.tip), 0.6);
}

TEST(NeedleFinder, PlanningScansHaveNoNeedleAndRodsAreNotNeedles) {
  for (const Case& c : kCases) {
    const fs::path dir = scan_dir(procedure(c), 0);
    const sij::Volume volume = sij::ingest::ingest((dir / "image.mha").string());
    // The fence rods are there (aluminium, 2200 HU before partial volume and blur, which leave
    // about 1800-1900 at their centres; cortical bone stays below 1500): the scan is not
    // trivially empty.
    std::int64_t bright = 0;
    for (std::int16_t v : volume.hu) bright += v >= 1500;
    EXPECT_GT(bright, 100) << dir << ": expected the fence rods in the planning scan";
    EXPECT_TRUE(sij::needle::find_needles(volume, NeedleOptions{}).empty()) << dir;
    // Even with a threshold low enough to take the rods in as metal candidates.
    NeedleOptions low;
    low.metal_threshold_hu = 1500;
    low.refine_floor_hu = 1400;
    const auto found = sij::needle::find_needles(volume, low);
    EXPECT_TRUE(found.empty()) << dir << ": " << found.size() << " needle(s) reported, first tip "
                               << (found.empty() ? 0.0 : found[0].tip_mm[2]);
  }
}

// A steel shaft of diameter 0.72 mm from `back` to `tip`, written with partial volume (4x4x4
// samples per voxel) and clipped to the scanner's range like the phantom's needle.
void write_shaft(sij::Volume& v, const V3& back, const V3& tip, double steel_hu, double hu_max) {
  const double r = 0.36;
  V3 d{tip[0] - back[0], tip[1] - back[1], tip[2] - back[2]};
  const double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  for (double& c : d) c /= len;
  const sij::Grid& g = v.grid;
  for (std::int32_t z = 0; z < g.nz; ++z)
    for (std::int32_t y = 0; y < g.ny; ++y)
      for (std::int32_t x = 0; x < g.nx; ++x) {
        const double idx[3] = {double(x), double(y), double(z)};
        double p[3];
        v.affine.index_to_physical(g, idx, p);
        const V3 q{p[0] - back[0], p[1] - back[1], p[2] - back[2]};
        const double t = q[0] * d[0] + q[1] * d[1] + q[2] * d[2];
        if (t < -2 || t > len + 2) continue;
        const double perp2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] - t * t;
        if (perp2 > 2.0 * 2.0) continue;
        int inside = 0;
        for (int a = 0; a < 4; ++a)
          for (int b = 0; b < 4; ++b)
            for (int c = 0; c < 4; ++c) {
              const double si[3] = {x + (a + 0.5) / 4 - 0.5, y + (b + 0.5) / 4 - 0.5, z + (c + 0.5) / 4 - 0.5};
              double s[3];
              v.affine.index_to_physical(g, si, s);
              const V3 w{s[0] - back[0], s[1] - back[1], s[2] - back[2]};
              const double ts = w[0] * d[0] + w[1] * d[1] + w[2] * d[2];
              const double ps = w[0] * w[0] + w[1] * w[1] + w[2] * w[2] - ts * ts;
              inside += (ts >= 0 && ts <= len && ps <= r * r) ? 1 : 0;
            }
        if (inside == 0) continue;
        const double f = inside / 64.0;
        auto& hu = v.hu[static_cast<std::size_t>(g.index(x, y, z))];
        hu = static_cast<std::int16_t>(std::min(hu_max, (1 - f) * hu + f * steel_hu));
      }
}

TEST(NeedleFinder, TwoNeedlesAreBothFound) {
  const Case c = kCases[0];
  const fs::path dir = scan_dir(procedure(c), 2);
  const json truth = read_json(dir / "truth.json");
  const json& tn = truth["needle"];
  sij::Volume volume = sij::ingest::ingest((dir / "image.mha").string());
  // A second trocar beside the first: its entry 14 mm along z from the first one's (inside the
  // slab), aimed 12 degrees off in the axial plane, 40 mm deep; the shaft continues 25 mm
  // outside the skin.
  const V3 entry1 = vec(tn["entry_mm"]), dir1 = vec(tn["direction"]);
  const double a = 12.0 * M_PI / 180.0;
  V3 dir2{dir1[0] * std::cos(a) - dir1[1] * std::sin(a), dir1[0] * std::sin(a) + dir1[1] * std::cos(a), 0.0};
  const double n2 = std::sqrt(dir2[0] * dir2[0] + dir2[1] * dir2[1]);
  dir2 = {dir2[0] / n2, dir2[1] / n2, 0.0};
  const double dz = entry1[2] + 14.0 < truth["geometry"]["origin_mm"][2].get<double>() + 28.0 ? 14.0 : -14.0;
  const V3 entry2{entry1[0], entry1[1], entry1[2] + dz};
  const V3 tip2{entry2[0] + 40 * dir2[0], entry2[1] + 40 * dir2[1], entry2[2]};
  const V3 back2{entry2[0] - 25 * dir2[0], entry2[1] - 25 * dir2[1], entry2[2]};
  write_shaft(volume, back2, tip2, 33700.0, truth["imaging"]["hu_max"].get<double>());

  const auto found = sij::needle::find_needles(volume, NeedleOptions{});
  ASSERT_EQ(found.size(), 2u);
  const V3 tip1 = vec(tn["tip_mm"]);
  // Match each truth to the nearer finding.
  const bool first_is_1 = dist(vec(found[0].tip_mm), tip1) < dist(vec(found[1].tip_mm), tip1);
  const NeedleFinding& f1 = first_is_1 ? found[0] : found[1];
  const NeedleFinding& f2 = first_is_1 ? found[1] : found[0];
  std::printf("two needles: tip errors %.3f mm and %.3f mm, direction errors %.3f and %.3f deg\n",
              dist(vec(f1.tip_mm), tip1), dist(vec(f2.tip_mm), tip2), angle_deg(vec(f1.direction), dir1),
              angle_deg(vec(f2.direction), dir2));
  EXPECT_LT(dist(vec(f1.tip_mm), tip1), 1.0);
  EXPECT_LT(dist(vec(f2.tip_mm), tip2), 1.0);
  EXPECT_LT(angle_deg(vec(f1.direction), dir1), 2.0);
  EXPECT_LT(angle_deg(vec(f2.direction), dir2), 2.0);
  EXPECT_NE(found[0].id, found[1].id);
  EXPECT_TRUE(f2.entry_in_view);
  // Its own single needle: only one when max_needles is 1.
  NeedleOptions one;
  one.max_needles = 1;
  EXPECT_EQ(sij::needle::find_needles(volume, one).size(), 1u);
}

TEST(NeedleFinder, EmptyAndMetalFreeVolumes) {
  sij::Volume v;
  EXPECT_TRUE(sij::needle::find_needles(v, NeedleOptions{}).empty());
  v.grid.nx = v.grid.ny = 40;
  v.grid.nz = 10;
  v.hu.assign(static_cast<std::size_t>(v.grid.voxel_count()), 40);
  EXPECT_TRUE(sij::needle::find_needles(v, NeedleOptions{}).empty());
}

// The accuracy sweep: SIJTRACK_NEEDLE_SEEDS (default 10) seeds per scenario, both sides;
// SIJTRACK_NEEDLE_FIRST=K starts at seed index K; SIJTRACK_NEEDLE_FULL=1 for full-size scans.
TEST(NeedleFinder, DISABLED_AccuracySweep) {
  const char* env = std::getenv("SIJTRACK_NEEDLE_SEEDS");
  const int seeds = env ? std::atoi(env) : 10;
  const bool full = std::getenv("SIJTRACK_NEEDLE_FULL") != nullptr;
  const char* first_env = std::getenv("SIJTRACK_NEEDLE_FIRST");  // first seed index
  const int first = first_env ? std::atoi(first_env) : 0;
  Errors e;
  for (int s = first; s < first + seeds; ++s)
    for (int scenario = 0; scenario < 3; ++scenario) {
      const Case c{static_cast<std::uint64_t>(1000 + 3 * s + scenario), s % 2, scenario, full};
      const fs::path proc = procedure(c);
      for (int scan : {1, 2}) score_needle_scan(scan_dir(proc, scan), e, false);
      std::error_code ec;
      fs::remove_all(proc, ec);
    }
  print_summary("sweep", e);
}

}  // namespace

namespace {

// Speed on a 512 x 512 x 300 scan: a full-size final needle scan padded to 300 slices with
// copies of its end slices (no metal there). Prints the time; fails above 2 s (a guard, not the
// 0.5 s target, which depends on the machine's load).
TEST(NeedleFinder, DISABLED_Timing512x512x300) {
  const Case c{2000, 0, 0, true};
  sij::phantom::PhantomOptions o;
  o.seed = c.seed;
  o.size = sij::phantom::PhantomSize::Full;
  o.side = c.side;
  o.scenario = c.scenario;
  o.only_scans = {2};
  o.out_dir = (scratch_root() / "timing").string();
  sij::phantom::generate_procedure(o);
  const sij::Volume scan = sij::ingest::ingest((scan_dir(o.out_dir, 2) / "image.mha").string());
  sij::Volume big = scan;
  const std::int32_t nz = 300, pad = (nz - scan.grid.nz) / 2;
  ASSERT_GT(pad, 0);
  big.grid.nz = nz;
  const std::int64_t slice = static_cast<std::int64_t>(scan.grid.nx) * scan.grid.ny;
  big.hu.assign(static_cast<std::size_t>(slice * nz), 0);
  for (std::int32_t z = 0; z < nz; ++z) {
    const std::int32_t src = std::clamp(z - pad, 0, scan.grid.nz - 1);
    std::copy_n(scan.hu.begin() + src * slice, slice, big.hu.begin() + z * slice);
  }
  for (int r = 0; r < 3; ++r) big.affine.origin_mm[r] -= big.affine.direction[r * 3 + 2] * pad * scan.grid.sz_mm;
  sij::needle::find_needles(big, NeedleOptions{});  // warm-up (page faults, thread pool)
  double best = 1e9;
  std::size_t n = 0;
  for (int k = 0; k < 3; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    n = sij::needle::find_needles(big, NeedleOptions{}).size();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("find_needles on %dx%dx%d: %.3f s (best of 3), %zu needle(s)\n", big.grid.nx, big.grid.ny,
              big.grid.nz, best, n);
  EXPECT_EQ(n, 1u);
  EXPECT_LT(best, 2.0);
}

}  // namespace
