// Gas classification and the far-gas alert on a synthetic scene whose answer is known by
// construction (1 mm voxels, identity orientation):
//  - a soft-tissue body lying on a table top (a 260 HU shell over a -930 HU foam core that runs
//    out of the field of view, as on a real couch);
//  - the earlier scan (identity alignment) has the body alone; the current scan adds
//    (a) a thin air gap pinched between the skin and the table (the body moved on the couch),
//    (b) a new air pocket deep inside the body far from the needle, and
//    (c) a new air pocket just under the posterior skin beside the needle's track;
//  - a needle whose tip lies far from (a) and (b).
//  - and (d) a pocket far from the needle that was there on the earlier scan but shifted by
//    5 of its 8 mm (bowel gas that changed shape: 3/8 of it overlaps where it was).
// Expected: (a) pre-existing (air at the body's surface), (b) injected and distant, (c) injected,
// (d) pre-existing.
// With a joint far from (b), the far-gas alert quotes (b)'s true distance from the joint, also
// when (b) lies outside the box of the joint's distance map.
#include <gtest/gtest.h>

#include <cmath>

#include "pipeline/gas/GasAnalyzer.h"

namespace {

using sij::gas::GasComponent;

constexpr std::int32_t kN = 140, kNz = 24;

struct Scene {
  sij::Volume before, after;
};

void fill_box(sij::Volume& v, int x0, int x1, int y0, int y1, int z0, int z1, std::int16_t hu) {
  for (int z = z0; z <= z1; ++z)
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) v.hu[static_cast<std::size_t>(v.grid.index(x, y, z))] = hu;
}

// y grows posterior (LPS); the patient lies prone, anterior skin on the table below small y.
Scene make_scene() {
  sij::Volume v;
  v.grid = sij::Grid{kN, kN, kNz, 1.f, 1.f, 1.f};
  v.hu.assign(static_cast<std::size_t>(v.grid.voxel_count()), -1000);
  fill_box(v, 0, kN - 1, 0, 15, 0, kNz - 1, -930);   // table foam, cut by the field of view
  fill_box(v, 0, kN - 1, 16, 17, 0, kNz - 1, 260);   // table shell, 2 mm (top at y = 17)
  fill_box(v, 15, 124, 18, 125, 0, kNz - 1, 40);     // the body on the table
  Scene s{v, v};
  fill_box(s.after, 30, 110, 18, 18, 4, 19, -1000);  // (a) air between skin and table
  fill_box(s.after, 30, 34, 18, 18, 4, 19, 40);      //     closed at both ends: a hole in-plane
  fill_box(s.after, 106, 110, 18, 18, 4, 19, 40);
  fill_box(s.after, 60, 67, 40, 47, 8, 15, -1000);   // (b) deep pocket, 0.5 mL
  fill_box(s.after, 95, 98, 121, 123, 10, 13, -1000);  // (c) under the posterior skin, by the track
  fill_box(s.before, 40, 47, 70, 77, 8, 15, -1000);  // (d) where it was
  fill_box(s.after, 45, 52, 70, 77, 8, 15, -1000);   //     and where it is now
  return s;
}

sij::needle::NeedleFinding needle() {
  sij::needle::NeedleFinding n;
  // Entry on the posterior skin, tip 26 mm anterior to it.
  const double entry[3] = {100, 126, 12}, tip[3] = {100, 100, 12};
  for (int a = 0; a < 3; ++a) {
    n.entry_mm[a] = entry[a];
    n.tip_mm[a] = tip[a];
  }
  n.direction[1] = -1.0;
  n.entry_in_view = true;
  return n;
}

const GasComponent* component_containing(const sij::gas::GasAnalysis& a, const sij::Volume& v, int x, int y, int z) {
  const auto i = v.grid.index(x, y, z);
  for (const auto& c : a.components) {
    for (std::size_t k = 0; k < c.voxels.size(); ++k) {
      if (c.voxels[k] == i && c.fractions[k] >= 0.5f) return &c;
    }
  }
  return nullptr;
}

