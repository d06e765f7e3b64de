#include "pipeline/analysis/ReportJson.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "pipeline/verdict/VerdictRules.h"

namespace sij::analysis {
namespace {

nlohmann::json vec3(const double v[3]) { return nlohmann::json::array({v[0], v[1], v[2]}); }

// Rounds for the report: micrometres are beyond what CT can tell, and short numbers read better.
double round_to(double value, double step) { return std::round(value / step) * step; }
nlohmann::json mm3(const double v[3]) {
  return nlohmann::json::array({round_to(v[0], 1e-3), round_to(v[1], 1e-3), round_to(v[2], 1e-3)});
}
nlohmann::json unit3(const double v[3]) {
  return nlohmann::json::array({round_to(v[0], 1e-6), round_to(v[1], 1e-6), round_to(v[2], 1e-6)});
}

nlohmann::json needle_json(const NeedleReport& entry) {
  const auto& n = entry.needle;
  const auto& r = entry.relation;
  nlohmann::json j = {
      {"id", n.id},
      {"tip_mm", mm3(n.tip_mm)},
      {"tip_uncertainty_mm", round_to(n.tip_uncertainty_mm, 1e-3)},
      {"entry_mm", mm3(n.entry_mm)},
      {"direction", unit3(n.direction)},
      {"inserted_length_mm", round_to(n.inserted_length_mm, 1e-3)},
      // The axis left the field of view before the skin: the length is a lower bound.
      {"inserted_length_is_lower_bound", !n.entry_in_view},
      {"angle_to_axial_deg", round_to(n.angle_to_axial_deg, 1e-2)},
      {"angle_in_axial_deg", round_to(n.angle_in_axial_deg, 1e-2)},
      {"side", n.side},
      {"metal_voxels", n.metal_voxels},
      {"fit_rms_mm", round_to(n.fit_rms_mm, 1e-3)},
      {"joint_found", r.joint_found},
      {"tip_in_joint", r.tip_in_joint},
      {"tip_to_joint_mm", r.joint_found ? nlohmann::json(round_to(r.tip_to_joint_mm, 1e-3)) : nlohmann::json()},
      {"side_rule", n.side_rule},
  };
  if (!r.joint_found && !r.not_found_reason.empty()) {
    j["joint_not_found_reason"] = r.not_found_reason;
    if (r.not_found_reason == "too_far") j["distance_to_joint_mm"] = round_to(r.distance_to_far_joint_mm, 0.1);
  }
  if (r.joint_found) {
    j["joint_side"] = r.joint_side;
    j["nearest_joint_point_mm"] = mm3(r.nearest_joint_point_mm);
    j["depth_past_posterior_opening_mm"] = round_to(r.depth_past_posterior_opening_mm, 1e-3);
    if (!r.tip_in_joint) {
      j["correction"] = {{"direction", unit3(r.correction_direction)},
                         {"distance_mm", round_to(r.correction_distance_mm, 1e-3)}};
    }
  }
  if (entry.previous_id) j["previous_id"] = *entry.previous_id;
  if (entry.tip_moved_mm) {
    j["tip_moved_mm"] = round_to(*entry.tip_moved_mm, 1e-3);
    j["tip_moved_frame"] = entry.tip_moved_in_patient_frame ? "patient" : "scanner";
  }
  if (entry.target_error_mm) {
    j["target"] = {{"error_mm", round_to(*entry.target_error_mm, 1e-3)},
                   {"lateral_mm", round_to(*entry.target_lateral_mm, 1e-3)},
                   {"depth_mm", round_to(*entry.target_depth_mm, 1e-3)}};
  }
  return j;
}

nlohmann::json joint_json(const joint::JointFinding& joint) {
  return {{"side", joint.side},
          {"gap_width_mm", round_to(joint.gap_width_mm, 1e-3)},
          {"posterior_opening_mm", mm3(joint.posterior_opening_mm)},
          {"centroid_mm", mm3(joint.centroid_mm)},
          {"craniocaudal_extent_mm", round_to(joint.craniocaudal_extent_mm, 1e-2)},
          {"volume_ml", round_to(joint.volume_ml, 1e-4)}};
}

nlohmann::json metal_object_json(const needle::MetalObject& m) {
  return {{"kind", "metal that is not a needle"},
          {"side", m.side.empty() ? nlohmann::json() : nlohmann::json(m.side)},
          {"centroid_mm", mm3(m.centroid_mm)},
          {"box_min_mm", mm3(m.box_min_mm)},
          {"box_max_mm", mm3(m.box_max_mm)},
          {"volume_ml", round_to(m.volume_ml, 1e-3)},
          {"length_mm", round_to(m.length_mm, 0.1)},
          {"thickness_mm", round_to(m.thickness_mm, 0.1)}};
}

const char* gas_class_name(gas::GasClass cls) {
  switch (cls) {
    case gas::kInjected: return "injected";
    case gas::kPreexisting: return "preexisting";
    case gas::kArtifact: return "artifact";
    default: return "none";
  }
}

// The gas stage's answer (docs/report.md, "Gas"); null when the stage did not run.
nlohmann::json gas_json(const gas::GasFinding& g, bool reaches_scan_edge) {
  if (!g.analysed) return nullptr;
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& a : g.alerts) {
    alerts.push_back({{"code", a.code},
                      {"message", a.message},
                      {"distance_from_joint_mm", round_to(a.distance_from_joint_mm, 0.1)},
                      {"volume_ml", round_to(a.volume_ml, 1e-3)}});
  }
  nlohmann::json components = nlohmann::json::array();
  for (const auto& c : g.components) {
    components.push_back({{"class", gas_class_name(c.cls)},
                          {"reason", c.reason},
                          {"volume_ml", round_to(c.volume_ml, 1e-3)},
                          {"centroid_mm", mm3(c.centroid_mm)},
                          {"nearest_site_mm", c.nearest_site_mm < 0 ? nlohmann::json() : nlohmann::json(round_to(c.nearest_site_mm, 0.1))},
                          {"previous_air_fraction", c.previous_air_fraction < 0 ? nlohmann::json() : nlohmann::json(round_to(c.previous_air_fraction, 1e-3))}});
  }
  return {{"injected_ml", round_to(g.injected_ml, 1e-3)},
          {"intra_articular_ml", round_to(g.intra_articular_ml, 1e-3)},
          {"peri_articular_ml", round_to(g.peri_articular_ml, 1e-3)},
          {"distant_ml", round_to(g.distant_ml, 1e-3)},
          {"preexisting_ml", round_to(g.preexisting_ml, 1e-3)},
          {"intra_articular_fraction", g.injected_ml > 0 ? nlohmann::json(round_to(g.intra_articular_ml / g.injected_ml, 1e-3))
                                                          : nlohmann::json()},
          {"spread_craniocaudal_mm", round_to(g.spread_craniocaudal_mm, 0.1)},
          {"reaches_scan_edge", reaches_scan_edge},  // injected volume and spread are then lower bounds
          {"joint_coverage", round_to(g.joint_coverage, 1e-3)},
          {"farthest_from_tip_mm", round_to(g.farthest_from_tip_mm, 0.1)},
          {"joint_side", g.joint_side.empty() ? nlohmann::json() : nlohmann::json(g.joint_side)},
          {"aligned_to_previous", g.aligned_to_previous},
          {"alignment_shift_mm", round_to(g.alignment_shift_mm, 1e-3)},
          {"alerts", alerts},
          {"components", components}};
}

const char* side_word(const std::string& side) { return side.empty() ? "?" : side.c_str(); }

// "  gas: injected 2.88 mL (intra-articular 0.30 = 10 %, peri-articular 1.69, distant 0.89), ...;
// spread ≥ 30 mm" -- "≥" where the injected gas reaches the edge of the scanned range; no spread
// or coverage when no gas was injected.
std::string gas_summary_line(const ScanReport& report) {
  const auto& g = report.gas;
  const char* aligned = g.aligned_to_previous ? ", aligned to the previous scan" : "";
  char line[512];
  if (report.verdict.gas == verdict::GasCall::NotApplicable) {
    std::snprintf(line, sizeof line, "  gas: no injected gas; pre-existing %.2f mL%s", g.preexisting_ml, aligned);
    return line;
  }
  const char* bound = report.gas_reaches_scan_edge ? "\u2265 " : "";
  std::snprintf(line, sizeof line,
                "  gas: injected %s%.2f mL (intra-articular %.2f = %.0f %% of it, peri-articular %.2f, distant %.2f), "
                "pre-existing %.2f mL; spread %s%.0f mm, joint coverage %.0f %%%s%s",
                bound, g.injected_ml, g.intra_articular_ml, g.injected_ml > 0 ? 100.0 * g.intra_articular_ml / g.injected_ml : 0.0,
                g.peri_articular_ml, g.distant_ml, g.preexisting_ml, bound, g.spread_craniocaudal_mm,
                100.0 * g.joint_coverage, aligned,
                report.gas_reaches_scan_edge ? "; the gas leaves the scanned range: volume and spread are lower bounds" : "");
  return line;
}

}  // namespace

