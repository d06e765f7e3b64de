// The clinical phantom scenarios of issue 14 (datasets/phantom/Variant.h), each rendered at
// test size and its ground truth checked against the rendered volume: the in-plane needle's
// steel lies in the slices the truth says, with dense streaks there; each side's needle and gas
// of a bilateral procedure; the narrow gap measured on the labels; the implants' metal where
// the truth puts it; the distended joint's width; the thin slices' noise. Then the scoring
// rules these scenarios added (needles on hardware, one report per true needle).
#include <gtest/gtest.h>

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkMetaImageIO.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "datasets/phantom/MetalArtifact.h"
#include "datasets/phantom/Procedure.h"
#include "datasets/phantom/Render.h"
#include "datasets/scoring/ScanScore.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace sij::phantom {
namespace {

json read_json(const fs::path& p) {
  std::ifstream f(p);
  return json::parse(f);
}

template <class Pixel>
std::vector<Pixel> read_mha(const fs::path& p) {
  using Image = itk::Image<Pixel, 3>;
  auto r = itk::ImageFileReader<Image>::New();
  r->SetImageIO(itk::MetaImageIO::New());
  r->SetFileName(p.string());
  r->Update();
  const auto n = r->GetOutput()->GetLargestPossibleRegion().GetNumberOfPixels();
  return std::vector<Pixel>(r->GetOutput()->GetBufferPointer(), r->GetOutput()->GetBufferPointer() + n);
}

using V3 = std::array<double, 3>;
V3 vec3(const json& j) { return {j[0].get<double>(), j[1].get<double>(), j[2].get<double>()}; }

// One rendered scan of a variant procedure, with its truth, image and labels.
struct RenderedCase {
  json truth, manifest;
  std::vector<short> hu;
  std::vector<std::uint8_t> labels;
  int nx = 0, ny = 0, nz = 0;
  V3 origin{}, spacing{};
  double dir[9] = {};

