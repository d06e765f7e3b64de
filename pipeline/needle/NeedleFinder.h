// Needle stage: every coaxial trocar in a scan, with a sub-voxel tip.
//
// Metal candidates (HU well above cortical bone; connected components, elongated, not parallel
// to the body axis like the fence rods) -> straight-line support by RANSAC in LPS mm ->
// intensity-weighted PCA in a thin cylinder -> tip where the intensity profile along the axis
// falls half-way between the needle plateau and the local background (so metal blooming does
// not lengthen the needle) -> entry where the axis crosses the skin. A second needle
// (bilateral procedures) by repeated extraction without the first one's support. Fence rods
// (on the skin, parallel to the z axis and to each other), cortical bone, the table,
// calcifications and streaks are not needles. "No needle" is a normal answer (an empty list).
// The method and every field are described in docs/report.md ("Needle").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/Backend.h"
#include "pipeline/Volume.h"

namespace sij::needle {

struct NeedleOptions {
  // Voxels at or above this HU are metal candidates. A 22G steel shaft with partial volume and
  // blur still peaks far above cortical bone (about 1200-1500 HU) and above the aluminium fence
  // rods (about 2200 HU), and 12-bit scanners clip it at 3071.
  std::int16_t metal_threshold_hu = 2500;
  double needle_diameter_mm = 0.72;  // 22G
  double min_length_mm = 15.0;       // shorter metal lines are not reported as needles
  int max_needles = 2;               // bilateral procedures
  // A metal line closer than this to the z (head-foot) axis is a fence rod, not a needle: the
  // rods lie on the skin along z; a posteromedial SIJ approach is nearly axial (the
  // craniocaudal angulation is a few degrees to about 25).
  double rod_max_angle_to_z_deg = 35.0;
  // RANSAC: a candidate voxel centre supports a line when this close to it (needle radius plus
  // blooming plus half a voxel diagonal).
  double inlier_distance_mm = 1.2;
  // Refinement: voxels within this radius of the RANSAC axis, weighted by HU above
  // refine_floor_hu, enter the intensity-weighted PCA.
  double cylinder_radius_mm = 1.6;
  std::int16_t refine_floor_hu = 1700;
  // Tip: profile step along the axis, and the shaft stretch (behind the tip) whose median is
  // the needle plateau.
  double profile_step_mm = 0.1;
  double plateau_from_mm = 3.0, plateau_to_mm = 10.0;  // behind the bright end
  double background_from_mm = 2.0, background_to_mm = 6.0;  // beyond the bright end
  // Skin: the body is HU above body_threshold_hu; the axis leaves the body where the trimmed
  // mean of a ring of samples around it (ring_radius_mm) falls half-way from the tissue level
  // to the air level.
  std::int16_t body_threshold_hu = -400;
  double ring_radius_mm = 1.5;
  // Metal that is not a trocar (orthopaedic nails and screws, pedicle screws, stents): a 22G
  // shaft with its blooming is about 1 mm thick above the metal threshold (our phantom: 1.0-1.2
  // mm, 0.1-0.2 mL for the whole needle); a screw is 5-8 mm thick, a femoral nail 10 mm and
  // more. A metal component thicker than max_needle_thickness_mm (or 1.5 voxels, on coarse
  // scans), with a mean cross-section above max_needle_cross_section_mm2 (or 1.5 in-plane
  // voxels), or holding more than max_needle_metal_ml is hardware: never a needle, reported as
  // a metal object of its side, and the gas stage reads the dark streaks around it as artefact.
  double max_needle_thickness_mm = 4.0;
  double max_needle_cross_section_mm2 = 10.0;
  double max_needle_metal_ml = 1.5;
  Backend backend = Backend::Cpu;
};

struct NeedleFinding {
  int id = 0;                         // 1, 2, ... in order of detection (most support first)
  double tip_mm[3] = {0, 0, 0};       // LPS
  double entry_mm[3] = {0, 0, 0};     // where the axis crosses the skin, LPS
  bool entry_in_view = false;         // false: the axis left the volume before the skin; entry_mm
                                      // is then where it leaves the volume (length a lower bound)
  double direction[3] = {0, 0, 0};    // unit, from entry to tip
  double inserted_length_mm = 0.0;    // entry to tip
  double angle_to_axial_deg = 0.0;    // craniocaudal tilt out of the axial plane, + towards the head
  double angle_in_axial_deg = 0.0;    // in-plane angle from the posterior-anterior axis, + towards patient left
  std::string side;                   // "left" or "right": the patient's side of the target joint
  std::string side_rule;              // "tip_vs_body_midline" or "heading" (see docs/report.md)
  // One standard deviation of the tip along the axis: the profile's own terms (half its step
  // plus the fit rms) combined with the sampling limit of the grid along the needle (the voxel's
  // extent along the axis over sqrt(12)): a 3 mm voxel cannot place a tip to 0.05 mm.
  double tip_uncertainty_mm = 0.0;
  double tip_plateau_hu = 0.0;        // needle plateau of the tip profile (median over the shaft)
  double tip_background_hu = 0.0;     // local background beyond the tip
  bool plateau_clipped = false;       // the scanner range clipped the steel (>= 10% of the metal
                                      // voxels at exactly the top HU, e.g. 3071): the plateau is the
                                      // clip level and the tip may sit up to about 0.5 mm too deep
  std::int64_t metal_voxels = 0;      // support of the line (RANSAC inliers)
  double fit_rms_mm = 0.0;            // intensity-weighted RMS distance of the cylinder voxels
  double visible_length_mm = 0.0;     // metal seen along the axis (inside and outside the body)
};

// Metal that is not a needle (see NeedleOptions::max_needle_thickness_mm).
struct MetalObject {
  double centroid_mm[3] = {0, 0, 0};  // LPS
  double box_min_mm[3] = {0, 0, 0};   // LPS bounding box of its voxel centres
  double box_max_mm[3] = {0, 0, 0};
  double volume_ml = 0.0;             // above the metal threshold
  double length_mm = 0.0, thickness_mm = 0.0;
  std::string side;                   // "left" / "right" of the body's midline, "" when unknown
};

struct NeedleStage {
  std::vector<NeedleFinding> needles;
  std::vector<MetalObject> hardware;  // metal that is not a trocar
};

// Finds up to options.max_needles needles, and the metal that is not one. Never throws for
// "nothing found".
NeedleStage find_needles_and_hardware(const Volume& volume, const NeedleOptions& options);

// The needles alone.
std::vector<NeedleFinding> find_needles(const Volume& volume, const NeedleOptions& options);

}  // namespace sij::needle
