// The fence marker on the planning scan: parallel metal rods lying on the skin along the
// patient's head-foot (z) axis. The physician marks the entry point by rod number and by the
// table position (the gantry laser) or the distance from the rods' cranial ends.
//
// Numbering (the convention of the whole program, printed in every report): seen from the
// foot of the table with the patient prone, rods are numbered from the viewer's left to
// right. For a prone patient the viewer's left is the patient's LEFT, so rod 1 is the rod
// farthest to the patient's left (largest LPS x) and numbers grow towards the patient's right.
//
// Detection: rod voxels are bright (>= rod_min_hu) and lie within max_skin_distance_mm of the
// air outside the body (body = HU above the body threshold, holes filled per slice), so bone
// and the needle inside the body never qualify. 26-connected pieces that are thin and run
// within max_angle_to_z_deg of z are grouped into rods (pieces on one line join); each rod's
// centre line is fitted through per-slice intensity-weighted centroids (sub-voxel), and its
// ends are placed from the rod's integrated cross-section per slice (a slice half covered by
// the rod holds half the plateau), when they lie inside the volume.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "calib/ScannerProfile.h"
#include "kernels/core/Backend.h"
#include "pipeline/Volume.h"

namespace sij::calib {

inline constexpr const char* kFenceNumbering =
    "rod 1 is farthest to the patient's left (largest LPS x); numbers grow towards the patient's right "
    "(prone patient seen from the foot of the table: left to right)";

struct FenceRod {
  int number = 0;                        // 1 .. N, see kFenceNumbering
  double point_mm[3] = {0, 0, 0};        // a point on the centre line (LPS), at the volume's mid slice
  double direction[3] = {0, 0, 1};       // unit, towards the head (+z)
  double cranial_end_mm[3] = {0, 0, 0};  // the rod's cranial end, or where it leaves the volume
  double caudal_end_mm[3] = {0, 0, 0};
  bool cranial_end_in_view = false;      // false: the rod runs out of the volume at the top
  bool caudal_end_in_view = false;
  double visible_length_mm = 0.0;        // between the two ends above
  double peak_hu = 0.0;                  // median of the per-slice maxima
  double fit_rms_mm = 0.0;               // RMS distance of the per-slice centroids from the line
  int slices = 0;                        // slices that gave a centroid

  // The centre line's point at LPS height z (the rods run along z).
  void at_z(double z_mm, double out_mm[3]) const;
};

struct Fence {
  std::vector<FenceRod> rods;            // in rod-number order
  int expected_rod_count = 0;            // from the profile
  double mean_spacing_mm = 0.0;          // lateral (x) distance between neighbouring rods, at the mid slice
  std::string numbering = kFenceNumbering;
  std::vector<std::string> warnings;     // e.g. fewer rods than the fence has (cut by the field of view)
};

struct FenceOptions {
  FenceModel model;
  std::int16_t body_hu = -400;
  std::int16_t metal_hu = 2500;  // steel: a needle near a rod hides it on those slices
  Backend backend = Backend::Cpu;
};

FenceOptions fence_options_from(const ScannerProfile& profile);

// No rods found is a normal answer (an empty fence).
Fence detect_fence(const Volume& volume, const FenceOptions& options);

}  // namespace sij::calib