  std::size_t at(int i, int j, int k) const { return (static_cast<std::size_t>(k) * ny + j) * nx + i; }
  V3 centre(int i, int j, int k) const {
    const double idx[3] = {i * spacing[0], j * spacing[1], k * spacing[2]};
    V3 p{};
    for (int r = 0; r < 3; ++r) p[r] = origin[r] + dir[r * 3] * idx[0] + dir[r * 3 + 1] * idx[1] + dir[r * 3 + 2] * idx[2];
    return p;
  }
};

// Scan number `entry` of the manifest of the procedure written in dir.
RenderedCase load_case(const fs::path& dir, int entry_index) {
  RenderedCase c;
  c.manifest = read_json(dir / "manifest.json");
  const json& entry = c.manifest["scans"][entry_index];
  c.truth = read_json(dir / entry["truth"].get<std::string>());
  c.hu = read_mha<short>(dir / entry["image_mha"].get<std::string>());
  c.labels = read_mha<unsigned char>(dir / entry["labels_mha"].get<std::string>());
  const json& g = c.truth["geometry"];
  c.nx = g["size"][0];
  c.ny = g["size"][1];
  c.nz = g["size"][2];
  c.origin = vec3(g["origin_mm"]);
  c.spacing = vec3(g["spacing_mm"]);
  for (int k = 0; k < 9; ++k) c.dir[k] = g["direction_row_major"][k];
  return c;
}

void generate(const fs::path& dir, Variant variant, std::uint64_t seed, std::vector<int> scans) {
  PhantomOptions o;
  o.seed = seed;
  o.size = PhantomSize::Test;
  o.variant = variant;
  o.out_dir = dir.string();
  o.only_scans = std::move(scans);
  generate_procedure(o);
}

RenderedCase render_case(const fs::path& dir, Variant variant, std::uint64_t seed, int scan) {
  generate(dir, variant, seed, {scan});
  return load_case(dir, 0);
}

double segment_distance(const V3& p, const V3& a, const V3& b) {
  V3 ab{}, ap{};
  double len2 = 0, t = 0;
  for (int r = 0; r < 3; ++r) {
    ab[r] = b[r] - a[r];
    ap[r] = p[r] - a[r];
    len2 += ab[r] * ab[r];
    t += ap[r] * ab[r];
  }
  t = std::clamp(t / len2, 0.0, 1.0);
  double d2 = 0;
  for (int r = 0; r < 3; ++r) d2 += (ap[r] - t * ab[r]) * (ap[r] - t * ab[r]);
  return std::sqrt(d2);
}

// Pixels of slice k that read as metal-artifact streaks: soft tissue on the reference slice
// k_ref (-200..200 HU) but darker than -250 HU on slice k, and not gas there (labels carry
// the gas). Bright streaks are left out: bone surfaces move between slices.
int streak_pixels(const RenderedCase& c, int k, int k_ref) {
  int n = 0;
  for (int j = 0; j < c.ny; ++j) {
    for (int i = 0; i < c.nx; ++i) {
      const short ref = c.hu[c.at(i, j, k_ref)], v = c.hu[c.at(i, j, k)];
      if (ref < -200 || ref > 200 || (c.labels[c.at(i, j, k)] & (2 | 4)) != 0) continue;
      n += v < -250;
    }
  }
  return n;
}

// --- In-plane needles --------------------------------------------------------------------

TEST(PhantomScenarioInPlane, SteelLiesInTheSlicesTheTruthSaysWithStreaksThere) {
  int crossing_cases = 0;
  for (const std::uint64_t seed : {3u, 4u}) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    test::ScratchDir dir("phantom_inplane");
    const RenderedCase c = render_case(dir.path(), Variant::InPlane, seed, 2);
    EXPECT_EQ(c.manifest["procedure"]["variant"], "inplane");
    const json& n = c.truth["needle"];
    ASSERT_TRUE(n["present"].get<bool>());
    const V3 tip = vec3(n["tip_mm"]), d = vec3(n["direction"]);
    const double elevation_deg = std::asin(std::fabs(d[2])) * 180.0 / M_PI;
    EXPECT_LE(elevation_deg, 1.0 + 1e-6) << "within 1 degree of the axial plane";
    // The steel runs from the tip back through the hub: 140 + 18 mm.
    const V3 back{tip[0] - d[0] * 158.0, tip[1] - d[1] * 158.0, tip[2] - d[2] * 158.0};
    const double half_diag = 0.5 * std::sqrt(c.spacing[0] * c.spacing[0] + c.spacing[1] * c.spacing[1] +
                                             c.spacing[2] * c.spacing[2]);
    std::map<int, int> steel_per_slice;
    for (int k = 0; k < c.nz; ++k) {
      for (int j = 0; j < c.ny; ++j) {
        for (int i = 0; i < c.nx; ++i) {
          if ((c.labels[c.at(i, j, k)] & 16) == 0) continue;
          ++steel_per_slice[k];
          ASSERT_LE(segment_distance(c.centre(i, j, k), tip, back), 0.36 + half_diag)
              << "needle label off the true shaft at " << i << "," << j << "," << k;
        }
      }
    }
    // Every slice the true shaft passes through the middle of (within the field of view) has steel.
    const int k_tip = static_cast<int>(std::lround(n["tip_index"][2].get<double>()));
    ASSERT_GE(k_tip, 0);
    ASSERT_LT(k_tip, c.nz);
    EXPECT_GT(steel_per_slice[k_tip], 10) << "the tip's own slice holds the shaft";
    if (steel_per_slice.size() >= 2) ++crossing_cases;
    // The slice with the most steel carries dense streaks; slices 5 away (no steel) do not.
    int k_most = k_tip;
    for (const auto& [k, count] : steel_per_slice) {
      if (count > steel_per_slice[k_most]) k_most = k;
    }
    const int step = k_most + 6 < c.nz ? 1 : -1;
    const int k_far = k_most + 5 * step, k_far_ref = k_most + 6 * step;
    ASSERT_EQ(steel_per_slice.count(k_far), 0u);
    ASSERT_EQ(steel_per_slice.count(k_far_ref), 0u);
    const int streaks = streak_pixels(c, k_most, k_far), baseline = streak_pixels(c, k_far, k_far_ref);
    EXPECT_GT(streaks, 4 * baseline + 150) << "streak pixels " << streaks << ", baseline " << baseline;
    std::printf("seed %d: steel in %zu slices, streak pixels %d (baseline %d)\n", static_cast<int>(seed),
                steel_per_slice.size(), streaks, baseline);
  }
  // Seeds 3 and 4: one shaft stays in one slice, the other passes into the next one.
  EXPECT_GE(crossing_cases, 1) << "no in-plane shaft crossed from one slice to the next";
}

