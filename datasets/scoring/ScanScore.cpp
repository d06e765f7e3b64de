#include "datasets/scoring/ScanScore.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkMetaImageIO.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <limits>

namespace sij::scoring {
namespace {

constexpr double kMatchRadiusMm = 5.0;  // farther than this, the reported needle is not the true one

double distance(const double a[3], const double b[3]) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

void read3(const nlohmann::json& j, double out[3]) {
  for (int k = 0; k < 3; ++k) out[k] = j.at(k).get<double>();
}

void score_gas(ScanScore& score, const analysis::ScanReport& report, const nlohmann::json& truth) {
  const auto& g = report.gas;
  const auto& t = truth.at("gas");
  score.gas_analysed = g.analysed;
  score.gas_injected_truth = t.at("injected").get<bool>();
  score.gas_injected_truth_ml = t.at("injected_in_fov_total_ml").get<double>();
  score.gas_intra_truth_ml = t.at("injected_in_fov_inside_joint_ml").get<double>();
  score.gas_bowel_truth_ml = t.at("preexisting_bowel_gas_ml").get<double>();
  score.gas_injected_ml = g.injected_ml;
  score.gas_intra_ml = g.intra_articular_ml;
  score.gas_preexisting_ml = g.preexisting_ml;
  score.gas_injected_error_ml = g.injected_ml - score.gas_injected_truth_ml;
  score.gas_intra_error_ml = g.intra_articular_ml - score.gas_intra_truth_ml;
  if (score.gas_injected_truth_ml > 0) {
    score.gas_injected_relative_error = std::fabs(score.gas_injected_error_ml) / score.gas_injected_truth_ml;
  }
  if (score.gas_intra_truth_ml > 0) {
    score.gas_intra_relative_error = std::fabs(score.gas_intra_error_ml) / score.gas_intra_truth_ml;
  }
}

}  // namespace

void score_gas_labels(ScanScore& score, const analysis::ScanReport& report, const std::vector<std::uint8_t>& labels) {
  const auto& mask = report.gas.mask;
  if (mask.empty() || mask.size() != labels.size()) return;
  constexpr std::uint8_t kInjectedBit = 2, kBowelBit = 4;
  std::int64_t both = 0, ours = 0, theirs = 0, bowel = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const bool a = mask[i] == gas::kInjected;
    const bool b = (labels[i] & kInjectedBit) != 0;
    both += a && b;
    ours += a;
    theirs += b;
    bowel += a && (labels[i] & kBowelBit) != 0;
  }
  const auto& grid = report.gas.grid;
  score.gas_bowel_as_injected_ml = bowel * static_cast<double>(grid.sx_mm) * grid.sy_mm * grid.sz_mm / 1000.0;
  if (theirs > 0) score.gas_dice = 2.0 * both / static_cast<double>(ours + theirs);
}

std::vector<std::uint8_t> read_phantom_labels(const std::string& path) {
  using Image = itk::Image<unsigned char, 3>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetImageIO(itk::MetaImageIO::New());
  reader->SetFileName(path);
  try {
    reader->Update();
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error("cannot read labels " + path + ": " + e.GetDescription());
  }
  const auto n = reader->GetOutput()->GetLargestPossibleRegion().GetNumberOfPixels();
  const unsigned char* data = reader->GetOutput()->GetBufferPointer();
  return std::vector<std::uint8_t>(data, data + n);
}

