#include "datasets/scoring/ScanScore.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkMetaImageIO.h>

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

ScanScore score_scan(const analysis::ScanReport& report, const nlohmann::json& truth, const nlohmann::json& manifest) {
  ScanScore score;
  score.scan_kind = truth.at("scan").at("kind").get<std::string>();
  score.needles_reported = static_cast<int>(report.needles.size());
  score.analysis_ms = report.timings_ms.count("total") ? report.timings_ms.at("total") : 0.0;
  const auto& t_needle = truth.at("needle");
  score.needle_expected = t_needle.at("present").get<bool>();

  if (score.needle_expected) {
    double true_tip[3], true_dir[3];
    read3(t_needle.at("tip_mm"), true_tip);
    read3(t_needle.at("direction"), true_dir);
    const analysis::NeedleReport* best = nullptr;
    double best_distance = std::numeric_limits<double>::infinity();
    for (const auto& entry : report.needles) {
      const double d = distance(entry.needle.tip_mm, true_tip);
      if (d < best_distance) {
        best_distance = d;
        best = &entry;
      }
    }
    if (best != nullptr && best_distance <= kMatchRadiusMm) {
      const auto& n = best->needle;
      score.needle_matched = true;
      score.tip_error_mm = best_distance;
      const double err[3] = {n.tip_mm[0] - true_tip[0], n.tip_mm[1] - true_tip[1], n.tip_mm[2] - true_tip[2]};
      score.tip_depth_error_mm = err[0] * true_dir[0] + err[1] * true_dir[1] + err[2] * true_dir[2];
      score.tip_lateral_error_mm = std::sqrt(std::max(0.0, best_distance * best_distance -
                                                               score.tip_depth_error_mm * score.tip_depth_error_mm));
      const double cosine = n.direction[0] * true_dir[0] + n.direction[1] * true_dir[1] + n.direction[2] * true_dir[2];
      score.direction_error_deg = std::acos(std::min(1.0, std::fabs(cosine))) * 180.0 / M_PI;
      score.side_correct = n.side == t_needle.at("side").get<std::string>();
      if (best->relation.joint_found) {
        score.in_joint_correct = best->relation.tip_in_joint == t_needle.at("tip_in_joint").get<bool>();
        score.tip_to_joint_error_mm = best->relation.tip_to_joint_mm - t_needle.at("tip_to_joint_mm").get<double>();
      }
    }
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

}  // namespace sij::scoring