// The layered (exponential partial volume) projection equals the linear one when the steel
// fills every sub-layer alike, and differs when the shaft fills only part of the slice.
TEST(PhantomScenarioInPlane, LayeredProjectionReducesToLinearForUniformSteel) {
  const int n = 96;
  const double ps = 0.8;
  std::vector<float> base(n * n);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const double dx = (x - 48) * ps, dy = (y - 48) * ps;
      base[y * n + x] = dx * dx + dy * dy < 35.0 * 35.0 ? 40.f : -1000.f;
    }
  }
  const auto run = [&](bool layered, const std::array<float, kSteelLayers>& layers) {
    std::vector<float> slice = base;
    std::vector<SteelVoxel> steel;
    float f = 0;
    for (float l : layers) f += l / kSteelLayers;
    for (int x = 30; x < 70; ++x) {
      SteelVoxel sv;
      sv.pixel = 48 * n + x;
      sv.fraction = f;
      std::copy(layers.begin(), layers.end(), sv.layer);
      slice[sv.pixel] = slice[sv.pixel] * (1 - f) + f * kSteelHu;
      steel.push_back(sv);
    }
    MetalArtifactParams mp;
    mp.angles = 90;
    mp.layered = layered;
    add_metal_artifacts(slice.data(), n, n, ps, steel, mp, 5);
    return slice;
  };
  const std::array<float, kSteelLayers> uniform{0.4f, 0.4f, 0.4f, 0.4f, 0.4f};
  const auto lin = run(false, uniform), lay = run(true, uniform);
  for (int p = 0; p < n * n; ++p) ASSERT_NEAR(lin[p], lay[p], 1e-2f) << "pixel " << p;
  // The same steel in two of five sub-layers: half of each detector row sees no steel, so the
  // shaft's line is no longer starved like a solid one but the image differs along it.
  const std::array<float, kSteelLayers> half{1.f, 1.f, 0.f, 0.f, 0.f};
  const auto lin_half = run(false, half), lay_half = run(true, half);
  double diff = 0;
  for (int x = 72; x < 80; ++x) diff += std::fabs(lay_half[48 * n + x] - lin_half[48 * n + x]);
  EXPECT_GT(diff, 100.0) << "the non-linear partial volume changes the streak beyond the tip";
}

}  // namespace
}  // namespace sij::phantom