namespace {

// The true needles of a scan: "needles" when the truth lists several, else "needle".
std::vector<nlohmann::json> true_needles(const nlohmann::json& truth) {
  std::vector<nlohmann::json> out;
  if (truth.contains("needles")) {
    for (const auto& n : truth.at("needles")) {
      if (n.at("present").get<bool>()) out.push_back(n);
    }
  } else if (truth.at("needle").at("present").get<bool>()) {
    out.push_back(truth.at("needle"));
  }
  return out;
}

// Scores one true needle against the reported ones not yet claimed (`used`, by index).
NeedleScore score_needle(const analysis::ScanReport& report, const nlohmann::json& t_needle, std::vector<bool>& used) {
  NeedleScore score;
  score.side = t_needle.at("side").get<std::string>();
  double true_tip[3], true_dir[3];
  read3(t_needle.at("tip_mm"), true_tip);
  read3(t_needle.at("direction"), true_dir);
  int best = -1;
  double best_distance = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < report.needles.size(); ++k) {
    const double d = distance(report.needles[k].needle.tip_mm, true_tip);
    if (!used[k] && d < best_distance) {
      best_distance = d;
      best = static_cast<int>(k);
    }
  }
  if (best < 0 || best_distance > kMatchRadiusMm) return score;
  used[best] = true;
  const analysis::NeedleReport& entry = report.needles[best];
  const auto& n = entry.needle;
  score.matched = true;
  score.tip_error_mm = best_distance;
  const double err[3] = {n.tip_mm[0] - true_tip[0], n.tip_mm[1] - true_tip[1], n.tip_mm[2] - true_tip[2]};
  score.tip_depth_error_mm = err[0] * true_dir[0] + err[1] * true_dir[1] + err[2] * true_dir[2];
  score.tip_lateral_error_mm =
      std::sqrt(std::max(0.0, best_distance * best_distance - score.tip_depth_error_mm * score.tip_depth_error_mm));
  const double cosine = n.direction[0] * true_dir[0] + n.direction[1] * true_dir[1] + n.direction[2] * true_dir[2];
  score.direction_error_deg = std::acos(std::min(1.0, std::fabs(cosine))) * 180.0 / M_PI;
  score.side_correct = n.side == score.side;
  if (entry.relation.joint_found) {
    score.in_joint_correct = entry.relation.tip_in_joint == t_needle.at("tip_in_joint").get<bool>();
    score.tip_to_joint_error_mm = entry.relation.tip_to_joint_mm - t_needle.at("tip_to_joint_mm").get<double>();
  }
  return score;
}

double segment_distance(const double p[3], const double a[3], const double b[3]) {
  double ab[3], ap[3], len2 = 0, t = 0;
  for (int r = 0; r < 3; ++r) {
    ab[r] = b[r] - a[r];
    ap[r] = p[r] - a[r];
    len2 += ab[r] * ab[r];
    t += ap[r] * ab[r];
  }
  t = len2 > 0 ? std::clamp(t / len2, 0.0, 1.0) : 0.0;
  double d2 = 0;
  for (int r = 0; r < 3; ++r) d2 += (ap[r] - t * ab[r]) * (ap[r] - t * ab[r]);
  return std::sqrt(d2);
}

// Distance from p to the nearest implant surface of truth "hardware" (negative inside).
double hardware_distance(const nlohmann::json& hardware, const double p[3]) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& implant : hardware) {
    for (const auto& part : implant.at("parts")) {
      double a[3], b[3];
      read3(part.at("a_mm"), a);
      read3(part.at("b_mm"), b);
      best = std::min(best, segment_distance(p, a, b) - part.at("radius_mm").get<double>());
    }
  }
  return best;
}

// A reported needle lies on hardware when its tip, or at least half of its visible length
// (sampled every mm back from the tip), is within 3 mm of an implant's surface.
bool needle_on_hardware(const needle::NeedleFinding& n, const nlohmann::json& hardware) {
  constexpr double kNearMm = 3.0;
  if (hardware_distance(hardware, n.tip_mm) <= kNearMm) return true;
  const int samples = std::max(1, static_cast<int>(std::min(n.visible_length_mm, 200.0)));
  int near = 0;
  for (int k = 0; k < samples; ++k) {
    const double p[3] = {n.tip_mm[0] - n.direction[0] * k, n.tip_mm[1] - n.direction[1] * k,
                         n.tip_mm[2] - n.direction[2] * k};
    near += hardware_distance(hardware, p) <= kNearMm;
  }
  return 2 * near >= samples;
}

}  // namespace

