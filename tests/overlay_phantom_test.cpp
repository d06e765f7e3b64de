// The PNG overlays on a test-size phantom (post-injection scan, needle in the right joint) with
// the gas mask taken from the phantom's labels: files decode at the expected size, the tip
// pixel is drawn in the needle colour, the joint outline lies on the joint mask (ours and the
// phantom's), gas pixels are coloured by class, and the no-needle / no-joint / no-gas,
// anisotropic-spacing and bad-input cases.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "overlay_phantom_fixture.h"
#include "pipeline/report/AxialOverlay.h"
#include "pipeline/report/GasProjection.h"
#include "pipeline/report/JointReformat.h"
#include "pipeline/report/Overlays.h"

namespace fs = std::filesystem;
using sij::report::AxialOverlay;
using sij::report::OverlayError;

namespace {

bool is_colour(const cv::Vec3b& p, const cv::Scalar& c) { return p[0] == c[0] && p[1] == c[1] && p[2] == c[2]; }

// Cyan-ish (injected gas blended over grey) and orange-ish (pre-existing): the blend keeps the
// colour's channel order whatever the grey underneath.
bool looks_injected(const cv::Vec3b& p) { return p[0] > p[2] + 60 && p[1] > p[2] + 60; }
bool looks_preexisting(const cv::Vec3b& p) { return p[2] > p[0] + 60 && p[1] > p[0] + 20; }

class OverlayPhantomTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sij::test::report_phantom(); }
  const sij::test::ReportPhantom& ph() { return sij::test::report_phantom(); }
  fs::path out_dir(const std::string& name) { return ph().root / ("overlays_" + name); }
};