namespace sij::phantom {
namespace {

// Body-frame x (patient left +) of an LPS point of a scan, through the truth's patient motion.
double body_x(const json& truth, const V3& p) {
  const json& m = truth["patient_motion"];
  const V3 t = vec3(m["translation_mm"]);
  double x = 0;
  for (int r = 0; r < 3; ++r) x += m["rotation_row_major"][r * 3].get<double>() * (p[r] - t[r]);
  return x;
}

// --- Bilateral procedures ----------------------------------------------------------------

TEST(PhantomScenarioBilateral, TwoNeedlesTwoInjectionsEachOnItsSide) {
  test::ScratchDir dir("phantom_bilateral");
  const RenderedCase c = render_case(dir.path(), Variant::Bilateral, 2, 3);
  const json& needles_m = c.manifest["procedure"]["needles"];
  ASSERT_EQ(needles_m.size(), 2u);
  EXPECT_NE(needles_m[0]["side"], needles_m[1]["side"]);
  // Gas: the label volume on each side of the midline matches that side's integrated truth.
  const json& per_side = c.truth["gas_per_side"];
  ASSERT_TRUE(per_side.contains("left") && per_side.contains("right"));
  double label_ml[2] = {0, 0};
  const double vox_ml = c.spacing[0] * c.spacing[1] * c.spacing[2] / 1000.0;
  for (int k = 0; k < c.nz; ++k) {
    for (int j = 0; j < c.ny; ++j) {
      for (int i = 0; i < c.nx; ++i) {
        if ((c.labels[c.at(i, j, k)] & 2) == 0) continue;
        label_ml[body_x(c.truth, c.centre(i, j, k)) >= 0 ? 0 : 1] += vox_ml;
      }
    }
  }
  double sum = 0;
  for (int s = 0; s < 2; ++s) {
    const double truth_ml = per_side[s == 0 ? "left" : "right"]["injected_in_fov_total_ml"];
    SCOPED_TRACE(s == 0 ? "left" : "right");
    EXPECT_GT(truth_ml, 0.2);
    EXPECT_NEAR(label_ml[s], truth_ml, std::max(0.05, 0.08 * truth_ml));
    sum += truth_ml;
  }
  EXPECT_NEAR(c.truth["gas"]["injected_in_fov_total_ml"].get<double>(), sum, 1e-5) << "the total is both sides";
  // Needles: each present needle's steel is rendered along its own shaft, on its own side.
  ASSERT_TRUE(c.truth.contains("needles"));
  for (const json& n : c.truth["needles"]) {
    const V3 tip = vec3(n["tip_mm"]), d = vec3(n["direction"]);
    EXPECT_EQ(body_x(c.truth, tip) >= 0 ? "left" : "right", n["side"].get<std::string>());
    int near = 0;
    for (int k = 0; k < c.nz; ++k) {
      for (int j = 0; j < c.ny; ++j) {
        for (int i = 0; i < c.nx; ++i) {
          if ((c.labels[c.at(i, j, k)] & 16) == 0) continue;
          const V3 back{tip[0] - d[0] * 20.0, tip[1] - d[1] * 20.0, tip[2] - d[2] * 20.0};
          near += segment_distance(c.centre(i, j, k), tip, back) < 1.0;
        }
      }
    }
    EXPECT_GT(near, 10) << n["side"] << " needle's last 20 mm carry steel labels";
  }
}

}  // namespace
}  // namespace sij::phantom

namespace sij::phantom {
namespace {

// --- Narrow joints -----------------------------------------------------------------------

// The joint-space label of one joint, slice by slice: its area divided by its extent along the
// joint (in the axial plane, at the manifest's angle to the sagittal plane) is the mean gap.
TEST(PhantomScenarioNarrow, GapMeasuredOnTheLabelsMatchesTheTruth) {
  test::ScratchDir dir("phantom_narrow");
  const RenderedCase c = render_case(dir.path(), Variant::Narrow, 5, 0);
  const std::string side = c.manifest["procedure"]["side"];
  const double sign = side == "left" ? 1.0 : -1.0;
  double gap = 0, alpha = 0, length = 0;
  for (const json& j : c.manifest["joints"]) {
    EXPECT_GE(j["gap_mm"].get<double>(), 0.8);
    EXPECT_LE(j["gap_mm"].get<double>(), 1.8);
    if (j["side"] == side) {
      gap = j["gap_mm"];
      alpha = j["angle_to_sagittal_deg"].get<double>() * M_PI / 180.0;
      length = j["axial_length_mm"];
    }
  }
  ASSERT_GT(gap, 0.0);
  const double ux = sign * std::sin(alpha), uy = -std::cos(alpha);  // along the joint, body frame
  std::vector<double> widths;
  for (int k = 0; k < c.nz; ++k) {
    double area = 0, lo = 1e9, hi = -1e9;
    for (int j = 0; j < c.ny; ++j) {
      for (int i = 0; i < c.nx; ++i) {
        if ((c.labels[c.at(i, j, k)] & 1) == 0) continue;
        const V3 p = c.centre(i, j, k);
        if (body_x(c.truth, p) * sign <= 0) continue;
        area += c.spacing[0] * c.spacing[1];
        const double u = p[0] * ux + p[1] * uy;
        lo = std::min(lo, u);
        hi = std::max(hi, u);
      }
    }
    if (hi - lo >= 0.6 * length) widths.push_back(area / (hi - lo));
  }
  ASSERT_GE(widths.size(), 5u) << "slices through the middle of the joint";
  std::sort(widths.begin(), widths.end());
  const double median = widths[widths.size() / 2];
  EXPECT_NEAR(median, gap, 0.2 * gap) << "gap " << gap << " mm, measured " << median << " mm";
  std::printf("narrow joint: gap %.3f mm, measured on the labels %.3f mm (median of %zu slices)\n", gap, median,
              widths.size());
}

}  // namespace
}  // namespace sij::phantom

