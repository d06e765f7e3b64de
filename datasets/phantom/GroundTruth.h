// Ground truth of one scan and the session manifest, as JSON (DICOM patient coordinates,
// LPS, millimetres). Schema names: "sijtrack.phantom.truth/1" and "sijtrack.session/1".
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/phantom/Anatomy.h"
#include "datasets/phantom/Gas.h"
#include "datasets/phantom/Math.h"
#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij::phantom {

struct NeedleTruth {
  bool present = false;
  std::string side;               // "left" / "right" (patient)
  std::string scenario;           // tip_in_joint / tip_short_of_joint / tip_on_bone
  std::string scenario_requested;
  std::string contact_bone;       // when on bone
  Vec3 tip_mm, entry_mm, hub_mm, direction;
  double tip_index[3] = {0, 0, 0};  // continuous voxel index of the tip in this scan
  double inserted_length_mm = 0;    // entry to tip
  bool tip_in_joint = false;
  double tip_to_joint_mm = 0;       // signed: negative inside the joint space
  double diameter_mm = 0.72, length_mm = 140;
};

// One rod of the fence marker: the centre line (a segment) in this scan's LPS frame.
struct FenceRodTruth {
  Vec3 a_mm, b_mm;                // caudal end, cranial end (as placed: a at lower body z)
};

struct ScanTruth {
  int index = 0;
  std::string kind;               // planning / needle_partway / needle_final / post_injection
  std::string series_uid, acquisition_time, dicom_dir, image_mha, labels_mha;
  double seconds_from_start = 0;
  Grid grid;
  Affine3 affine;
  Rigid pose;                     // body (planning) frame -> this scan
  NeedleTruth needle;              // the (first) needle; written as "needle"
  // Bilateral procedures: the other needle(s). When there are any, "needles" lists every needle
  // (the first one included), each with its side.
  std::vector<NeedleTruth> more_needles;
  bool gas_injected = false;
  GasVolumes gas;                 // injected gas, whole and inside the field of view
  double injected_gas_label_ml = 0, injected_gas_pv_ml = 0;
  double bowel_gas_ml = 0;        // pre-existing gas in the field of view (partial volume)
  double bowel_gas_label_ml = 0;
  // Bilateral: each side's injection on its own (the sum is `gas`); written as "gas_per_side".
  std::vector<std::pair<std::string, GasVolumes>> gas_per_side;
  JointDistension distension;     // written as "joint_distension" when active, with:
  Vec3 distension_centre_mm;      // its centre on the joint's mid-surface, this scan's LPS
  Vec3 distension_normal;         // the joint's axial normal there (unit, towards the ilium)
  nlohmann::ordered_json implants;  // orthopaedic hardware in this scan's LPS ("hardware"); null: none
  double noise_sd_hu = 0, psf_sigma_mm = 0, ctdivol_mgy = 0, hu_max = 3071;
  int metal_artifact_slices = 0;
  // The fence marker (written as "fence" when it has rods), in the order placed: increasing
  // body-frame x (towards the patient's left).
  std::vector<FenceRodTruth> fence_rods;
  double fence_rod_radius_mm = 0, fence_spacing_mm = 0;
};

nlohmann::ordered_json scan_truth_json(const ScanTruth& t, std::uint64_t seed);

}  // namespace sij::phantom