TEST(GasClassification, AirBetweenSkinAndTableIsNotInjected) {
  const Scene s = make_scene();
  sij::gas::GasInputs inputs;
  inputs.needles = {needle()};
  inputs.previous = sij::gas::PreviousScan{&s.before, nullptr, {}};
  const auto analysis = sij::gas::analyze_gas_detailed(s.after, inputs, sij::gas::GasOptions{});

  const GasComponent* gap = component_containing(analysis, s.after, 70, 18, 12);
  const GasComponent* deep = component_containing(analysis, s.after, 63, 43, 12);
  const GasComponent* subcutaneous = component_containing(analysis, s.after, 96, 122, 12);
  ASSERT_NE(gap, nullptr);
  ASSERT_NE(deep, nullptr);
  ASSERT_NE(subcutaneous, nullptr);
  EXPECT_TRUE(gap->at_body_surface);
  EXPECT_EQ(gap->cls, sij::gas::kPreexisting) << gap->reason;
  EXPECT_FALSE(deep->at_body_surface);
  EXPECT_EQ(deep->cls, sij::gas::kInjected) << deep->reason;
  EXPECT_TRUE(subcutaneous->at_body_surface);
  EXPECT_EQ(subcutaneous->cls, sij::gas::kInjected) << subcutaneous->reason;
  const GasComponent* shifted = component_containing(analysis, s.after, 50, 73, 12);
  ASSERT_NE(shifted, nullptr);
  EXPECT_NEAR(shifted->previous_air_fraction, 3.0 / 8.0, 0.02);
  EXPECT_EQ(shifted->cls, sij::gas::kPreexisting) << shifted->reason;
  // The deep pocket is 8 x 8 x 8 mm of air: 0.512 mL.
  EXPECT_NEAR(analysis.finding.injected_ml, 0.512 + 4 * 3 * 4 / 1000.0, 0.05);
  // The report lists the components with their classes.
  bool listed = false;
  for (const auto& c : analysis.finding.components) listed |= c.cls == sij::gas::kPreexisting && c.reason == gap->reason;
  EXPECT_TRUE(listed);
}

// A joint: a thin slab of joint space at x = 20..21, y = 60..80, z = 8..15, with its distance map
// over a box that ends at x = 40 (the deep pocket at x = 60..67 lies beyond it).
sij::joint::JointAnalysis far_joint(const sij::Volume& v) {
  sij::joint::JointAnalysis ja;
  ja.grid = v.grid;
  ja.affine = v.affine;
  ja.mask_grid = sij::Grid{41, kN, kNz, 1.f, 1.f, 1.f};
  const auto n = static_cast<std::size_t>(ja.mask_grid.voxel_count());
  ja.joint_label.assign(n, 0);
  ja.bone_mask.assign(n, 0);
  ja.mid_surface.assign(n, 0);
  ja.joint_sdf_mm.assign(n, 0.f);
  ja.joint_points_mm.resize(1);
  for (int z = 8; z <= 15; ++z)
    for (int y = 60; y <= 80; ++y)
      for (int x = 20; x <= 21; ++x) {
        ja.joint_label[static_cast<std::size_t>(ja.mask_grid.index(x, y, z))] = 1;
        ja.joint_points_mm[0].push_back({float(x), float(y), float(z)});
      }
  // The distance map, by brute force over the joint's voxels.
  for (int z = 0; z < kNz; ++z)
    for (int y = 0; y < kN; ++y)
      for (int x = 0; x <= 40; ++x) {
        double best = 1e30;
        for (const auto& p : ja.joint_points_mm[0]) best = std::min<double>(best, std::hypot(p[0] - x, p[1] - y, p[2] - z));
        const auto i = static_cast<std::size_t>(ja.mask_grid.index(x, y, z));
        ja.joint_sdf_mm[i] = ja.joint_label[i] ? -1.f : static_cast<float>(best);
      }
  sij::joint::JointFinding f;
  f.side = "right";
  f.centroid_mm[0] = 20.5;
  f.centroid_mm[1] = 70;
  f.centroid_mm[2] = 11.5;
  ja.joints.push_back(f);
  return ja;
}

TEST(GasClassification, FarGasAlertQuotesTheDistanceBeyondTheDistanceMap) {
  const Scene s = make_scene();
  const auto joints = far_joint(s.after);
  sij::gas::GasInputs inputs;
  inputs.joints = &joints;
  inputs.needles = {needle()};
  inputs.previous = sij::gas::PreviousScan{&s.before, nullptr, {}};
  const auto finding = sij::gas::analyze_gas(s.after, inputs, sij::gas::GasOptions{});
  const sij::gas::GasAlert* far = nullptr;
  for (const auto& a : finding.alerts) {
    if (a.code == "gas_far_from_joint") far = &a;
  }
  ASSERT_NE(far, nullptr);
  // The farthest gas voxel of the deep pocket from the joint's voxels, by brute force; the
  // pocket near the skin lies farther still (x = 98, y = 123 against the joint at x = 21, y = 80).
  double truth = 0.0;
  for (int z = 10; z <= 13; ++z)
    for (int y = 121; y <= 123; ++y)
      for (int x = 95; x <= 98; ++x) {
        double best = 1e30;
        for (const auto& p : joints.joint_points_mm[0]) best = std::min<double>(best, std::hypot(p[0] - x, p[1] - y, p[2] - z));
        truth = std::max(truth, best);
      }
  // Up to 512 voxels are measured: the quoted distance is within a voxel of the truth.
  EXPECT_NEAR(far->distance_from_joint_mm, truth, 1.5);
  EXPECT_GT(far->distance_from_joint_mm, 40.0);
}

}  // namespace