namespace sij::phantom {
namespace {

// --- Orthopaedic hardware ----------------------------------------------------------------

// Signed distance-like value to a solid flat-capped cylinder: exact inside (depth below the
// nearest of its mantle and caps, negative), a lower bound outside.
double cylinder_sd(const V3& p, const V3& a, const V3& b, double r) {
  V3 ab{}, ap{};
  double len2 = 0, t = 0;
  for (int k = 0; k < 3; ++k) {
    ab[k] = b[k] - a[k];
    ap[k] = p[k] - a[k];
    len2 += ab[k] * ab[k];
    t += ap[k] * ab[k];
  }
  const double len = std::sqrt(len2), along = t / len;
  double d2 = 0;
  for (int k = 0; k < 3; ++k) d2 += (ap[k] - along / len * ab[k]) * (ap[k] - along / len * ab[k]);
  return std::max({std::sqrt(d2) - r, -along, along - len});
}

double distance_to_parts(const json& hardware, const V3& p, std::string* kind = nullptr) {
  double best = 1e9;
  for (const json& im : hardware) {
    for (const json& part : im["parts"]) {
      const double d = cylinder_sd(p, vec3(part["a_mm"]), vec3(part["b_mm"]), part["radius_mm"].get<double>());
      if (d < best) {
        best = d;
        if (kind) *kind = im["material"];
      }
    }
  }
  return best;
}

TEST(PhantomScenarioHardware, ImplantMetalWhereTheTruthSaysDenseAndNoNeedle) {
  test::ScratchDir dir("phantom_hardware");
  const RenderedCase c = render_case(dir.path(), Variant::Hardware, 1, 0);  // the planning scan
  ASSERT_TRUE(c.truth.contains("hardware"));
  EXPECT_FALSE(c.truth["needle"]["present"].get<bool>()) << "hardware is not a needle";
  const json& hw = c.truth["hardware"];
  ASSERT_EQ(hw.size(), 2u);
  const double hu_max = c.truth["imaging"]["hu_max"];
  const double half_diag = 0.5 * std::sqrt(c.spacing[0] * c.spacing[0] + c.spacing[1] * c.spacing[1] +
                                           c.spacing[2] * c.spacing[2]);
  std::map<std::string, std::vector<short>> core_hu;  // HU of voxels well inside, per material
  int labelled = 0, core_unlabelled = 0, needle_labels = 0;
  for (int k = 0; k < c.nz; ++k) {
    for (int j = 0; j < c.ny; ++j) {
      for (int i = 0; i < c.nx; ++i) {
        const std::size_t v = c.at(i, j, k);
        needle_labels += (c.labels[v] & 16) != 0;
        std::string kind;
        const double d = distance_to_parts(hw, c.centre(i, j, k), &kind);
        if (c.labels[v] & 32) {
          ++labelled;
          ASSERT_LE(d, half_diag) << "implant label outside the true implant at " << i << "," << j << "," << k;
        }
        if (d < -half_diag - 0.5) {
          core_unlabelled += (c.labels[v] & 32) == 0;
          core_hu[kind].push_back(c.hu[v]);
        }
      }
    }
  }
  EXPECT_EQ(needle_labels, 0);
  EXPECT_EQ(core_unlabelled, 0);
  // Seed 1: a titanium nail and titanium pedicle screws, both well inside the field of view.
  EXPECT_EQ(hw[0]["kind"], "femoral_nail");
  ASSERT_GT(core_hu["titanium"].size(), 600u) << "the implants are in the field of view";
  EXPECT_GT(labelled, 1000);
  // Dense metal: stainless steel reads far above bone (clipped by a 12-bit scanner), titanium
  // (7,400 HU ideal) above cortical bone.
  for (auto& [kind, values] : core_hu) {
    std::sort(values.begin(), values.end());
    const double median = values[values.size() / 2];
    std::printf("%s: median HU inside %.0f (scanner max %.0f)\n", kind.c_str(), median, hu_max);
    if (kind == "stainless_steel") {
      EXPECT_GE(median, std::min(hu_max, 15000.0) - 1);
    }
    if (kind == "titanium") {
      EXPECT_GE(median, std::min(hu_max, 4000.0) - 1);
    }
  }
}

}  // namespace
}  // namespace sij::phantom

