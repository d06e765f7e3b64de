#include "tools/gpu-check/ReportFields.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace sij::gpucheck {
namespace {

struct Collector {
  ReportFields fields;
  std::string prefix;
  void number(const std::string& name, double value) { fields.numbers.emplace_back(prefix + name, value); }
  void text(const std::string& name, const std::string& value) { fields.strings.emplace_back(prefix + name, value); }
  void point(const std::string& name, const double p[3]) {
    for (int c = 0; c < 3; ++c) number(name + "[" + std::to_string(c) + "]", p[c]);
  }
  void append(const ReportFields& other) {
    fields.numbers.insert(fields.numbers.end(), other.numbers.begin(), other.numbers.end());
    fields.strings.insert(fields.strings.end(), other.strings.begin(), other.strings.end());
  }
};

// FNV-1a of a byte mask: one number stands for the whole mask.
template <class T>
double checksum(const std::vector<T>& values) {
  std::uint64_t h = 1469598103934665603ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  for (std::size_t i = 0; i < values.size() * sizeof(T); ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  return static_cast<double>(h >> 11);  // exact in a double
}

}  // namespace

ReportFields needle_fields(const std::vector<needle::NeedleFinding>& needles) {
  Collector c;
  c.number("needles", static_cast<double>(needles.size()));
  for (std::size_t k = 0; k < needles.size(); ++k) {
    const auto& n = needles[k];
    c.prefix = "needle" + std::to_string(k) + ".";
    c.point("tip_mm", n.tip_mm);
    c.point("entry_mm", n.entry_mm);
    c.point("direction", n.direction);
    c.number("inserted_length_mm", n.inserted_length_mm);
    c.number("angle_to_axial_deg", n.angle_to_axial_deg);
    c.number("angle_in_axial_deg", n.angle_in_axial_deg);
    c.number("tip_uncertainty_mm", n.tip_uncertainty_mm);
    c.number("tip_plateau_hu", n.tip_plateau_hu);
    c.number("metal_voxels", static_cast<double>(n.metal_voxels));
    c.number("fit_rms_mm", n.fit_rms_mm);
    c.number("visible_length_mm", n.visible_length_mm);
    c.text("side", n.side);
  }
  return c.fields;
}

ReportFields joint_fields(const joint::JointAnalysis& joints) {
  Collector c;
  c.number("joints", static_cast<double>(joints.joints.size()));
  for (std::size_t k = 0; k < joints.joints.size(); ++k) {
    const auto& j = joints.joints[k];
    c.prefix = "joint" + std::to_string(k) + ".";
    c.text("side", j.side);
    c.number("gap_width_mm", j.gap_width_mm);
    c.number("gap_width_iqr_mm", j.gap_width_iqr_mm);
    c.number("width_samples", j.width_samples);
    c.number("craniocaudal_extent_mm", j.craniocaudal_extent_mm);
    c.number("volume_ml", j.volume_ml);
    c.number("voxels", static_cast<double>(j.voxels));
  }
  c.prefix = "joint_masks.";
  c.number("joint_label", checksum(joints.joint_label));
  c.number("bone_mask", checksum(joints.bone_mask));
  c.number("mid_surface", checksum(joints.mid_surface));
  return c.fields;
}

ReportFields report_fields(const analysis::ScanReport& report) {
  Collector c;
  std::vector<needle::NeedleFinding> needles;
  for (const auto& n : report.needles) needles.push_back(n.needle);
  c.append(needle_fields(needles));
  for (std::size_t k = 0; k < report.needles.size(); ++k) {
    const auto& r = report.needles[k].relation;
    c.prefix = "needle" + std::to_string(k) + ".relation.";
    c.number("joint_found", r.joint_found);
    c.text("joint_side", r.joint_side);
    c.number("tip_in_joint", r.tip_in_joint);
    c.number("tip_to_joint_mm", r.tip_to_joint_mm);
    c.number("depth_past_posterior_opening_mm", r.depth_past_posterior_opening_mm);
    c.number("correction_distance_mm", r.correction_distance_mm);
  }
  c.prefix = "";
  if (report.joint_analysis) c.append(joint_fields(*report.joint_analysis));
  c.prefix = "gas.";
  const auto& g = report.gas;
  c.number("analysed", g.analysed);
  c.number("injected_ml", g.injected_ml);
  c.number("intra_articular_ml", g.intra_articular_ml);
  c.number("peri_articular_ml", g.peri_articular_ml);
  c.number("distant_ml", g.distant_ml);
  c.number("preexisting_ml", g.preexisting_ml);
  c.number("joint_coverage", g.joint_coverage);
  c.number("mask", checksum(g.mask));
  c.text("joint_side", g.joint_side);
  c.prefix = "verdict.";
  c.text("line", report.verdict.line);
  return c.fields;
}

std::string compare_fields(const ReportFields& a, const ReportFields& b, double rel_tolerance,
                           double* max_abs_diff) {
  *max_abs_diff = 0.0;
  std::string first;
  if (a.numbers.size() != b.numbers.size() || a.strings.size() != b.strings.size()) {
    first = "different fields (" + std::to_string(a.numbers.size()) + " vs " +
            std::to_string(b.numbers.size()) + " numbers)";
  }
  for (std::size_t i = 0; i < a.numbers.size() && i < b.numbers.size(); ++i) {
    const double x = a.numbers[i].second, y = b.numbers[i].second;
    const double d = std::fabs(x - y);
    if (d > *max_abs_diff) *max_abs_diff = d;
    const bool same_name = a.numbers[i].first == b.numbers[i].first;
    if (first.empty() && (!same_name || !(d <= rel_tolerance * std::fmax(1.0, std::fabs(x))))) {
      char text[96];
      std::snprintf(text, sizeof text, ": cpu %.9g, device %.9g", x, y);
      first = a.numbers[i].first + text;
    }
  }
  for (std::size_t i = 0; first.empty() && i < a.strings.size() && i < b.strings.size(); ++i) {
    if (a.strings[i] != b.strings[i]) {
      first = a.strings[i].first + ": cpu '" + a.strings[i].second + "', device '" + b.strings[i].second + "'";
    }
  }
  return first;
}

}  // namespace sij::gpucheck
