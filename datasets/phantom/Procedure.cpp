#include "datasets/phantom/Procedure.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "datasets/phantom/Anatomy.h"
#include "datasets/phantom/DicomWriter.h"
#include "datasets/phantom/Gas.h"
#include "datasets/phantom/GroundTruth.h"
#include "datasets/phantom/Hardware.h"
#include "datasets/phantom/MetalArtifact.h"
#include "datasets/phantom/MhaWriter.h"
#include "datasets/phantom/Needle.h"
#include "datasets/phantom/Noise.h"
#include "datasets/phantom/Preview.h"
#include "datasets/phantom/Render.h"
#include "datasets/phantom/Uid.h"

namespace fs = std::filesystem;

namespace sij::phantom {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double round_to(double v, double step) { return std::round(v / step) * step; }

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), as YYYYMMDD.
std::string dicom_date(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y0 = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = y0 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(y), m, d);
  return buf;
}

std::string dicom_time(int seconds_of_day) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", seconds_of_day / 3600, (seconds_of_day / 60) % 60,
                seconds_of_day % 60);
  return buf;
}

Vec3 random_unit(Rng& rng) {
  for (;;) {
    const Vec3 v{rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)};
    const double n = norm(v);
    if (n > 0.1 && n <= 1.0) return v * (1.0 / n);
  }
}

void write_json(const std::string& path, const nlohmann::ordered_json& j) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot create " + path);
  f << j.dump(2) << "\n";
  if (!f) throw std::runtime_error("cannot write " + path);
}

const char* kScanKinds[4] = {"planning", "needle_partway", "needle_final", "post_injection"};

// In-plane needles: a quarter exactly in the axial plane, the rest within +-1 degree of it.
double inplane_tilt_deg(Rng& rng) { return rng.chance(0.25) ? 0.0 : rng.uniform(-1.0, 1.0); }

// The truth of one needle as it stands in scan s (pose: body -> this scan).
NeedleTruth needle_truth(const NeedlePlan& plan, const NeedleState& needle, const Anatomy& anatomy,
                         const Rigid& pose, const Grid& grid, const Affine3& affine, int s) {
  NeedleTruth n;
  n.present = true;
  n.side = plan.side == 0 ? "left" : "right";
  n.scenario = scenario_name(plan.scenario);
  n.scenario_requested = scenario_name(plan.requested);
  if (plan.scenario == Scenario::BoneContact && s >= 2) n.contact_bone = plan.contact_bone;
  n.tip_mm = pose.apply(needle.tip_mm);
  n.entry_mm = pose.apply(plan.entry_mm);
  n.hub_mm = pose.apply(needle.back_mm());
  n.direction = normalized(pose.rotate(plan.dir));
  const double p[3] = {n.tip_mm.x, n.tip_mm.y, n.tip_mm.z};
  affine.physical_to_index(grid, p, n.tip_index);
  n.inserted_length_mm = norm(needle.tip_mm - plan.entry_mm);
  n.tip_in_joint = anatomy.in_joint_space(needle.tip_mm);
  n.tip_to_joint_mm = anatomy.joint_signed_distance(plan.side, needle.tip_mm);
  if (s == 1) n.scenario = "partway";
  n.diameter_mm = plan.diameter_mm;
  n.length_mm = plan.length_mm;
  return n;
}

// The needle of `plan` in scan s: partway on scan 1, final on 2, and on 3 unless withdrawn.
NeedleState needle_in_scan(const NeedlePlan& plan, int s) {
  if (s == 1) return needle_at_depth(plan, plan.depth_mm * plan.partway_fraction);
  if (s == 2 || (s == 3 && !plan.withdrawn_after_injection)) return needle_at_depth(plan, plan.depth_mm);
  return {};
}

GasVolumes operator+(const GasVolumes& a, const GasVolumes& b) {
  GasVolumes v;
  v.total_ml = a.total_ml + b.total_ml;
  v.intra_articular_ml = a.intra_articular_ml + b.intra_articular_ml;
  v.within_10mm_ml = a.within_10mm_ml + b.within_10mm_ml;
  v.fov_total_ml = a.fov_total_ml + b.fov_total_ml;
  v.fov_intra_articular_ml = a.fov_intra_articular_ml + b.fov_intra_articular_ml;
  v.fov_within_10mm_ml = a.fov_within_10mm_ml + b.fov_within_10mm_ml;
  return v;
}

