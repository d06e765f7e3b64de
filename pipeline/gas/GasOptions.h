// Thresholds of the gas stage (HU, mm, mL). The defaults are explained where they are used;
// docs/report.md ("Gas") describes the method.
#pragma once

#include <cstdint>


namespace sij::gas {

struct GasOptions {
  // Body: HU above this, hole-filled per slice, largest component.
  std::int16_t body_threshold_hu = -400;
  // Gas: hysteresis inside the body. Voxels at or below the core level are certainly gas
  // (more than ~70% air); edge voxels (partial volume, ~33% air and more) are kept when connected
  // to a core.
  std::int16_t core_threshold_hu = -700;
  std::int16_t edge_threshold_hu = -300;
  // Partial volume: f = (tissue - HU) / (tissue - air). The local tissue level is the median of
  // the soft-tissue voxels (HU in [soft_low_hu, soft_high_hu]) two to three voxels from the gas;
  // when fewer than min_reference_voxels are there, default_tissue_hu.
  float air_hu = -1000.f;
  float default_tissue_hu = 40.f;
  std::int16_t soft_low_hu = -200;
  std::int16_t soft_high_hu = 250;
  int min_reference_voxels = 10;
  // Beside bone the blur mixes air with bone, not soft tissue: a voxel with a non-gas neighbour
  // brighter than bone_neighbour_hu uses the brightest such neighbour (at most
  // max_background_hu, cortical bone) as its background.
  float bone_neighbour_hu = 400.f;
  float max_background_hu = 1400.f;
  // Relation to the joint.
  double peri_articular_mm = 10.0;
  // Injected vs pre-existing without an earlier scan: gas whose nearest voxel lies within this
  // distance of a needle tip (the injection site) is injected.
  double injection_reach_mm = 40.0;
  // Air within body_surface_mm of the outside (in its axial slice) and farther than
  // injection_reach_mm from every needle (tip and track) lies at the body's surface: a skin
  // fold, or the gap between the skin and the table top, which changes shape when the patient
  // moves. It is not gas inside the patient. The skin is about 2 mm thick, so gas under the skin
  // near the needle's entry still counts (it is near the track).
  double body_surface_mm = 3.0;
  // Against an earlier scan (after rigid alignment): a gas voxel was already gas when the
  // earlier scan reads below previous_air_hu at the aligned place; a component with at least
  // preexisting_fraction of such voxels was already there.
  float previous_air_hu = -400.f;
  double preexisting_fraction = 0.5;
  // Farther than injection_reach_mm from every injection site a lower share will do: bowel gas
  // that changed shape between the scans (peristalsis, or a thin pocket after a few tenths of a
  // millimetre of alignment error) still overlaps where it was, while injected gas that leaked
  // that far arrives where there was no air (seed 1018: a 0.1 mL bowel pocket 96 mm from the
  // site, 44 % of it air on the earlier scan, was called injected).
  double distant_preexisting_fraction = 0.2;
  // New gas smaller than this and farther than injection_reach_mm from every injection site is
  // not injected (voxels split off a bowel loop's edge, noise); larger distant new gas is, and
  // raises an alert.
  double min_new_ml = 0.02;
  // Metal-artifact dark streaks: air-density components within artifact_axis_mm of a needle's
  // steel (axis from entry to artifact_beyond_tip_mm past the tip) that are flat in z (at most
  // artifact_max_slices slices, the streaks lie in the slices the steel crosses) or smaller than
  // artifact_max_ml.
  double artifact_axis_mm = 12.0;
  double artifact_beyond_tip_mm = 6.0;
  int artifact_max_slices = 3;
  double artifact_max_ml = 0.02;
  // Streaks also radiate far across the slices the steel crosses: a component no thicker than
  // artifact_max_thickness_mm (z extent plus one slice) lying within those slices is a streak
  // wherever it is (injected gas clouds span several millimetres in z).
  double artifact_max_thickness_mm = 2.6;
  // Orthopaedic hardware (a nail, screws: NeedleOptions::max_needle_thickness_mm) throws dark
  // streaks far wider than a needle's: new air-density components whose centroid lies within
  // hardware_streak_reach_mm of the metal's bounding box are streaks, not gas.
  double hardware_streak_reach_mm = 25.0;
  // Alerts: injected gas of at least alert_min_ml beyond peri_articular_mm from the joint; along
  // the needle track when within track_radius_mm of the axis more than track_behind_tip_mm behind
  // the tip; toward the sacral foramina / spinal canal when that distant gas lies medial to the
  // joint by more than medial_margin_mm.
  double alert_min_ml = 0.05;
  double track_radius_mm = 3.0;
  double track_behind_tip_mm = 10.0;
  double medial_margin_mm = 10.0;
  // The report lists each component of at least this volume with its class and reason.
  double report_component_ml = 0.01;
  bool keep_mask = true;
  // No backend: the stage works on runs along x and on the few voxels near the gas, host code
  // on either backend (pipeline/sparse/RunMask.h says why).
};

}  // namespace sij::gas