TEST_F(OverlayPhantomTest, WritesDecodablePngsAtTheExpectedSize) {
  const auto& p = ph();
  ASSERT_FALSE(p.report.needles.empty()) << "the phantom's needle was not found";
  ASSERT_FALSE(p.report.joints.empty()) << "the phantom's joint was not found";
  const auto files = sij::report::write_overlays(p.report, out_dir("all"));
  ASSERT_GE(files.size(), 3u);
  EXPECT_EQ(files.front().filename(), "axial.png");
  EXPECT_EQ(files.back().filename(), "gas_projection.png");
  for (const auto& f : files) {
    const cv::Mat image = cv::imread(f.string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(image.empty()) << f;
    EXPECT_GE(std::max(image.cols, image.rows), 360) << f;
  }
  // Axial: a 120 mm square field (the default) at an integer magnification of the in-plane
  // spacing (isotropic here), the slice on top and the panel below.
  const auto& g = p.volume->grid;
  const cv::Mat axial = cv::imread(files.front().string(), cv::IMREAD_COLOR);
  const int field = std::min(g.nx, static_cast<int>(std::lround(120.0 / g.sx_mm)));
  const int zoom = static_cast<int>(std::ceil(480.0 / field));
  EXPECT_EQ(axial.cols, field * zoom);
  EXPECT_GT(axial.rows, field * zoom);
  const AxialOverlay overlay = sij::report::render_axial_overlay(p.report, *p.volume);
  EXPECT_EQ(overlay.field.width, field);
  EXPECT_EQ(overlay.field.height, field);
  // The whole slice on request.
  sij::report::OverlayOptions whole;
  whole.axial_field_mm = 0;
  const AxialOverlay full = sij::report::render_axial_overlay(p.report, *p.volume, whole);
  const int full_zoom = static_cast<int>(std::ceil(480.0 / std::max(g.nx, g.ny)));
  EXPECT_EQ(full.image_size, cv::Size(g.nx * full_zoom, g.ny * full_zoom));
  int reformats = 0;
  for (const auto& f : files) reformats += f.filename().string().rfind("reformat_", 0) == 0;
  EXPECT_EQ(reformats, static_cast<int>(p.report.joints.size()));
}

TEST_F(OverlayPhantomTest, TipPixelIsDrawnInTheNeedleColour) {
  const auto& p = ph();
  ASSERT_FALSE(p.report.needles.empty());
  const auto files = sij::report::write_overlays(p.report, out_dir("tip"));
  const cv::Mat axial = cv::imread(files.front().string(), cv::IMREAD_COLOR);
  // The tip's voxel index, by the volume's affine, to output pixels at the PNG's own scale.
  const auto& g = p.volume->grid;
  double index[3];
  p.volume->affine.physical_to_index(g, p.report.needles.front().needle.tip_mm, index);
  // The field is centred on the tip (within a voxel, unless clamped at the slice's edge).
  const AxialOverlay overlay = sij::report::render_axial_overlay(p.report, *p.volume);
  const cv::Rect& field = overlay.field;
  EXPECT_TRUE(field.contains(cv::Point(static_cast<int>(index[0]), static_cast<int>(index[1]))));
  const double scale = double(overlay.image_size.width) / field.width;
  const int px = static_cast<int>(std::lround((index[0] - field.x + 0.5) * scale - 0.5));
  const int py = static_cast<int>(std::lround((index[1] - field.y + 0.5) * scale - 0.5));
  EXPECT_TRUE(is_colour(axial.at<cv::Vec3b>(py, px), sij::report::colour::kNeedle))
      << "pixel (" << px << ", " << py << ") = " << axial.at<cv::Vec3b>(py, px);
  // And the slice shown is the one through the tip.
  EXPECT_EQ(overlay.slice_z, static_cast<int>(std::lround(index[2])));
}

TEST_F(OverlayPhantomTest, JointOutlineLiesOnTheJointMask) {
  const auto& p = ph();
  ASSERT_TRUE(p.report.joint_analysis);
  const AxialOverlay overlay = sij::report::render_axial_overlay(p.report, *p.volume);
  const auto& g = p.volume->grid;
  const auto& ja = *p.report.joint_analysis;
  const int z = overlay.slice_z;
  int joint_voxels = 0;
  for (int y = 0; y < g.ny; ++y)
    for (int x = 0; x < g.nx; ++x) joint_voxels += ja.joint_label_at(x, y, z) != 0;
  ASSERT_GT(joint_voxels, 0) << "no joint in the tip's slice";

  int green = 0, on_ours = 0, near_truth = 0;
  for (int r = 0; r < overlay.image_size.height; ++r)
    for (int c = 0; c < overlay.image_size.width; ++c) {
      if (!is_colour(overlay.image.at<cv::Vec3b>(r, c), sij::report::colour::kJoint)) continue;
      ++green;
      const int x = overlay.field.x + static_cast<int>(std::lround((c + 0.5) / overlay.px_per_voxel_x - 0.5));
      const int y = overlay.field.y + static_cast<int>(std::lround((r + 0.5) / overlay.px_per_voxel_y - 0.5));
      on_ours += ja.joint_label_at(x, y, z) != 0;
      bool truth = false;  // the phantom's joint label within one voxel
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          if (g.contains(x + dx, y + dy, z)) truth |= (p.labels[g.index(x + dx, y + dy, z)] & 1) != 0;
      near_truth += truth;
    }
  ASSERT_GT(green, 20);
  // Outline pixels are the mask's own border pixels (a tip or gas drawn on top may hide some).
  EXPECT_EQ(on_ours, green);
  EXPECT_GE(near_truth, 0.8 * green) << near_truth << " of " << green << " outline pixels near the true joint";
}

TEST_F(OverlayPhantomTest, GasIsColouredByClass) {
  const auto& p = ph();
  const AxialOverlay overlay = sij::report::render_axial_overlay(p.report, *p.volume);
  const auto& g = p.volume->grid;
  const int z = overlay.slice_z;
  int injected = 0, injected_cyan = 0;
  for (int y = 0; y < g.ny; ++y)
    for (int x = 0; x < g.nx; ++x) {
      if (p.report.gas.mask[g.index(x, y, z)] != sij::gas::kInjected || !overlay.field.contains({x, y})) continue;
      const cv::Point2d c = overlay.to_pixel(x, y);
      const cv::Vec3b px = overlay.image.at<cv::Vec3b>(static_cast<int>(std::lround(c.y)), static_cast<int>(std::lround(c.x)));
      ++injected;
      injected_cyan += looks_injected(px);
    }
  ASSERT_GT(injected, 0) << "no injected gas in the tip's slice";
  // Drawn lines (needle, outline) cover a few voxel centres; the rest show the gas colour.
  EXPECT_GE(injected_cyan, 0.8 * injected);

  // The projection shows both classes when both are in the volume.
  const cv::Mat projection = sij::report::render_gas_projection(p.report, *p.volume);
  int cyan = 0, orange = 0;
  for (int r = 0; r < projection.rows; ++r)
    for (int c = 0; c < projection.cols; ++c) {
      cyan += looks_injected(projection.at<cv::Vec3b>(r, c));
      orange += looks_preexisting(projection.at<cv::Vec3b>(r, c));
    }
  const bool has_bowel = std::any_of(p.labels.begin(), p.labels.end(), [](std::uint8_t l) { return (l & 4) && !(l & 2); });
  EXPECT_GT(cyan, 0);
  if (has_bowel) {
    EXPECT_GT(orange, 0);
  }

  // The reformat along the gas's joint shows injected gas within the slab.
  for (std::size_t j = 0; j < p.report.joints.size(); ++j) {
    if (p.report.joints[j].side != p.report.gas.joint_side) continue;
    const auto reformat = sij::report::render_joint_reformat(p.report, *p.volume, j);
    ASSERT_TRUE(reformat.has_value());
    int reformat_cyan = 0;
    for (int r = 0; r < reformat->rows; ++r)
      for (int c = 0; c < reformat->cols; ++c) reformat_cyan += looks_injected(reformat->at<cv::Vec3b>(r, c));
    EXPECT_GT(reformat_cyan, 100);
  }
}

TEST_F(OverlayPhantomTest, NoNeedleNoJointNoGas) {
  const auto& p = ph();
  sij::analysis::ScanReport bare = p.report;
  bare.needles.clear();
  bare.joints.clear();
  bare.joint_analysis.reset();
  bare.gas = sij::gas::GasFinding{};
  const auto files = sij::report::write_overlays(bare, out_dir("bare"));
  ASSERT_EQ(files.size(), 2u);  // axial and projection; no joint, no reformat
  const AxialOverlay overlay = sij::report::render_axial_overlay(bare, *p.volume);
  EXPECT_EQ(overlay.slice_z, p.volume->grid.nz / 2);
  const cv::Mat slice = overlay.image(cv::Rect({0, 0}, overlay.image_size));
  int needle = 0, joint = 0;
  for (int r = 0; r < slice.rows; ++r)
    for (int c = 0; c < slice.cols; ++c) {
      needle += is_colour(slice.at<cv::Vec3b>(r, c), sij::report::colour::kNeedle);
      joint += is_colour(slice.at<cv::Vec3b>(r, c), sij::report::colour::kJoint);
    }
  EXPECT_EQ(needle, 0);
  EXPECT_EQ(joint, 0);

  // Gas but no needle: the slice with the most injected gas.
  sij::analysis::ScanReport gas_only = bare;
  gas_only.gas = p.report.gas;
  const auto& g = p.volume->grid;
  int best_z = -1;
  long best = 0;
  for (int z = 0; z < g.nz; ++z) {
    long n = 0;
    for (int y = 0; y < g.ny; ++y)
      for (int x = 0; x < g.nx; ++x) n += gas_only.gas.mask[g.index(x, y, z)] == sij::gas::kInjected;
    if (n > best) best = n, best_z = z;
  }
  EXPECT_EQ(sij::report::render_axial_overlay(gas_only, *p.volume).slice_z, best_z);
}

TEST_F(OverlayPhantomTest, AnisotropicSpacingGivesSquarePixels) {
  const auto& p = ph();
  ASSERT_FALSE(p.report.needles.empty());
  // The same voxels, rows 1.6 times farther apart: the picture stretches, the tip follows.
  sij::Volume stretched = *p.volume;
  stretched.grid.sy_mm *= 1.6f;
  sij::analysis::ScanReport report = p.report;
  report.grid = stretched.grid;
  report.joint_analysis.reset();
  report.joints.clear();
  report.gas.mask.clear();
  double index[3];
  p.volume->affine.physical_to_index(p.volume->grid, p.report.needles.front().needle.tip_mm, index);
  auto& n = report.needles.front().needle;
  stretched.affine.index_to_physical(stretched.grid, index, n.tip_mm);
  const double entry_index[3] = {index[0], index[1] - 20, index[2]};
  stretched.affine.index_to_physical(stretched.grid, entry_index, n.entry_mm);
  sij::report::OverlayOptions whole;
  whole.axial_field_mm = 0;
  const AxialOverlay overlay = sij::report::render_axial_overlay(report, stretched, whole);
  const double expected_ratio = (stretched.grid.ny * stretched.grid.sy_mm) / (stretched.grid.nx * stretched.grid.sx_mm);
  EXPECT_NEAR(double(overlay.image_size.height) / overlay.image_size.width, expected_ratio, 0.01);
  EXPECT_NEAR(overlay.px_per_voxel_y / overlay.px_per_voxel_x, 1.6, 0.01);
  const cv::Point2d tip = overlay.to_pixel(index[0], index[1]);
  EXPECT_TRUE(is_colour(overlay.image.at<cv::Vec3b>(static_cast<int>(std::lround(tip.y)), static_cast<int>(std::lround(tip.x))),
                        sij::report::colour::kNeedle));
}

TEST_F(OverlayPhantomTest, BadInputIsATypedError) {
  const auto& p = ph();
  sij::analysis::ScanReport no_volume = p.report;
  no_volume.volume.reset();
  EXPECT_THROW(sij::report::write_overlays(no_volume, out_dir("none")), OverlayError);
  sij::analysis::ScanReport wrong_mask = p.report;
  wrong_mask.gas.mask.resize(10);
  EXPECT_THROW(sij::report::render_axial_overlay(wrong_mask, *p.volume), OverlayError);
  // An unwritable folder: a path under a regular file.
  const fs::path file = p.root / "not_a_folder";
  { std::ofstream(file) << "x"; }
  EXPECT_THROW(sij::report::write_overlays(p.report, file / "sub"), OverlayError);
}

}  // namespace