// The scoring rule for hardware and for two needles, on a hand-made report and truth.

namespace sij::scoring {
namespace {

nlohmann::json minimal_truth() {
  nlohmann::json t;
  t["scan"] = {{"kind", "needle_final"}};
  t["gas"] = {{"injected", false}, {"injected_in_fov_total_ml", 0.0}, {"injected_in_fov_inside_joint_ml", 0.0},
              {"preexisting_bowel_gas_ml", 0.0}};
  return t;
}

analysis::NeedleReport reported(double x, double y, double z, const char* side) {
  analysis::NeedleReport r;
  r.needle.tip_mm[0] = x;
  r.needle.tip_mm[1] = y;
  r.needle.tip_mm[2] = z;
  r.needle.direction[2] = 1.0;  // pointing up: the shaft runs down from the tip
  r.needle.visible_length_mm = 40.0;
  r.needle.side = side;
  return r;
}

TEST(ScoringScenarios, NeedlesOnHardwareAreFalseNeedles) {
  nlohmann::json truth = minimal_truth();
  truth["needle"] = {{"present", false}};
  truth["hardware"] = nlohmann::json::array(
      {{{"kind", "femoral_nail"}, {"parts", {{{"a_mm", {90, -40, 30}}, {"b_mm", {90, -40, -90}}, {"radius_mm", 5.5}}}}}});
  analysis::ScanReport report;
  report.needles.push_back(reported(94.0, -40.0, 10.0, "left"));   // inside the nail's metal
  report.needles.push_back(reported(99.0, -40.0, -10.0, "left"));  // along it, 3.5 mm off its surface
  report.needles.push_back(reported(30.0, 20.0, 0.0, "left"));     // far from it
  const ScanScore s = score_scan(report, truth, nlohmann::json{{"joints", nlohmann::json::array()}});
  EXPECT_TRUE(s.hardware_in_view);
  EXPECT_FALSE(s.needle_expected);
  EXPECT_EQ(s.needles_on_hardware, 1) << "3.5 mm off the surface is beyond the 3 mm rule";
  report.needles[1].needle.tip_mm[0] = 97.5;  // 2 mm off the surface all along
  EXPECT_EQ(score_scan(report, truth, nlohmann::json{{"joints", nlohmann::json::array()}}).needles_on_hardware, 2);
}

TEST(ScoringScenarios, EachTrueNeedleClaimsItsOwnReport) {
  nlohmann::json truth = minimal_truth();
  const auto needle = [](double x, const char* side) {
    return nlohmann::json{{"present", true}, {"side", side}, {"tip_mm", {x, 20.0, 0.0}}, {"direction", {0, 0, 1}},
                          {"tip_in_joint", true}, {"tip_to_joint_mm", -0.5}};
  };
  truth["needle"] = needle(40.0, "left");
  truth["needles"] = {needle(40.0, "left"), needle(-40.0, "right")};
  analysis::ScanReport report;
  report.needles.push_back(reported(-40.3, 20.0, 0.0, "left"));  // the right needle, side called wrong
  report.needles.push_back(reported(40.2, 20.0, 0.0, "left"));
  const ScanScore s = score_scan(report, truth, nlohmann::json{{"joints", nlohmann::json::array()}});
  ASSERT_EQ(s.needles.size(), 2u);
  EXPECT_EQ(s.needles_matched, 2);
  EXPECT_NEAR(s.needles[0].tip_error_mm, 0.2, 1e-9);
  EXPECT_TRUE(s.needles[0].side_correct);
  EXPECT_NEAR(s.needles[1].tip_error_mm, 0.3, 1e-9);
  EXPECT_FALSE(s.needles[1].side_correct);
  EXPECT_TRUE(s.needle_matched);
  EXPECT_NEAR(s.tip_error_mm, 0.2, 1e-9) << "the first needle's fields";
}

}  // namespace
}  // namespace sij::scoring

