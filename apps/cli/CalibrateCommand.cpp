// `sijtrack calibrate hu|needle|fence SCAN ...`: scanner HU calibration, the needle model's
// blooming and tip offset, and the fence marker as the physician's coordinate system.
// Profiles and conventions: docs/calibration.md.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "apps/cli/Commands.h"
#include "apps/cli/OutputFile.h"
#include "calib/ApplyProfile.h"
#include "calib/Fence.h"
#include "calib/FenceCoordinates.h"
#include "calib/HuCalibration.h"
#include "calib/NeedleCalibration.h"
#include "calib/ProfileSelect.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::cli {
namespace {

// Exit codes beside the ingest's 10..23: a bad profile, and a scan that cannot be measured.
constexpr int kExitProfile = 30;
constexpr int kExitNotMeasurable = 31;

struct CalibrateCliOptions {
  std::string scan, series_uid, profile_path, profiles_dir, out_path, json_path;
  std::string tissue;                     // hu: "muscle" or "water" (default: the profile's)
  std::string gauge;                      // needle
  double length_mm = 140.0;               // needle
  std::string truth_path;                 // needle: a phantom's truth.json
  std::vector<double> entry_mm, target_mm;  // fence
};

struct Loaded {
  Volume volume;
  calib::ScannerProfile profile;
  std::string profile_rule;
};

Loaded load(const CalibrateCliOptions& o) {
  ingest::IngestOptions io;
  io.series_uid = o.series_uid;
  Loaded l{ingest::ingest(o.scan, io), {}, {}};
  if (!o.profile_path.empty()) {
    l.profile = calib::load_profile(o.profile_path);
    l.profile_rule = "named with --profile";
  } else {
    const auto choice = calib::select_profile(o.profiles_dir.empty() ? calib::default_profile_dir() : o.profiles_dir,
                                              l.volume.meta);
    l.profile = choice.profile;
    l.profile_rule = choice.rule;
  }
  std::fprintf(is_stdout(o.json_path) ? stderr : stdout, "profile    %s (%s)%s\n", l.profile.name.c_str(), l.profile_rule.c_str(),
              l.profile.source_path.empty() ? "" : (" from " + l.profile.source_path).c_str());
  return l;
}

int write_profile(const calib::ScannerProfile& p, const std::string& path) {
  if (path.empty()) return 0;
  calib::save_profile(p, path);
  std::printf("wrote      %s\n", path.c_str());
  return 0;
}

int run_hu(const CalibrateCliOptions& o) {
  Loaded l = load(o);
  calib::HuCalibrationOptions ho;
  ho.reference = l.profile.reference;
  if (!o.tissue.empty()) {
    if (o.tissue != "muscle" && o.tissue != "water") throw CLI::ValidationError("--tissue", "expected muscle or water");
    ho.reference.tissue = o.tissue;
    if (o.tissue == "water") ho.reference.tissue_hu = 0.0;
  }
  ho.body_hu = l.profile.thresholds.body_hu;
  const calib::HuMeasurement m = calib::measure_hu_references(l.volume, ho);
  std::printf("air        median %.1f HU (MAD %.1f) over %lld voxels outside the body -> %.0f HU\n", m.air_hu,
              m.air_mad_hu, static_cast<long long>(m.air_voxels), ho.reference.air_hu);
  std::printf("%-10s median %.1f HU (MAD %.1f) over %lld voxels, histogram mode %.0f HU", ho.reference.tissue.c_str(),
              m.tissue_hu, m.tissue_mad_hu, static_cast<long long>(m.tissue_voxels), m.tissue_mode_hu);
  if (!std::isnan(m.other_mode_hu)) std::printf(" (other soft-tissue mode %.0f HU)", m.other_mode_hu);
  std::printf(" -> %.0f HU\n", ho.reference.tissue_hu);
  std::printf("correction corrected = %.5f * stored %+.2f HU\n", m.correction.slope, m.correction.intercept_hu);
  calib::ScannerProfile p = l.profile;
  p.reference = ho.reference;
  p.hu_correction = m.correction;
  p.hu_correction.measured_on = l.volume.meta.series_uid.empty() ? o.scan : l.volume.meta.series_uid;
  return write_profile(p, o.out_path);
}

int run_needle(const CalibrateCliOptions& o) {
  Loaded l = load(o);
  calib::apply_hu_correction(l.profile.hu_correction, l.volume);
  calib::NeedleModel model = l.profile.needle;
  if (!o.gauge.empty()) model = calib::needle_model_for_gauge(o.gauge, o.length_mm);
  model.length_mm = o.length_mm;
  analysis::AnalyzeOptions ao;
  calib::apply_profile(l.profile, ao);
  calib::NeedleCalibration c = calib::calibrate_needle(l.volume, model, ao.needle);
  if (!c.needle_found) {
    std::fprintf(stderr, "sijtrack calibrate needle: no needle found in %s\n", o.scan.c_str());
    return kExitNotMeasurable;
  }
  if (!c.tip_offset_mm && !o.truth_path.empty()) {
    std::ifstream in(o.truth_path);
    const auto truth = nlohmann::json::parse(in, nullptr, false);
    if (truth.is_discarded() || !truth.contains("needle") || !truth["needle"].value("present", false)) {
      std::fprintf(stderr, "sijtrack calibrate needle: %s has no needle truth\n", o.truth_path.c_str());
      return kExitNotMeasurable;
    }
    const auto tip = truth["needle"]["tip_mm"].get<std::vector<double>>();
    calib::tip_offset_against(c, tip.data());
  }
  const auto& f = c.needle;
  std::printf("needle     %s, %.2f mm outer diameter, %.1f mm long\n", model.gauge.c_str(), model.outer_diameter_mm,
              model.length_mm);
  std::printf("tip        [%.2f, %.2f, %.2f] mm LPS, inserted %.1f mm\n", f.tip_mm[0], f.tip_mm[1], f.tip_mm[2],
              f.inserted_length_mm);
  std::printf("blooming   FWHM %.2f mm in the axial plane, %.2f mm across it (%d profiles each; true %.2f mm)\n",
              c.fwhm_in_plane_mm, c.fwhm_through_plane_mm, c.profiles_used, model.outer_diameter_mm);
  if (c.back_end_in_view) {
    std::printf("back end   [%.2f, %.2f, %.2f] mm LPS, measured length %.2f mm\n", c.back_end_mm[0], c.back_end_mm[1],
                c.back_end_mm[2], c.measured_length_mm);
  }
  if (c.tip_offset_mm) {
    std::printf("tip offset %+.2f mm along the axis (+: found deeper), rule %s", *c.tip_offset_mm, c.tip_offset_rule.c_str());
    if (c.tip_offset_rule == "phantom_truth") std::printf(", %.2f mm across", c.tip_lateral_offset_mm);
    std::printf("\n");
  } else {
    std::printf("tip offset not measured: the shaft's back end is outside the volume (give --truth for a phantom)\n");
  }
  calib::ScannerProfile p = l.profile;
  p.needle = calib::calibrated_model(model, c, l.volume.meta.series_uid.empty() ? o.scan : l.volume.meta.series_uid);
  return write_profile(p, o.out_path);
}

int run_fence(const CalibrateCliOptions& o) {
  // With --json - the JSON alone goes to stdout, the text to stderr.
  std::FILE* text = is_stdout(o.json_path) ? stderr : stdout;
  Loaded l = load(o);
  calib::apply_hu_correction(l.profile.hu_correction, l.volume);
  const calib::FenceOptions fo = calib::fence_options_from(l.profile);
  const calib::Fence fence = calib::detect_fence(l.volume, fo);
  std::fprintf(text, "fence      %zu rods found (%d on the fence), mean spacing %.2f mm\n", fence.rods.size(),
              fence.expected_rod_count, fence.mean_spacing_mm);
  std::fprintf(text, "numbering  %s\n", fence.numbering.c_str());
  for (const auto& r : fence.rods) {
    std::fprintf(text, "  rod %d    x %.2f y %.2f mm at z %.1f; cranial end %s\n", r.number, r.point_mm[0], r.point_mm[1],
                r.point_mm[2], r.cranial_end_in_view ? ("z " + std::to_string(r.cranial_end_mm[2]) + " mm").c_str()
                                                      : "outside the volume");
  }
  for (const auto& w : fence.warnings) std::fprintf(text, "warning    %s\n", w.c_str());
  nlohmann::ordered_json out;
  out["schema"] = "sijtrack.fence/1";
  out["scan"] = o.scan;
  out["profile"] = l.profile.name;
  out["fence"] = calib::fence_to_json(fence);
  if (fence.rods.empty()) {
    std::fprintf(stderr, "sijtrack calibrate fence: no fence rods found in %s\n", o.scan.c_str());
    if (!o.json_path.empty()) write_output(o.json_path, out.dump(2) + "\n");
    return kExitNotMeasurable;
  }
  if (!o.entry_mm.empty()) {
    if (!o.target_mm.empty()) {
      const auto path = calib::plan_in_fence(fence, o.entry_mm.data(), o.target_mm.data());
      std::fprintf(text, "entry      %s\n", calib::describe(path.entry).c_str());
      std::fprintf(text, "path       depth %.1f mm, %.1f deg in the axial plane from vertical (+: towards the patient's left), "
                  "%.1f deg craniocaudal (+: towards the head)\n",
                  path.depth_mm, path.angle_in_axial_deg, path.angle_craniocaudal_deg);
      out["planned_path"] = calib::path_to_json(path);
    } else {
      const auto pos = calib::locate_in_fence(fence, o.entry_mm.data());
      std::fprintf(text, "entry      %s\n", calib::describe(pos).c_str());
      out["planned_entry"] = calib::position_to_json(pos);
    }
  }
  // Needles in this scan: their entry points and paths in fence coordinates.
  analysis::AnalyzeOptions ao;
  calib::apply_profile(l.profile, ao);
  nlohmann::ordered_json needles = nlohmann::ordered_json::array();
  for (const auto& n : needle::find_needles(l.volume, ao.needle)) {
    const auto path = calib::plan_in_fence(fence, n.entry_mm, n.tip_mm);
    std::fprintf(text, "needle %d   entry %s; depth %.1f mm, %.1f deg axial, %.1f deg craniocaudal%s\n", n.id,
                calib::describe(path.entry).c_str(), path.depth_mm, path.angle_in_axial_deg, path.angle_craniocaudal_deg,
                n.entry_in_view ? "" : " (entry outside the volume)");
    auto j = calib::path_to_json(path);
    j["needle_id"] = n.id;
    j["entry_in_view"] = n.entry_in_view;
    needles.push_back(j);
  }
  out["needles"] = needles;
  if (!o.json_path.empty()) write_output(o.json_path, out.dump(2) + "\n");
  return 0;
}

template <class F>
int guarded(const char* name, F&& body) {
  try {
    return body();
  } catch (const ingest::IngestError& e) {
    std::fprintf(stderr, "sijtrack calibrate %s: %s\n", name, e.what());
    return e.exit_code();
  } catch (const calib::ProfileError& e) {
    std::fprintf(stderr, "sijtrack calibrate %s: scanner profile: %s\n", name, e.what());
    return kExitProfile;
  } catch (const calib::HuCalibrationError& e) {
    std::fprintf(stderr, "sijtrack calibrate %s: %s\n", name, e.what());
    return kExitNotMeasurable;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "sijtrack calibrate %s: %s\n", name, e.what());
    return 2;
  } catch (const OutputFileError& e) {
    std::fprintf(stderr, "sijtrack calibrate %s: %s\n", name, e.what());
    return 1;
  }
}