// The joint widened by the gas sheet of a distending injection (inactive without a sheet).
JointDistension distension_of(const GasSpec& g, Rng& rng) {
  JointDistension d;
  if (!g.sheet) return d;
  d.active = true;
  d.side = g.side;
  d.u0_mm = g.sheet_u0;
  d.z0_mm = g.sheet_z0;
  d.ru_mm = g.sheet_ru * g.scale;
  d.rz_mm = g.sheet_rz * g.scale;
  d.extra_gap_mm = rng.uniform(0.8, 2.0);
  return d;
}

nlohmann::ordered_json implants_json(const std::vector<Implant>& implants, const Rigid& pose) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  const auto v = [](const Vec3& p) { return nlohmann::ordered_json{std::round(p.x * 1e6) / 1e6, std::round(p.y * 1e6) / 1e6, std::round(p.z * 1e6) / 1e6}; };
  for (const Implant& im : implants) {
    nlohmann::ordered_json parts = nlohmann::ordered_json::array();
    for (const ImplantPart& part : im.parts) {
      parts.push_back({{"name", part.name}, {"a_mm", v(pose.apply(part.a_mm))}, {"b_mm", v(pose.apply(part.b_mm))},
                       {"radius_mm", part.radius_mm}});
    }
    out.push_back({{"kind", im.kind}, {"material", im.material}, {"steel_equivalent", im.steel_equivalent},
                   {"needle", false}, {"parts", parts}});
  }
  return out;
}

}  // namespace