nlohmann::json to_json(const ScanReport& report) {
  nlohmann::json j;
  j["schema"] = kScanReportSchema;
  j["coordinates"] = "DICOM patient (LPS), mm";
  const auto& s = report.source;
  j["source"] = {{"path", s.source_path},       {"format", s.source_format},
                 {"study_uid", s.study_uid},    {"series_uid", s.series_uid},
                 {"acquisition_time", s.acquisition_time}, {"series_description", s.series_description},
                 {"patient_position", s.patient_position}};
  j["geometry"] = {{"size", {report.grid.nx, report.grid.ny, report.grid.nz}},
                   {"spacing_mm", {report.grid.sx_mm, report.grid.sy_mm, report.grid.sz_mm}},
                   {"origin_mm", vec3(report.affine.origin_mm)},
                   {"direction_row_major", std::vector<double>(report.affine.direction, report.affine.direction + 9)}};
  j["needles"] = nlohmann::json::array();
  for (const auto& needle : report.needles) j["needles"].push_back(needle_json(needle));
  j["joints"] = nlohmann::json::array();
  for (const auto& joint : report.joints) j["joints"].push_back(joint_json(joint));
  j["joints_rejected"] = nlohmann::json::array();
  if (report.joint_analysis) {
    for (const auto& reason : report.joint_analysis->rejected) j["joints_rejected"].push_back(reason);
  }
  j["metal_objects"] = nlohmann::json::array();
  for (const auto& metal : report.hardware) j["metal_objects"].push_back(metal_object_json(metal));
  j["gas"] = gas_json(report.gas, report.gas_reaches_scan_edge);
  j["input_warnings"] = report.input_warnings;
  j["verdict"] = {{"needle", verdict::needle_call_name(report.verdict.needle)},
                  {"gas", verdict::gas_call_name(report.verdict.gas)},
                  {"needle_text", report.verdict.needle_text},
                  {"gas_text", report.verdict.gas_text},
                  {"line", report.verdict.line},
                  {"reasons", report.verdict.reasons}};
  j["backend"] = report.backend;
  if (!report.scanner_profile.empty()) {
    j["scanner_profile"] = {{"name", report.scanner_profile}, {"rule", report.scanner_profile_rule}};
  }
  j["timings_ms"] = nlohmann::json::object();
  for (const auto& [stage, ms] : report.timings_ms) j["timings_ms"][stage] = round_to(ms, 0.1);
  return j;
}

