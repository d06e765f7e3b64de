// The patient: an analytic prone pelvis in millimetres, in the "body frame" (the LPS frame of
// the planning scan; later scans see it moved by a small rigid motion).
//
// x: patient left (+), y: posterior (+, up for a prone patient), z: superior (+).
// Every structure is an implicit function, so any grid samples the same patient and the
// renderer can supersample boundary voxels for partial volume.
#pragma once

#include <cstdint>
#include <vector>

#include "datasets/phantom/Materials.h"
#include "datasets/phantom/Math.h"
#include "datasets/phantom/Random.h"

namespace sij::phantom {

struct BodySpec {
  double a_mm = 150;            // half width (left-right)
  double b_ant_mm = 118;        // centre to anterior skin
  double b_post_mid_mm = 110;   // centre to posterior skin at the midline
  double yc_mm = -45;           // body centre (y)
  double p = 2.4;               // superellipse exponent
  double gluteal_mm = 20;       // height of the gluteal mounds
  double cleft_mm = 6;          // natal cleft depth
  double skin_mm = 2;
  double fat_post_mm = 18, fat_lat_mm = 20, fat_ant_mm = 20;
  double taper_per_mm = 0.001;  // relative widening per mm towards the head
};

// One sacroiliac joint in its own frame: u along the joint in the axial plane from the
// posterior opening (u = 0) to the anterior end (u = length), n across it towards the ilium.
struct JointSpec {
  double sign = 1;              // +1 patient left (+x), -1 patient right
  double x_open_mm = 32;        // |x| of the posterior opening at z = zc
  double y_open_mm = 25;        // y of the posterior opening at z = zc
  double zc_mm = 0;             // craniocaudal centre of the joint
  double alpha_deg = 22;        // angle to the sagittal plane
  double length_mm = 42;        // axial (u) extent
  double height_mm = 50;        // craniocaudal extent
  double gap_mm = 2.5;          // joint-space width
  double bow_mm = 2.5;          // curvature of the articular surfaces
  double undulation_mm = 0.4;   // surface irregularity amplitude
  double phase1 = 0, phase2 = 0;
  double kx = 0.12, ky = 0.25;  // the joint narrows and moves posteriorly towards the feet
  double ilium_thickness_mm = 18;
  double ilium_post_mm = 13;    // how far the ilium reaches behind the opening
  double wing_angle_deg = 35, wing_length_mm = 60;
};

struct BowelLoop {
  Vec3 a, b;                    // axis end points
  double radius_mm = 10;
  double wall_mm = 2;
  double gas_level = 0.3;       // gas where (y - axis y) > gas_level * radius (gas rises: +y)
  bool faeces = false;          // mottled content with small bubbles
};

struct FenceSpec {
  std::vector<Vec3> rod_a, rod_b;  // rods (segments) lying on the skin, along z
  double rod_radius_mm = 0.75;
  double spacing_mm = 10;
};

// Gas injected under pressure widening one joint's space (the post-injection scan of the
// "distended" scenario): the gap grows by up to extra_gap_mm over an ellipse in the joint's
// (u, z) coordinates, smoothly to nothing at its rim: extra * (1 - rho^2)^2, rho < 1.
struct JointDistension {
  bool active = false;
  int side = 0;
  double u0_mm = 0, z0_mm = 0, ru_mm = 1, rz_mm = 1;
  double extra_gap_mm = 0;
  double extra_at(double u, double z) const {
    const double du = (u - u0_mm) / ru_mm, dz = (z - z0_mm) / rz_mm;
    const double t = 1.0 - (du * du + dz * dz);
    return t > 0 ? extra_gap_mm * t * t : 0.0;
  }
};

struct AnatomySpec {
  BodySpec body;
  JointSpec joint[2];           // [0] left, [1] right
  double cortical_mm = 1.2;
  double sacrum_post_rise_mm = 10;
  double sacrum_ant_curv = 0.006;
  std::vector<BowelLoop> bowel;
  double table_top_y_mm = -165; // fixed in the scanner (LPS), not in the body frame
  FenceSpec fence;
  std::uint64_t texture_seed = 1;
  JointDistension distension;   // inactive except after a distending injection
};

// Draws a patient. `min_gap_mm`..`max_gap_mm` bound the joint-space width.
AnatomySpec draw_anatomy(Rng& rng, double min_gap_mm, double max_gap_mm);

// Local joint coordinates of a body-frame point.
struct JointCoords {
  double u = 0, n = 0, d = 0;   // d: signed distance-like offset from the mid-surface (+ ilium)
  double half_gap = 0;          // local half width of the gap (wider outside the joint)
  double box_sd = 0;            // rounded-box signed distance in (u, z): <= 0 inside the joint
};

struct Sample {
  Material material = kAir;
  float hu = -1000.f;
};

class Anatomy {
 public:
  explicit Anatomy(AnatomySpec spec);
  const AnatomySpec& spec() const { return spec_; }

  // Tissue at body-frame point q (the table is not here: it is fixed in the scanner).
  Sample eval(const Vec3& q) const;
  // The table at a scanner (LPS) point; kAir where there is none.
  Sample eval_table(const Vec3& p_lps) const;

  bool inside_body(const Vec3& q) const;
  double skin_y(double x, double z) const;  // posterior skin surface
  bool is_bone(const Vec3& q) const;
  JointCoords joint_coords(int side, const Vec3& q) const;
  // Inside the joint space (the gap within the joint's extent), either side.
  bool in_joint_space(const Vec3& q, int* side = nullptr) const;
  // Signed distance (mm) from q to side's joint space: negative inside. Measured in the
  // joint's curvilinear frame (exact for a flat joint; within a few percent for the bow used).
  double joint_signed_distance(int side, const Vec3& q) const;
  // Point on the joint mid-surface at (u, z) in the body frame.
  Vec3 joint_mid_point(int side, double u, double z) const;
  // The sacrum's anterior and posterior surfaces (y of the surface at x, z).
  double sacrum_anterior_y(double x, double z) const;
  double sacrum_posterior_y(double x, double z) const;

 private:
  double bone_margin(const Vec3& q, const JointCoords jc[2], bool* is_sacrum) const;
  double body_b(double x, double y, double z, double shrink_post, double shrink_ant) const;
  AnatomySpec spec_;
  double sin_a_[2] = {0, 0}, cos_a_[2] = {1, 1}, sin_w_[2] = {0, 0}, cos_w_[2] = {1, 1};
  double fence_y_min_ = 1e9, fence_z_min_ = 1e9, fence_z_max_ = -1e9;
};

}  // namespace sij::phantom
