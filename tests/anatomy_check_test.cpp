// The anatomy checks behind "anatomy before answers": enclosed air per slice against a count
// by hand, the sacroiliac plausibility rule, and metal too thick for a 22G needle.
#include <gtest/gtest.h>

#include <cmath>

#include "pipeline/joint/AnatomyCheck.h"
#include "pipeline/needle/MetalCandidates.h"
#include "pipeline/needle/VolumeOnBackend.h"

namespace {

sij::Volume blank(std::int32_t nx, std::int32_t ny, std::int32_t nz, float s, std::int16_t hu) {
  sij::Volume v;
  v.grid.nx = nx;
  v.grid.ny = ny;
  v.grid.nz = nz;
  v.grid.sx_mm = v.grid.sy_mm = v.grid.sz_mm = s;
  v.hu.assign(static_cast<std::size_t>(v.grid.voxel_count()), hu);
  return v;
}

TEST(AnatomyCheck, EnclosedAirCountsAirInsideTheBodyOnly) {
  sij::Volume v = blank(120, 100, 1, 0.5f, -1000);
  std::int64_t expected = 0;
  for (std::int32_t y = 0; y < 100; ++y)
    for (std::int32_t x = 0; x < 120; ++x) {
      const double r = std::hypot(x - 60.0, y - 50.0);
      if (r > 45) continue;  // outside air, touching the border
      const bool lung = (x >= 30 && x < 50 && y >= 30 && y < 70) || (x >= 70 && x < 88 && y >= 35 && y < 60);
      v.hu[static_cast<std::size_t>(v.grid.index(x, y, 0))] = lung ? -850 : 40;
      expected += lung;
    }
  EXPECT_DOUBLE_EQ(sij::joint::enclosed_air_cm2(v, 0, -600), expected * 0.25 * 0.01);
  EXPECT_DOUBLE_EQ(sij::joint::enclosed_air_cm2(v, 0, -600, sij::Backend::Emulated), expected * 0.25 * 0.01);
  EXPECT_DOUBLE_EQ(sij::joint::enclosed_air_cm2(v, 5, -600), 0.0);  // outside the volume
}

TEST(AnatomyCheck, JointFarFromTheMidlineOrBesideLungsIsNoSacroiliacJoint) {
  sij::Volume v = blank(40, 40, 40, 1.0f, 40);
  sij::anatomy::BodyMidline mid;
  mid.known = mid.estimated = true;
  mid.x_mm = 0.0;
  sij::joint::AnatomyCheckOptions options;
  const double sij_like[3] = {40.0, 20.0, 20.0}, shoulder[3] = {140.0, 20.0, 20.0}, on_midline[3] = {2.0, 20.0, 20.0};
  EXPECT_TRUE(sij::joint::check_sacroiliac_anatomy(v, sij_like, mid, options).plausible);
  const auto far = sij::joint::check_sacroiliac_anatomy(v, shoulder, mid, options);
  EXPECT_FALSE(far.plausible);
  EXPECT_NE(far.reason.find("no pelvis in view"), std::string::npos);
  EXPECT_FALSE(sij::joint::check_sacroiliac_anatomy(v, on_midline, mid, options).plausible);
  // Only an estimate of the midline (the field of view cuts the body): the far bound widens.
  mid.known = false;
  const double hip_like[3] = {100.0, 20.0, 20.0};
  EXPECT_TRUE(sij::joint::check_sacroiliac_anatomy(v, hip_like, mid, options).plausible);
  EXPECT_FALSE(sij::joint::check_sacroiliac_anatomy(v, shoulder, mid, options).plausible);
  // A slice full of enclosed air (lungs) near the joint.
  mid.known = true;
  for (std::int32_t y = 5; y < 35; ++y)
    for (std::int32_t x = 5; x < 35; ++x) v.hu[static_cast<std::size_t>(v.grid.index(x, y, 20))] = -900;
  options.max_enclosed_air_cm2 = 5.0;  // the slice holds 9 cm^2
  EXPECT_FALSE(sij::joint::check_sacroiliac_anatomy(v, sij_like, mid, options).plausible);
}

TEST(MetalCandidates, ThickMetalIsHardwareAndAThinShaftIsNot) {
  sij::Volume v = blank(120, 120, 60, 0.8f, 40);
  // A 22G shaft with blooming: one voxel thick, along x at y = 30, z = 30.
  for (std::int32_t x = 10; x < 100; ++x) v.hu[static_cast<std::size_t>(v.grid.index(x, 30, 30))] = 3000;
  // A 6.5 mm screw along x at y = 90, z = 30 (radius 3.25 mm).
  for (std::int32_t z = 0; z < 60; ++z)
    for (std::int32_t y = 0; y < 120; ++y)
      for (std::int32_t x = 20; x < 70; ++x)
        if (std::hypot((y - 90) * 0.8, (z - 30) * 0.8) <= 3.25) v.hu[static_cast<std::size_t>(v.grid.index(x, y, z))] = 3000;
  sij::needle::NeedleOptions options;
  const sij::needle::VolumeOnBackend vb(v, sij::Backend::Cpu);
  const auto cand = sij::needle::extract_metal_candidates(vb, options);
  ASSERT_EQ(cand.components.size(), 2u);
  EXPECT_EQ(cand.hardware_rejected, 1);
  int thin = 0, thick = 0;
  for (const auto& c : cand.components) {
    if (c.hardware) {
      ++thick;
      EXPECT_GT(c.thickness_mm, 4.0);
      EXPECT_NEAR(c.cross_section_mm2, 3.14159 * 3.25 * 3.25, 8.0);
    } else {
      ++thin;
      EXPECT_LT(c.cross_section_mm2, 1.0);
    }
  }
  EXPECT_EQ(thin, 1);
  EXPECT_EQ(thick, 1);
  // Only the shaft's voxels remain as line-fit points.
  EXPECT_EQ(cand.weights.size(), 90u);
}

}  // namespace