ScanScore score_scan(const analysis::ScanReport& report, const nlohmann::json& truth, const nlohmann::json& manifest) {
  ScanScore score;
  score.scan_kind = truth.at("scan").at("kind").get<std::string>();
  score.needles_reported = static_cast<int>(report.needles.size());
  score.analysis_ms = report.timings_ms.count("total") ? report.timings_ms.at("total") : 0.0;
  std::vector<bool> used(report.needles.size(), false);
  for (const auto& t_needle : true_needles(truth)) {
    score.needles.push_back(score_needle(report, t_needle, used));
    score.needles_matched += score.needles.back().matched;
  }
  score.needle_expected = !score.needles.empty();
  if (score.needle_expected && !score.needles.empty()) {
    const NeedleScore& first = score.needles.front();
    score.needle_matched = first.matched;
    score.tip_error_mm = first.tip_error_mm;
    score.tip_lateral_error_mm = first.tip_lateral_error_mm;
    score.tip_depth_error_mm = first.tip_depth_error_mm;
    score.direction_error_deg = first.direction_error_deg;
    score.side_correct = first.side_correct;
    score.in_joint_correct = first.in_joint_correct;
    score.tip_to_joint_error_mm = first.tip_to_joint_error_mm;
  }
  if (truth.contains("hardware")) {
    score.hardware_in_view = true;
    for (const auto& entry : report.needles) score.needles_on_hardware += needle_on_hardware(entry.needle, truth.at("hardware"));
  }
  score_gas(score, report, truth);
  for (const auto& joint : report.joints) {
    for (const auto& t_joint : manifest.at("joints")) {
      if (t_joint.at("side").get<std::string>() == joint.side) {
        score.gap_width_errors_mm.push_back(joint.gap_width_mm - t_joint.at("gap_mm").get<double>());
      }
    }
  }
  return score;
}

void score_gas_per_side(ScanScore& score, const analysis::ScanReport& report, const std::vector<std::uint8_t>& labels,
                        const nlohmann::json& truth) {
  if (!truth.contains("gas_per_side")) return;
  const auto& mask = report.gas.mask;
  if (mask.empty() || mask.size() != labels.size()) return;
  // The planning (body) frame: scan = R * body + t, so body x = column 0 of R . (p - t).
  double r[9], t[3];
  for (int k = 0; k < 9; ++k) r[k] = truth.at("patient_motion").at("rotation_row_major").at(k).get<double>();
  read3(truth.at("patient_motion").at("translation_mm"), t);
  const auto& grid = report.gas.grid;
  constexpr std::uint8_t kInjectedBit = 2;
  std::int64_t ours[2] = {0, 0}, theirs[2] = {0, 0}, both[2] = {0, 0};  // [0] left (+x), [1] right
  for (int k = 0; k < grid.nz; ++k) {
    for (int j = 0; j < grid.ny; ++j) {
      for (int i = 0; i < grid.nx; ++i) {
        const std::size_t v = (static_cast<std::size_t>(k) * grid.ny + j) * grid.nx + i;
        const bool a = mask[v] == gas::kInjected, b = (labels[v] & kInjectedBit) != 0;
        if (!a && !b) continue;
        const double idx[3] = {double(i), double(j), double(k)};
        double p[3];
        report.gas.affine.index_to_physical(grid, idx, p);
        const double x_body = r[0] * (p[0] - t[0]) + r[3] * (p[1] - t[1]) + r[6] * (p[2] - t[2]);
        const int side = x_body >= 0 ? 0 : 1;
        ours[side] += a;
        theirs[side] += b;
        both[side] += a && b;
      }
    }
  }
  const double total = static_cast<double>(ours[0] + ours[1]);
  for (int side = 0; side < 2; ++side) {
    const std::string name = side == 0 ? "left" : "right";
    if (!truth.at("gas_per_side").contains(name)) continue;
    SideGasScore g;
    g.side = name;
    g.truth_ml = truth.at("gas_per_side").at(name).at("injected_in_fov_total_ml").get<double>();
    g.reported_ml = total > 0 ? report.gas.injected_ml * ours[side] / total : 0.0;
    if (g.truth_ml > 0) g.relative_error = std::fabs(g.reported_ml - g.truth_ml) / g.truth_ml;
    if (theirs[side] > 0) g.dice = 2.0 * both[side] / static_cast<double>(ours[side] + theirs[side]);
    score.gas_sides.push_back(g);
  }
}

}  // namespace sij::scoring
