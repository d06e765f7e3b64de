// Phantom generator parts, without rendering: needle planning per scenario, the metal
// artifact physics, the noise, the UIDs.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>
#include <vector>

#include "datasets/phantom/Anatomy.h"
#include "datasets/phantom/Materials.h"
#include "datasets/phantom/MetalArtifact.h"
#include "datasets/phantom/Needle.h"
#include "datasets/phantom/Noise.h"
#include "datasets/phantom/Uid.h"

namespace sij::phantom {
namespace {

TEST(PhantomNeedle, PlannedTipMatchesScenario) {
  int in_joint = 0, short_of = 0, on_bone = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    for (int side = 0; side < 2; ++side) {
      for (const Scenario sc : {Scenario::InJoint, Scenario::ShortOfJoint, Scenario::BoneContact}) {
        Rng rng(seed * 100 + side);
        const Anatomy anatomy(draw_anatomy(rng, 1.0, 4.0));
        const NeedlePlan p = plan_needle(anatomy, rng, side, sc);
        SCOPED_TRACE(::testing::Message() << "seed " << seed << " side " << side << " " << scenario_name(sc));
        EXPECT_NEAR(norm(p.dir), 1.0, 1e-9);
        // The entry is on the skin: inside just past it, outside just before it.
        EXPECT_TRUE(anatomy.inside_body(p.entry_mm + p.dir * 0.05));
        EXPECT_FALSE(anatomy.inside_body(p.entry_mm - p.dir * 0.05));
        EXPECT_GT(p.depth_mm, 25.0);
        EXPECT_LT(p.depth_mm, p.length_mm - 10.0);  // the hub stays outside
        // No bone on the way in.
        for (double t = 0; t < p.depth_mm - 0.3; t += 0.25) {
          ASSERT_FALSE(anatomy.is_bone(p.entry_mm + p.dir * t)) << "bone at " << t << " mm";
        }
        const double dist = anatomy.joint_signed_distance(side, p.tip_mm);
        switch (p.scenario) {
          case Scenario::InJoint:
            ++in_joint;
            EXPECT_TRUE(anatomy.in_joint_space(p.tip_mm));
            EXPECT_LT(dist, 0.0);
            break;
          case Scenario::ShortOfJoint:
            ++short_of;
            EXPECT_FALSE(anatomy.in_joint_space(p.tip_mm));
            EXPECT_GT(dist, 0.5);
            EXPECT_LT(dist, 12.0);
            break;
          case Scenario::BoneContact:
            ++on_bone;
            EXPECT_TRUE(anatomy.is_bone(p.tip_mm + p.dir * 0.3));
            EXPECT_FALSE(anatomy.is_bone(p.tip_mm));
            EXPECT_FALSE(p.contact_bone.empty());
            break;
        }
      }
    }
  }
  // Each requested scenario must mostly come out as asked.
  EXPECT_GE(in_joint, 18);
  EXPECT_GE(short_of, 18);
  EXPECT_GE(on_bone, 18);
}

TEST(PhantomAnatomy, JointGapHasBoneOnBothSidesAndIsOblique) {
  Rng rng(42);
  const Anatomy a(draw_anatomy(rng, 1.0, 1.0));  // the narrowest gap allowed later
  for (int side = 0; side < 2; ++side) {
    const JointSpec& j = a.spec().joint[side];
    EXPECT_NEAR(j.gap_mm, 1.0, 1e-12);
    EXPECT_GE(j.alpha_deg, 15.0);  // oblique to the sagittal plane
    EXPECT_GE(j.height_mm, 40.0);
    EXPECT_LE(j.height_mm, 60.0);
    const Vec3 mid = a.joint_mid_point(side, 0.5 * j.length_mm, j.zc_mm);
    EXPECT_TRUE(a.in_joint_space(mid));
    const Vec3 n{j.sign * std::cos(j.alpha_deg * kPi / 180), std::sin(j.alpha_deg * kPi / 180), 0};
    EXPECT_TRUE(a.is_bone(mid + n * 2.0)) << "ilium lateral to the gap";
    EXPECT_TRUE(a.is_bone(mid - n * 2.0)) << "sacrum medial to the gap";
    EXPECT_EQ(a.eval(mid).material, kJointSpace);
  }
}

TEST(PhantomMetal, ArtifactsOnlyWithSteelAndDarkBeyondTheTip) {
  const int n = 128;
  const double ps = 0.8;
  std::vector<float> slice(n * n);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const double dx = (x - 64) * ps, dy = (y - 64) * ps;
      slice[y * n + x] = dx * dx + dy * dy < 45.0 * 45.0 ? 40.f : -1000.f;
    }
  }
  const std::vector<float> ideal = slice;
  MetalArtifactParams mp;
  mp.angles = 120;
  add_metal_artifacts(slice.data(), n, n, ps, {}, mp, 1);
  EXPECT_EQ(slice, ideal) << "no steel, no change";
  std::vector<SteelVoxel> steel;
  for (int x = 50; x < 80; ++x) {
    const int p = 64 * n + x;
    slice[p] = slice[p] * 0.5f + 0.5f * kSteelHu;
    steel.push_back({p, 0.5f});
  }
  const std::vector<float> with_needle = slice;
  add_metal_artifacts(slice.data(), n, n, ps, steel, mp, 1);
  // Beam hardening and starvation: dark along the axis just beyond both ends of the shaft.
  EXPECT_LT(slice[64 * n + 46] - with_needle[64 * n + 46], -100.f);
  EXPECT_LT(slice[64 * n + 84] - with_needle[64 * n + 84], -100.f);
  // The shaft itself reads lower than its ideal value (hardened beam).
  EXPECT_LT(slice[64 * n + 65], with_needle[64 * n + 65] - 500.f);
  // Far away in the tissue the effect is small.
  EXPECT_LT(std::fabs(slice[20 * n + 64] - with_needle[20 * n + 64]), 60.f);
}