namespace sij::phantom {
namespace {

// --- Gas that distends the joint ---------------------------------------------------------

// Trilinear HU at an LPS point (the direction matrix is a signed permutation-free diagonal
// here: the phantom writes -1, -1, 1).
double hu_at(const RenderedCase& c, const V3& p) {
  double idx[3];
  for (int a = 0; a < 3; ++a) idx[a] = (p[a] - c.origin[a]) / (c.dir[a * 3 + a] * c.spacing[a]);
  const int i0 = static_cast<int>(std::floor(idx[0])), j0 = static_cast<int>(std::floor(idx[1])),
            k0 = static_cast<int>(std::floor(idx[2]));
  if (i0 < 0 || j0 < 0 || k0 < 0 || i0 + 1 >= c.nx || j0 + 1 >= c.ny || k0 + 1 >= c.nz) return NAN;
  const double fx = idx[0] - i0, fy = idx[1] - j0, fz = idx[2] - k0;
  double v = 0;
  for (int dz = 0; dz < 2; ++dz) {
    for (int dy = 0; dy < 2; ++dy) {
      for (int dx = 0; dx < 2; ++dx) {
        v += (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) * (dz ? fz : 1 - fz) * c.hu[c.at(i0 + dx, j0 + dy, k0 + dz)];
      }
    }
  }
  return v;
}

// Width (mm) of the dark band across the joint through `centre` along `normal`: between the
// points where the profile crosses half-way from its minimum to the cortical peak on each side.
double band_width(const RenderedCase& c, const V3& centre, const V3& normal) {
  const double step = 0.02, reach = 4.5;
  std::vector<double> prof;
  for (double s = -reach; s <= reach + 1e-9; s += step) {
    prof.push_back(hu_at(c, {centre[0] + normal[0] * s, centre[1] + normal[1] * s, centre[2] + normal[2] * s}));
  }
  const int mid = static_cast<int>(prof.size() / 2);
  int lo = mid;
  for (int k = mid - 40; k <= mid + 40; ++k) lo = prof[k] < prof[lo] ? k : lo;  // the band's darkest point
  const auto crossing = [&](int dirn) {
    int peak = lo;
    for (int k = lo; k >= 0 && k < static_cast<int>(prof.size()); k += dirn) peak = prof[k] > prof[peak] ? k : peak;
    const double half = 0.5 * (prof[lo] + prof[peak]);
    for (int k = lo; k != peak; k += dirn) {
      if (prof[k + dirn] >= half) return (k + (half - prof[k]) / (prof[k + dirn] - prof[k]) * dirn) * step;
    }
    return peak * step;
  };
  return crossing(1) - crossing(-1);
}

TEST(PhantomScenarioDistended, TheGasFilledJointIsWiderByTheTruthsDistension) {
  test::ScratchDir dir("phantom_distended");
  generate(dir.path(), Variant::Distended, 1, {0, 3});
  const RenderedCase planning = load_case(dir.path(), 0), post = load_case(dir.path(), 1);
  ASSERT_TRUE(post.truth.contains("joint_distension"));
  EXPECT_FALSE(planning.truth.contains("joint_distension"));
  const json& d = post.truth["joint_distension"];
  const double extra = d["extra_gap_mm"];
  EXPECT_GE(extra, 0.8);
  EXPECT_LE(extra, 2.0);
  // The same patient point in both scans: post-injection LPS -> body (= planning LPS).
  const V3 centre_post = vec3(d["centre_mm"]), normal_post = vec3(d["normal"]);
  const json& m = post.truth["patient_motion"];
  const V3 t = vec3(m["translation_mm"]);
  V3 centre_pre{}, normal_pre{};
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < 3; ++r) {
      const double rot = m["rotation_row_major"][r * 3 + c];
      centre_pre[c] += rot * (centre_post[r] - t[r]);
      normal_pre[c] += rot * normal_post[r];
    }
  }
  // Average a few profiles along the joint's height to beat the noise.
  double before = 0, after = 0;
  const int n = 5;
  for (int k = 0; k < n; ++k) {
    const double dz = (k - n / 2) * 0.6;
    before += band_width(planning, {centre_pre[0], centre_pre[1], centre_pre[2] + dz}, normal_pre) / n;
    after += band_width(post, {centre_post[0], centre_post[1], centre_post[2] + dz}, normal_post) / n;
  }
  std::printf("distended joint: width %.2f mm before, %.2f mm after the injection (truth: +%.2f mm)\n", before, after,
              extra);
  EXPECT_NEAR(after - before, extra, 0.4);
  // The intra-articular gas fills the widened space: its truth counts it.
  EXPECT_GT(post.truth["gas"]["injected_in_fov_inside_joint_ml"].get<double>(), 0.1);
}

}  // namespace
}  // namespace sij::phantom