std::string console_summary(const ScanReport& report) {
  std::string out;
  char line[512];
  const auto add = [&](const char* text) { out += text; out += '\n'; };
  // The verdict first: the one line the physician reads.
  if (!report.verdict.line.empty()) add(("VERDICT: " + report.verdict.line).c_str());
  for (const auto& warning : report.input_warnings) add(("WARNING: " + warning).c_str());
  std::snprintf(line, sizeof line, "scan %s  (%dx%dx%d, %.2fx%.2fx%.2f mm)",
                report.source.series_description.empty() ? report.source.source_path.c_str()
                                                          : report.source.series_description.c_str(),
                report.grid.nx, report.grid.ny, report.grid.nz, report.grid.sx_mm, report.grid.sy_mm,
                report.grid.sz_mm);
  add(line);
  if (report.needles.empty()) add("  no needle found");
  for (const auto& entry : report.needles) {
    const auto& n = entry.needle;
    const auto& r = entry.relation;
    std::snprintf(line, sizeof line,
                  "  needle %d (%s): tip (%.1f, %.1f, %.1f) mm +/- %.1f, inserted %s%.1f mm%s, %.1f deg to axial",
                  n.id, side_word(n.side), n.tip_mm[0], n.tip_mm[1], n.tip_mm[2], n.tip_uncertainty_mm,
                  n.entry_in_view ? "" : "at least ", n.inserted_length_mm,
                  n.entry_in_view ? "" : " (the entry lies outside the field of view)", n.angle_to_axial_deg);
    add(line);
    if (!r.joint_found && r.not_found_reason == "side_not_found") {
      std::snprintf(line, sizeof line, "    joint: the %s joint was not found in this scan", side_word(r.joint_side));
      add(line);
    } else if (!r.joint_found && r.not_found_reason == "too_far") {
      std::snprintf(line, sizeof line, "    joint: the %s joint lies %.0f mm away, too far to relate", side_word(r.joint_side),
                    r.distance_to_far_joint_mm);
      add(line);
    } else if (!r.joint_found) {
      add("    joint: not found in this scan");
    } else if (r.tip_in_joint) {
      std::snprintf(line, sizeof line, "    tip IN the %s joint space (%.1f mm inside), %.1f mm past the posterior opening",
                    side_word(r.joint_side), -r.tip_to_joint_mm, r.depth_past_posterior_opening_mm);
      add(line);
    } else if (r.correction_distance_mm < n.tip_uncertainty_mm) {
      std::snprintf(line, sizeof line,
                    "    tip at the %s joint space: %.1f mm outside, within the %.1f mm tip uncertainty (at the target)",
                    side_word(r.joint_side), r.tip_to_joint_mm, n.tip_uncertainty_mm);
      add(line);
    } else {
      std::snprintf(line, sizeof line,
                    "    tip OUTSIDE the %s joint space: %.1f mm away; move %.1f mm along (%.2f, %.2f, %.2f)",
                    side_word(r.joint_side), r.tip_to_joint_mm, r.correction_distance_mm,
                    r.correction_direction[0], r.correction_direction[1], r.correction_direction[2]);
      add(line);
    }
    if (entry.tip_moved_mm) {
      std::snprintf(line, sizeof line, "    moved %.1f mm since the previous scan (%s)", *entry.tip_moved_mm,
                    entry.tip_moved_in_patient_frame ? "in the patient, after aligning the scans"
                                                     : "in scanner coordinates: the scans could not be aligned");
      add(line);
    }
    if (entry.target_error_mm) {
      std::snprintf(line, sizeof line, "    to target: %.1f mm (lateral %.1f, depth %+.1f)", *entry.target_error_mm,
                    *entry.target_lateral_mm, *entry.target_depth_mm);
      add(line);
    }
  }
  for (const auto& joint : report.joints) {
    std::snprintf(line, sizeof line, "  %s joint: gap %.1f mm, %.0f mm craniocaudal", side_word(joint.side),
                  joint.gap_width_mm, joint.craniocaudal_extent_mm);
    add(line);
  }
  if (report.joint_analysis) {
    for (const auto& reason : report.joint_analysis->rejected) add(("  not a sacroiliac joint: " + reason).c_str());
  }
  for (const auto& metal : report.hardware) {
    std::snprintf(line, sizeof line, "  metal that is not a needle (%s): %.1f mL, %.0f mm long, %.0f mm thick; not a trocar",
                  metal.side.empty() ? "side unknown" : metal.side.c_str(), metal.volume_ml, metal.length_mm, metal.thickness_mm);
    add(line);
  }
  if (report.gas.analysed) add(gas_summary_line(report).c_str());
  for (const auto& alert : report.gas.alerts) add(("    ALERT: " + alert.message).c_str());
  std::snprintf(line, sizeof line, "  analysed in %.0f ms on %s", report.timings_ms.count("total") ? report.timings_ms.at("total") : 0.0,
                report.backend.c_str());
  add(line);
  return out;
}

}  // namespace sij::analysis