TEST(PhantomNoise, RequestedSdAndCorrelated) {
  Grid g;
  g.nx = 96;
  g.ny = 80;
  g.nz = 6;
  std::vector<float> v(g.voxel_count(), 0.f);
  add_correlated_noise(v, g, 15.0, 99);
  double s2 = 0, cx = 0;
  for (int k = 0; k < g.nz; ++k) {
    for (int y = 0; y < g.ny; ++y) {
      for (int x = 0; x + 1 < g.nx; ++x) {
        const double a = v[g.index(x, y, k)], b = v[g.index(x + 1, y, k)];
        s2 += a * a;
        cx += a * b;
      }
    }
  }
  const double sd = std::sqrt(s2 / (g.nz * g.ny * (g.nx - 1)));
  EXPECT_NEAR(sd, 15.0, 0.5);
  EXPECT_GT(cx / s2, 0.2) << "neighbouring pixels must be correlated";
  std::vector<float> again(g.voxel_count(), 0.f);
  add_correlated_noise(again, g, 15.0, 99);
  EXPECT_EQ(v, again);
}

TEST(PhantomUid, ValidDeterministicAndSeedDependent) {
  const std::regex uid_re("^(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*$");
  std::set<std::string> seen;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    for (std::uint64_t kind = 1; kind <= 4; ++kind) {
      const std::string u = derived_uid(seed, kind, 3);
      EXPECT_LE(u.size(), 64u);
      EXPECT_TRUE(std::regex_match(u, uid_re)) << u;
      EXPECT_EQ(u.rfind("2.25.", 0), 0u);
      EXPECT_EQ(u, derived_uid(seed, kind, 3));
      seen.insert(u);
    }
  }
  EXPECT_EQ(seen.size(), 200u);
}

}  // namespace
}  // namespace sij::phantom