ProcedureSummary generate_procedure(const PhantomOptions& opt) {
  const auto t_start = Clock::now();
  if (opt.out_dir.empty()) throw std::runtime_error("phantom: no output folder given");
  if (!(opt.min_gap_mm > 0.5 && opt.max_gap_mm >= opt.min_gap_mm && opt.max_gap_mm < 8.0)) {
    throw std::runtime_error("phantom: joint gap range must satisfy 0.5 < min <= max < 8 mm");
  }
  Rng root(opt.seed);
  Rng rng_anatomy = root.fork(1), rng_needle = root.fork(2), rng_gas = root.fork(3);
  Rng rng_scanner = root.fork(4), rng_motion = root.fork(5), rng_study = root.fork(6);
  // Every draw a variant adds comes from its own stream: the standard streams stay untouched.
  const Variant variant = opt.variant;
  Rng rng_variant = root.fork(7);
  const bool bilateral = variant == Variant::Bilateral;

  // Scenario and side.
  const int side = opt.side >= 0 ? opt.side : rng_needle.integer(0, 1);
  Scenario scenario;
  if (opt.scenario >= 0) {
    scenario = static_cast<Scenario>(opt.scenario);
  } else if (variant == Variant::Distended) {
    scenario = Scenario::InJoint;  // the gas must fill the joint to widen it
  } else {
    const double r = rng_needle.uniform();
    scenario = r < 0.5 ? Scenario::InJoint : (r < 0.75 ? Scenario::ShortOfJoint : Scenario::BoneContact);
  }

  // Patient, needle, fence, gas.
  const bool narrow = variant == Variant::Narrow;
  AnatomySpec spec = draw_anatomy(rng_anatomy, narrow ? 0.8 : opt.min_gap_mm, narrow ? 1.8 : opt.max_gap_mm);
  const double inplane_tilt = variant == Variant::InPlane ? inplane_tilt_deg(rng_variant) : 0.0;
  const NeedlePlan plan = plan_needle(Anatomy(spec), rng_needle, side, scenario,
                                      variant == Variant::InPlane ? &inplane_tilt : nullptr);
  spec.fence = place_fence(Anatomy(spec), rng_needle, plan.entry_mm);
  const Anatomy anatomy(spec);
  const double gas_target_ml = rng_gas.uniform(0.5, 5.0);
  const InjectedGas gas(plan_gas(anatomy, plan, rng_gas, gas_target_ml), anatomy);
  // Bilateral: the other joint's needle and injection, with their own scenario and volume.
  std::vector<NeedlePlan> more_plans;
  std::vector<InjectedGas> more_gas;
  if (bilateral) {
    Scenario scenario2 = scenario;
    if (opt.scenario < 0) {
      const double r = rng_variant.uniform();
      scenario2 = r < 0.5 ? Scenario::InJoint : (r < 0.75 ? Scenario::ShortOfJoint : Scenario::BoneContact);
    }
    more_plans.push_back(plan_needle(anatomy, rng_variant, 1 - side, scenario2));
    more_gas.emplace_back(plan_gas(anatomy, more_plans[0], rng_variant, rng_variant.uniform(0.5, 5.0)), anatomy);
  }
  // Distended: after the injection the joint is wider where the gas sheet fills it.
  AnatomySpec spec_post = spec;
  if (variant == Variant::Distended) spec_post.distension = distension_of(gas.spec(), rng_variant);
  const Anatomy anatomy_post(spec_post);
  const std::vector<Implant> implants =
      variant == Variant::Hardware ? place_hardware(anatomy, plan, rng_variant) : std::vector<Implant>{};

  // Scanner settings for the procedure.
  const bool full = opt.size == PhantomSize::Full;
  const int n_inplane = full ? 512 : 240;
  const double ps = round_to(full ? rng_scanner.uniform(0.66, 0.9) : rng_scanner.uniform(0.6, 0.9), 1e-4);
  const double thicknesses[4] = {0.625, 0.75, 1.0, 1.25};
  const double st_drawn = thicknesses[rng_scanner.integer(0, 3)];
  const bool thin = variant == Variant::ThinSlices;
  const double st = thin ? 0.625 : st_drawn;
  const int nz = opt.slices > 0 ? opt.slices : static_cast<int>(std::lround((full ? 70.0 : 30.0) / st));
  // Thin slices: the drawn SD is that of a 1 mm slice at the same dose; the noise grows as
  // 1/sqrt(thickness), and each detector row counts proportionally fewer photons.
  const double noise_sd_drawn = rng_scanner.uniform(8.0, 25.0);
  const double noise_sd = thin ? noise_sd_drawn * std::sqrt(1.0 / st) : noise_sd_drawn;
  const double psf_sigma = rng_scanner.uniform(0.3, 0.45);
  const bool extended_hu = rng_scanner.chance(0.3);
  const double hu_max = extended_hu ? 31743.0 : 3071.0;
  const double ctdivol =
      round_to(std::clamp(10.0 * (14.0 / noise_sd_drawn) * (14.0 / noise_sd_drawn), 3.0, 30.0), 0.01);
  const std::string kernel = rng_scanner.chance(0.5) ? "B30f" : "STANDARD";

  Grid grid;
  grid.nx = grid.ny = n_inplane;
  grid.nz = nz;
  grid.sx_mm = grid.sy_mm = static_cast<float>(ps);
  grid.sz_mm = static_cast<float>(st);
  Affine3 affine;
  // Prone, head first: image columns run to the patient's right, rows to anterior (HFP).
  const double dirs[9] = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
  std::copy(dirs, dirs + 9, affine.direction);
  Vec3 centre;
  const Vec3 mid = (plan.tip_mm + plan.entry_mm) * 0.5;
  if (full) {
    const double y_top = anatomy.skin_y(0.0, mid.z);
    centre = {0.0, 0.5 * (y_top + spec.table_top_y_mm - 20.0), mid.z};
  } else {
    // A targeted field of view: from just above the skin entry down past the rectum, from the
    // target joint to the midline.
    const double fov = (n_inplane - 1) * ps;
    centre = {0.5 * mid.x, plan.entry_mm.y + 8.0 - 0.5 * fov, mid.z};
  }
  if (bilateral && !full) {
    // Both joints in the targeted field: centred on the midline between the two needles.
    const Vec3 mid2 = (more_plans[0].tip_mm + more_plans[0].entry_mm) * 0.5;
    const double fov = (n_inplane - 1) * ps;
    centre = {0.5 * (mid.x + mid2.x), std::max(plan.entry_mm.y, more_plans[0].entry_mm.y) + 8.0 - 0.5 * fov,
              0.5 * (mid.z + mid2.z)};
  }
  if (variant == Variant::Hardware && !full) {
    // The targeted field reaches out to the nail (about 100 mm from the midline on the treated
    // side) and keeps the midline's pedicle screws.
    const double fov = (n_inplane - 1) * ps, sign = side == 0 ? 1.0 : -1.0;
    centre.x = sign * std::max(0.5 * std::fabs(mid.x), 104.0 - 0.5 * fov);
  }
  // In-plane needles: the shaft's height between slice centres is drawn, not fixed by the
  // grid (otherwise its midpoint would always sit on a slice centre or boundary).
  if (variant == Variant::InPlane) centre.z += rng_variant.uniform(-0.5, 0.5) * st;
  const double half[3] = {0.5 * (grid.nx - 1) * grid.sx_mm, 0.5 * (grid.ny - 1) * grid.sy_mm,
                          0.5 * (grid.nz - 1) * grid.sz_mm};
  const double c3[3] = {centre.x, centre.y, centre.z};
  for (int r = 0; r < 3; ++r) {
    double o = c3[r];
    for (int c = 0; c < 3; ++c) o -= affine.direction[r * 3 + c] * half[c];
    affine.origin_mm[r] = round_to(o, 1e-3);
  }

  // Study identity and timing.
  const std::string study_uid = derived_uid(opt.seed, kUidStudy);
  const std::string frame_uid = derived_uid(opt.seed, kUidFrame);
  const std::string date = dicom_date(19358 + rng_study.integer(0, 364));  // during 2023
  const int start_s = 8 * 3600 + rng_study.integer(0, 8 * 3600);
  const std::string patient_id = "SIJPH" + std::to_string(opt.seed);
  const std::string sex = rng_study.chance(0.5) ? "F" : "M";
  const std::string birth = dicom_date(-3650 + rng_study.integer(0, 365 * 40));  // 1960 .. 2000
  int offsets[4] = {0, 0, 0, 0};
  offsets[1] = rng_study.integer(240, 480);
  offsets[2] = offsets[1] + rng_study.integer(120, 360);
  offsets[3] = offsets[2] + rng_study.integer(180, 420);

  // Patient motion relative to the planning scan: a rotation about the target, then a shift.
  Rigid poses[4];
  for (int s = 1; s < 4; ++s) {
    // In-plane needles stay in-plane: the patient then turns about the scanner's z axis only.
    const Vec3 drawn_axis = random_unit(rng_motion);
    const Vec3 axis = variant == Variant::InPlane ? Vec3{0, 0, 1} : drawn_axis;
    const double angle = rng_motion.uniform(0.2, 2.0) * kPi / 180.0;
    const Vec3 shift = random_unit(rng_motion) * rng_motion.uniform(0.3, 3.0);
    Rigid r = Rigid::from_axis_angle(axis, angle, Vec3{});
    r.t = plan.tip_mm - r.rotate(plan.tip_mm) + shift;
    poses[s] = r;
  }

  fs::create_directories(opt.out_dir);
  for (const auto& e : fs::directory_iterator(opt.out_dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("scan_", 0) == 0) fs::remove_all(e.path());
  }

  ProcedureSummary summary;
  summary.side = side == 0 ? "left" : "right";
  summary.scenario = scenario_name(plan.scenario);
  summary.gas_target_ml = gas_target_ml;
  summary.variant = variant_name(variant);
  if (bilateral) {
    summary.second_side = more_plans[0].side == 0 ? "left" : "right";
    summary.second_scenario = scenario_name(more_plans[0].scenario);
  }
  nlohmann::ordered_json manifest_scans = nlohmann::ordered_json::array();

  for (int s = 0; s < 4; ++s) {
    if (!opt.only_scans.empty() &&
        std::find(opt.only_scans.begin(), opt.only_scans.end(), s) == opt.only_scans.end()) {
      continue;
    }
    ScanSummary sum;
    sum.index = s;
    sum.kind = kScanKinds[s];
    char name[64];
    std::snprintf(name, sizeof name, "scan_%02d_%s", s, kScanKinds[s]);
    sum.dir = name;
    sum.slices = grid.nz;
    const fs::path scan_dir = fs::path(opt.out_dir) / name;
    fs::create_directories(scan_dir);

    ScanScene scene;
    const Anatomy& scan_anatomy = s == 3 ? anatomy_post : anatomy;
    scene.anatomy = &scan_anatomy;
    scene.pose = poses[s];
    scene.needle = needle_in_scan(plan, s);
    if (s == 3) scene.gas = &gas;
    for (std::size_t m = 0; m < more_plans.size(); ++m) {
      const NeedleState nd = needle_in_scan(more_plans[m], s);
      if (nd.present) scene.more_needles.push_back(nd);
      if (s == 3) scene.more_gas.push_back(&more_gas[m]);
    }
    if (!implants.empty()) scene.implants = &implants;

    auto t0 = Clock::now();
    RenderedScan img = render_scan(scene, grid, affine);
    sum.render_s = since(t0);
    sum.boundary_voxels = img.boundary_voxels;

    // Metal artifacts on the slices the needle crosses, then blur, noise and the scanner's range.
    t0 = Clock::now();
    const std::uint64_t scan_seed = hash64(opt.seed, 0x5CA9, static_cast<std::uint64_t>(s));
    MetalArtifactParams mp;
    mp.angles = full ? 288 : 200;
    mp.photons_per_ray = 2.0e5 * ctdivol / 10.0 * (thin ? st / st_drawn : 1.0);
    mp.layered = variant != Variant::Standard;
    const std::size_t plane = static_cast<std::size_t>(grid.nx) * grid.ny;
    int artifact_slices = 0;
    for (int k = 0; k < grid.nz; ++k) artifact_slices += !img.steel[k].empty();
#pragma omp parallel for schedule(dynamic)
    for (int k = 0; k < grid.nz; ++k) {
      if (img.steel[k].empty()) continue;
      add_metal_artifacts(&img.hu[k * plane], grid.nx, grid.ny, ps, img.steel[k], mp,
                          hash64(scan_seed, static_cast<std::uint64_t>(k)));
    }
    apply_psf(img.hu, grid, psf_sigma);
    add_correlated_noise(img.hu, grid, noise_sd, hash64(scan_seed, 0x4015E));
    std::vector<std::int16_t> hu(img.hu.size());
#pragma omp parallel for schedule(static)
    for (std::int64_t v = 0; v < static_cast<std::int64_t>(hu.size()); ++v) {
      hu[v] = static_cast<std::int16_t>(std::lround(std::clamp<double>(img.hu[v], -1024.0, hu_max)));
    }
    sum.artifact_s = since(t0);
    sum.artifact_slices = artifact_slices;

    // Files.
    t0 = Clock::now();
    DicomSeriesInfo info;
    info.patient_name = "PHANTOM^SIJ" + std::to_string(opt.seed);
    info.patient_id = patient_id;
    info.patient_birth_date = birth;
    info.patient_sex = sex;
    info.study_uid = study_uid;
    info.frame_of_reference_uid = frame_uid;
    info.series_uid = derived_uid(opt.seed, kUidSeries, static_cast<std::uint64_t>(s));
    info.instance_uid_seed = hash64(opt.seed, kUidInstance, static_cast<std::uint64_t>(s));
    info.study_date = date;
    info.study_time = dicom_time(start_s);
    info.series_time = dicom_time(start_s + offsets[s]);
    info.acquisition_time = info.series_time;
    info.study_id = std::to_string(1000 + opt.seed % 9000);
    info.accession_number = "PH" + std::to_string(opt.seed);
    info.series_number = s + 1;
    info.series_description = std::string("SIJ ") + kScanKinds[s];
    info.ctdivol_mgy = ctdivol;
    info.tube_current_ma = 20.0 * ctdivol;
    info.convolution_kernel = kernel;
    write_dicom_series((scan_dir / "dicom").string(), grid, affine, hu, info);
    const std::string image_rel = std::string(name) + "/image.mha";
    const std::string labels_rel = std::string(name) + "/labels.mha";
    if (opt.write_mha) write_mha((scan_dir / "image.mha").string(), grid, affine, hu);
    write_mha((scan_dir / "labels.mha").string(), grid, affine, img.labels);

    // Ground truth.
    ScanTruth t;
    t.index = s;
    t.kind = kScanKinds[s];
    t.series_uid = info.series_uid;
    t.acquisition_time = info.acquisition_time;
    t.seconds_from_start = offsets[s];
    t.dicom_dir = std::string(name) + "/dicom";
    t.image_mha = opt.write_mha ? image_rel : "";
    t.labels_mha = labels_rel;
    t.grid = grid;
    t.affine = affine;
    t.pose = poses[s];
    for (std::size_t k = 0; k < spec.fence.rod_a.size(); ++k) {
      t.fence_rods.push_back({poses[s].apply(spec.fence.rod_a[k]), poses[s].apply(spec.fence.rod_b[k])});
    }
    t.fence_rod_radius_mm = spec.fence.rod_radius_mm;
    t.fence_spacing_mm = spec.fence.spacing_mm;
    if (scene.needle.present) {
      t.needle = needle_truth(plan, scene.needle, scan_anatomy, poses[s], grid, affine, s);
    }
    for (const NeedlePlan& p2 : more_plans) {
      const NeedleState nd = needle_in_scan(p2, s);
      if (nd.present) t.more_needles.push_back(needle_truth(p2, nd, scan_anatomy, poses[s], grid, affine, s));
    }
    if (scene.gas) {
      t.gas_injected = true;
      const ScanFrame frame{grid, affine, poses[s]};
      t.gas = integrate_gas(scan_anatomy, gas, 0.3, &frame);
      if (bilateral) {
        t.gas_per_side.push_back({plan.side == 0 ? "left" : "right", t.gas});
        for (std::size_t m = 0; m < more_gas.size(); ++m) {
          const GasVolumes v = integrate_gas(scan_anatomy, more_gas[m], 0.3, &frame);
          t.gas_per_side.push_back({more_plans[m].side == 0 ? "left" : "right", v});
          t.gas = t.gas + v;
        }
      }
      if (spec_post.distension.active) {
        const JointDistension& d = spec_post.distension;
        const JointSpec& j = spec.joint[d.side];
        const double al = j.alpha_deg * kPi / 180.0;
        t.distension = d;
        t.distension_centre_mm = poses[s].apply(anatomy.joint_mid_point(d.side, d.u0_mm, d.z0_mm));
        t.distension_normal = poses[s].rotate(Vec3{j.sign * std::cos(al), std::sin(al), 0.0});
      }
    }
    if (!implants.empty()) t.implants = implants_json(implants, poses[s]);
    std::int64_t gas_vox = 0, bowel_vox = 0;
    for (const std::uint8_t l : img.labels) {
      gas_vox += (l & kLabelInjectedGas) != 0;
      bowel_vox += (l & kLabelBowelGas) != 0;
    }
    const double vox_ml = grid.sx_mm * grid.sy_mm * grid.sz_mm / 1000.0;
    t.injected_gas_label_ml = gas_vox * vox_ml;
    t.injected_gas_pv_ml = img.injected_gas_pv_ml;
    t.bowel_gas_ml = img.bowel_gas_pv_ml;
    t.bowel_gas_label_ml = bowel_vox * vox_ml;
    t.noise_sd_hu = noise_sd;
    t.psf_sigma_mm = psf_sigma;
    t.ctdivol_mgy = ctdivol;
    t.hu_max = hu_max;
    t.metal_artifact_slices = artifact_slices;
    write_json((scan_dir / "truth.json").string(), scan_truth_json(t, opt.seed));
    if (opt.previews) {
      // Axial slice through the final tip (needle scans) or the target (others).
      const Vec3 at = poses[s].apply(scene.needle.present ? scene.needle.tip_mm : plan.tip_mm);
      const double pa[3] = {at.x, at.y, at.z};
      double ia[3];
      affine.physical_to_index(grid, pa, ia);
      const int k = std::clamp(static_cast<int>(std::lround(ia[2])), 0, grid.nz - 1);
      write_axial_png((scan_dir / "preview_soft.png").string(), hu, grid, k, 40, 500);
      write_axial_png((scan_dir / "preview_bone.png").string(), hu, grid, k, 400, 2000);
      const int cx = static_cast<int>(std::lround(ia[0])), cy = static_cast<int>(std::lround(ia[1]));
      const int half = static_cast<int>(std::lround(25.0 / grid.sx_mm));  // 50 mm square
      write_axial_png((scan_dir / "preview_tip.png").string(), hu, grid, k, 200, 1600, cx, cy, half, 3);
      std::size_t most = 0;
      int k_metal = -1;
      for (int kk = 0; kk < grid.nz; ++kk) {
        if (img.steel[kk].size() > most) most = img.steel[kk].size(), k_metal = kk;
      }
      if (k_metal >= 0) write_axial_png((scan_dir / "preview_metal.png").string(), hu, grid, k_metal, 40, 600);
    }
    sum.write_s = since(t0);

    manifest_scans.push_back({{"index", s},
                              {"kind", kScanKinds[s]},
                              {"series_instance_uid", info.series_uid},
                              {"acquisition_date", date},
                              {"acquisition_time", info.acquisition_time},
                              {"seconds_from_start", offsets[s]},
                              {"slices", grid.nz},
                              {"ctdivol_mgy", ctdivol},
                              {"needle_present", scene.needle.present},
                              {"gas_injected", scene.gas != nullptr},
                              {"dicom_dir", t.dicom_dir},
                              {"image_mha", t.image_mha},
                              {"labels_mha", labels_rel},
                              {"truth", std::string(name) + "/truth.json"}});
    summary.scans.push_back(sum);
  }

  nlohmann::ordered_json m;
  m["schema"] = "sijtrack.session/1";
  m["generator"] = {{"name", "sijtrack phantom"}, {"version", SIJTRACK_VERSION}};
  m["seed"] = opt.seed;
  m["size"] = full ? "full" : "test";
  m["study_instance_uid"] = study_uid;
  m["frame_of_reference_uid"] = frame_uid;
  m["patient"] = {{"id", patient_id}, {"position", "HFP"}, {"sex", sex}, {"birth_date", birth}};
  m["procedure"] = {{"side", summary.side},
                    {"scenario", summary.scenario},
                    {"scenario_requested", scenario_name(plan.requested)},
                    {"needle", "22G (0.72 mm) coaxial trocar, 140 mm"},
                    {"gas_target_ml", std::round(gas_target_ml * 1e4) / 1e4},
                    {"needle_withdrawn_before_post_scan", plan.withdrawn_after_injection}};
  if (variant != Variant::Standard) m["procedure"]["variant"] = variant_name(variant);
  if (bilateral) {
    nlohmann::ordered_json needles = nlohmann::ordered_json::array();
    for (const NeedlePlan* p2 : {&plan, static_cast<const NeedlePlan*>(&more_plans[0])}) {
      needles.push_back({{"side", p2->side == 0 ? "left" : "right"},
                         {"scenario", scenario_name(p2->scenario)},
                         {"scenario_requested", scenario_name(p2->requested)},
                         {"needle_withdrawn_before_post_scan", p2->withdrawn_after_injection}});
    }
    m["procedure"]["needles"] = needles;
    m["procedure"]["gas_target_ml_second"] = std::round(more_gas[0].spec().target_ml * 1e4) / 1e4;
  }
  if (!implants.empty()) m["procedure"]["hardware"] = implants_json(implants, Rigid{});
  nlohmann::ordered_json joints = nlohmann::ordered_json::array();
  for (int k = 0; k < 2; ++k) {
    const JointSpec& j = spec.joint[k];
    joints.push_back({{"side", k == 0 ? "left" : "right"},
                      {"gap_mm", std::round(j.gap_mm * 1e4) / 1e4},
                      {"angle_to_sagittal_deg", std::round(j.alpha_deg * 1e3) / 1e3},
                      {"craniocaudal_extent_mm", std::round(j.height_mm * 1e3) / 1e3},
                      {"axial_length_mm", std::round(j.length_mm * 1e3) / 1e3}});
  }
  m["joints"] = joints;
  m["scans"] = manifest_scans;
  summary.manifest_path = (fs::path(opt.out_dir) / "manifest.json").string();
  write_json(summary.manifest_path, m);
  summary.total_s = since(t_start);
  return summary;
}

}  // namespace sij::phantom