void common_options(CLI::App* cmd, CalibrateCliOptions& o) {
  cmd->add_option("scan", o.scan, "DICOM folder or .mha/.mhd/.nii/.nii.gz/.nrrd file")->required();
  cmd->add_option("--series", o.series_uid, "SeriesInstanceUID when the folder holds several series");
  cmd->add_option("--profile", o.profile_path, "Scanner profile to start from (default: chosen by the scan's DICOM tags)");
  cmd->add_option("--profiles", o.profiles_dir, "Folder of scanner profiles (default: config/scanners)");
}

}  // namespace

void register_calibrate(CLI::App& app) {
  static CalibrateCliOptions options;
  auto* cmd = app.add_subcommand("calibrate", "Scanner HU calibration, needle model, fence marker coordinates");
  cmd->require_subcommand(1);

  auto* hu = cmd->add_subcommand("hu", "Measure air and soft tissue; write the HU correction into a profile");
  common_options(hu, options);
  hu->add_option("--out", options.out_path, "Write the profile with the measured correction here");
  hu->add_option("--tissue", options.tissue, "Reference tissue: muscle (patient) or water (water phantom)");
  hu->callback([] { set_exit_code(guarded("hu", [] { return run_hu(options); })); });

  auto* nd = cmd->add_subcommand("needle", "Measure the needle's blooming and tip offset; store them in a profile");
  common_options(nd, options);
  nd->add_option("--length", options.length_mm, "Shaft length, hub to tip, mm")->capture_default_str();
  nd->add_option("--gauge", options.gauge, "Needle gauge, 18G .. 25G (default: the profile's)");
  nd->add_option("--truth", options.truth_path, "Phantom truth.json: tip offset against the true tip");
  nd->add_option("--out", options.out_path, "Write the profile with the needle measurements here");
  nd->callback([] { set_exit_code(guarded("needle", [] { return run_needle(options); })); });

  auto* fe = cmd->add_subcommand("fence", "Find the fence rods; give the entry point (and path) in fence coordinates");
  common_options(fe, options);
  fe->add_option("--entry", options.entry_mm, "Planned entry point x,y,z in LPS mm")->expected(3)->delimiter(',');
  fe->add_option("--target", options.target_mm, "Planned target x,y,z in LPS mm (needs --entry)")->expected(3)->delimiter(',');
  fe->add_option("--json", options.json_path, "Write the result (schema sijtrack.fence/1) to this file ('-' for stdout)");
  fe->callback([] {
    if (!options.target_mm.empty() && options.entry_mm.empty()) throw CLI::ValidationError("--target", "needs --entry");
    set_exit_code(guarded("fence", [] { return run_fence(options); }));
  });
}

}  // namespace sij::cli