namespace sij::phantom {
namespace {

// --- 0.625 mm slices ---------------------------------------------------------------------

// A robust noise measure of a scan: 1.4826 MAD of horizontal neighbour differences over
// soft-tissue pixel pairs without labels, divided by sqrt(2). The noise is correlated between
// neighbours, so this reads below its SD; for two scans of the same noise texture the ratio is
// the ratio of their SDs.
double noise_sd(const RenderedCase& c) {
  std::vector<double> d;
  for (int k = 0; k < c.nz; ++k) {
    for (int j = 0; j < c.ny; ++j) {
      for (int i = 0; i + 1 < c.nx; ++i) {
        const std::size_t v = c.at(i, j, k);
        if (c.labels[v] || c.labels[v + 1]) continue;
        if (c.hu[v] < -40 || c.hu[v] > 140 || c.hu[v + 1] < -40 || c.hu[v + 1] > 140) continue;
        d.push_back(std::fabs(double(c.hu[v + 1]) - c.hu[v]));
      }
    }
  }
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  return 1.4826 * d[d.size() / 2] / std::sqrt(2.0);
}

TEST(PhantomScenarioThin, ThinSlicesCarryNoiseScaledByOneOverRootThickness) {
  test::ScratchDir standard_dir("phantom_thin_ref"), thin_dir("phantom_thin");
  PhantomOptions o;
  o.seed = 4;
  o.out_dir = standard_dir.path().string();
  o.only_scans = {0};
  generate_procedure(o);
  const RenderedCase standard = load_case(standard_dir.path(), 0);
  const RenderedCase thin = render_case(thin_dir.path(), Variant::ThinSlices, 4, 0);
  EXPECT_NEAR(thin.spacing[2], 0.625, 1e-6);
  EXPECT_EQ(thin.nz, 48) << "30 mm of coverage";
  // The same dose: the truth's SD follows 1/sqrt(thickness) from the 1 mm SD the seed draws.
  const double sd_standard = standard.truth["imaging"]["noise_sd_hu"], sd_thin = thin.truth["imaging"]["noise_sd_hu"];
  EXPECT_NEAR(sd_thin / sd_standard, std::sqrt(1.0 / 0.625), 1e-5);
  EXPECT_EQ(thin.truth["imaging"]["ctdivol_mgy"], standard.truth["imaging"]["ctdivol_mgy"]);
  // And the image says so.
  const double measured_standard = noise_sd(standard), measured_thin = noise_sd(thin);
  std::printf("noise: standard %.1f HU (truth %.1f), thin %.1f HU (truth %.1f)\n", measured_standard, sd_standard,
              measured_thin, sd_thin);
  EXPECT_NEAR(measured_thin / measured_standard, sd_thin / sd_standard, 0.12);
}

}  // namespace
}  // namespace sij::phantom
