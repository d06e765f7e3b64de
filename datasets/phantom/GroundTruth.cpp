#include "datasets/phantom/GroundTruth.h"

#include <cmath>
#include <string>

#include "datasets/phantom/DicomWriter.h"

namespace sij::phantom {
namespace {

// Rounded to 1 nm / 1 nL so the files are short and stable.
double r6(double v) {
  const double r = std::round(v * 1e6) / 1e6;
  return r == 0.0 ? 0.0 : r;
}
// A float spacing as the double of its shortest decimal (what DICOM and MetaImage carry).
double shortest(float v) { return std::stod(dicom_ds_float(v)); }
nlohmann::ordered_json vec(const Vec3& v) { return {r6(v.x), r6(v.y), r6(v.z)}; }

nlohmann::ordered_json needle_json(const NeedleTruth& n) {
  using J = nlohmann::ordered_json;
  J needle = {{"present", n.present}};
  if (n.present) {
    needle["side"] = n.side;
    needle["scenario"] = n.scenario;
    needle["scenario_requested"] = n.scenario_requested;
    if (!n.contact_bone.empty()) needle["contact_bone"] = n.contact_bone;
    needle["tip_mm"] = vec(n.tip_mm);
    needle["tip_index"] = {r6(n.tip_index[0]), r6(n.tip_index[1]), r6(n.tip_index[2])};
    needle["entry_mm"] = vec(n.entry_mm);
    needle["hub_mm"] = vec(n.hub_mm);
    needle["direction"] = vec(n.direction);
    needle["inserted_length_mm"] = r6(n.inserted_length_mm);
    needle["tip_in_joint"] = n.tip_in_joint;
    needle["tip_to_joint_mm"] = r6(n.tip_to_joint_mm);
    needle["tip_to_joint_rule"] = "signed distance to the joint space, negative inside; joint curvilinear frame";
    needle["diameter_mm"] = n.diameter_mm;
    needle["length_mm"] = n.length_mm;
  }
  return needle;
}

nlohmann::ordered_json gas_volumes_json(const GasVolumes& g) {
  return {{"injected_total_ml", r6(g.total_ml)},
          {"injected_inside_joint_ml", r6(g.intra_articular_ml)},
          {"injected_within_10mm_ml", r6(g.within_10mm_ml)},
          {"injected_in_fov_total_ml", r6(g.fov_total_ml)},
          {"injected_in_fov_inside_joint_ml", r6(g.fov_intra_articular_ml)},
          {"injected_in_fov_within_10mm_ml", r6(g.fov_within_10mm_ml)}};
}

}  // namespace

nlohmann::ordered_json scan_truth_json(const ScanTruth& t, std::uint64_t seed) {
  using J = nlohmann::ordered_json;
  J j;
  j["schema"] = "sijtrack.phantom.truth/1";
  j["coordinates"] = "DICOM patient (LPS), mm";
  j["seed"] = seed;
  j["scan"] = {{"index", t.index},
               {"kind", t.kind},
               {"series_instance_uid", t.series_uid},
               {"acquisition_time", t.acquisition_time},
               {"seconds_from_start", t.seconds_from_start},
               {"dicom_dir", t.dicom_dir},
               {"image_mha", t.image_mha},
               {"labels_mha", t.labels_mha}};
  J dir = J::array();
  for (int k = 0; k < 9; ++k) dir.push_back(t.affine.direction[k]);
  j["geometry"] = {{"size", {t.grid.nx, t.grid.ny, t.grid.nz}},
                   {"spacing_mm", {shortest(t.grid.sx_mm), shortest(t.grid.sy_mm), shortest(t.grid.sz_mm)}},
                   {"origin_mm", {t.affine.origin_mm[0], t.affine.origin_mm[1], t.affine.origin_mm[2]}},
                   {"direction_row_major", dir},
                   {"note", "physical = origin + direction * (spacing * index); direction columns are the index axes"}};
  J rot = J::array();
  for (int k = 0; k < 9; ++k) rot.push_back(r6(t.pose.r[k]));
  j["patient_motion"] = {{"from", "planning scan"},
                         {"rotation_row_major", rot},
                         {"translation_mm", vec(t.pose.t)},
                         {"rotation_deg", r6(t.pose.angle_deg())}};
  j["needle"] = needle_json(t.needle);
  if (!t.more_needles.empty()) {
    J all = J::array();
    if (t.needle.present) all.push_back(needle_json(t.needle));
    for (const NeedleTruth& n : t.more_needles) all.push_back(needle_json(n));
    j["needles"] = all;
  }
  j["gas"] = {
      {"injected", t.gas_injected},
      {"injected_total_ml", r6(t.gas.total_ml)},
      {"injected_inside_joint_ml", r6(t.gas.intra_articular_ml)},
      {"injected_within_10mm_ml", r6(t.gas.within_10mm_ml)},
      {"injected_in_fov_total_ml", r6(t.gas.fov_total_ml)},
      {"injected_in_fov_inside_joint_ml", r6(t.gas.fov_intra_articular_ml)},
      {"injected_in_fov_within_10mm_ml", r6(t.gas.fov_within_10mm_ml)},
      {"injected_partial_volume_ml", r6(t.injected_gas_pv_ml)},
      {"injected_label_ml", r6(t.injected_gas_label_ml)},
      {"preexisting_bowel_gas_ml", r6(t.bowel_gas_ml)},
      {"preexisting_bowel_gas_label_ml", r6(t.bowel_gas_label_ml)},
      {"rules",
       "injected_*: integrated on a 0.3 mm grid in the patient; within_10mm includes inside_joint; "
       "in_fov: the part inside this scan's volume; *_label_ml: voxels labelled (fraction >= 0.5) times "
       "voxel volume; bowel gas: partial-volume sum inside the field of view"}};
  if (!t.gas_per_side.empty()) {
    J sides = J::object();
    for (const auto& [side, v] : t.gas_per_side) sides[side] = gas_volumes_json(v);
    j["gas_per_side"] = sides;
  }
  if (t.distension.active) {
    const JointDistension& d = t.distension;
    j["joint_distension"] = {{"side", d.side == 0 ? "left" : "right"},
                             {"extra_gap_mm", r6(d.extra_gap_mm)},
                             {"centre_u_mm", r6(d.u0_mm)},
                             {"centre_z_mm", r6(d.z0_mm)},
                             {"radius_u_mm", r6(d.ru_mm)},
                             {"radius_z_mm", r6(d.rz_mm)},
                             {"centre_mm", vec(t.distension_centre_mm)},
                             {"normal", vec(t.distension_normal)},
                             {"rule", "the joint space is wider by extra * (1 - rho^2)^2 (rho: elliptic radius in the "
                                      "joint's u along the joint, z of the planning frame) than the manifest's gap_mm"}};
  }
  if (!t.implants.is_null()) j["hardware"] = t.implants;
  j["labels"] = {{"file", t.labels_mha},
                 {"bits", {{"1", "joint space"}, {"2", "injected gas"}, {"4", "bowel gas"}, {"8", "bone"},
                           {"16", "needle steel"}}}};
  if (!t.implants.is_null()) j["labels"]["bits"]["32"] = "implant metal (not a needle)";
  j["imaging"] = {{"noise_sd_hu", r6(t.noise_sd_hu)},
                  {"psf_sigma_mm", r6(t.psf_sigma_mm)},
                  {"ctdivol_mgy", r6(t.ctdivol_mgy)},
                  {"hu_max", t.hu_max},
                  {"metal_artifact_slices", t.metal_artifact_slices}};
  if (!t.fence_rods.empty()) {
    J rods = J::array();
    for (const FenceRodTruth& r : t.fence_rods) rods.push_back({{"caudal_end_mm", vec(r.a_mm)}, {"cranial_end_mm", vec(r.b_mm)}});
    j["fence"] = {{"rods", rods},
                  {"rod_radius_mm", r6(t.fence_rod_radius_mm)},
                  {"spacing_mm", r6(t.fence_spacing_mm)},
                  {"rule", "each rod is the set of points within rod_radius_mm of the segment between its two ends "
                           "(centre line, LPS of this scan); rods listed in the order placed, from the patient's right "
                           "to the patient's left (increasing x of the planning scan)"}};
  }
  return j;
}

}  // namespace sij::phantom
