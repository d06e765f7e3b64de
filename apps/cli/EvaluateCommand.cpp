// `sijtrack evaluate`: accuracy of the needle and joint stages over many phantom procedures
// with ground truth. Each seed's procedure is generated, analysed through the same ingest and
// analysis path as `analyze` (DICOM in), scored, and deleted unless --keep.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "apps/cli/Commands.h"
#include "apps/cli/OutputFile.h"
#include "datasets/phantom/Procedure.h"
#include "datasets/scoring/ScanScore.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::cli {
namespace {

namespace fs = std::filesystem;

struct EvaluateOptions {
  int first_seed = 1;
  int count = 10;
  std::string scenario = "seed";
  std::string side = "seed";
  std::string size = "test";
  std::string work_dir;
  bool keep = false;
  std::string csv_path;
  std::string markdown_path;
};

int scenario_code(const std::string& name) {
  if (name == "in") return 0;
  if (name == "short") return 1;
  if (name == "bone") return 2;
  return -1;
}
int side_code(const std::string& name) { return name == "left" ? 0 : name == "right" ? 1 : -1; }

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * (values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (rank - lo) * (values[hi] - values[lo]);
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return nlohmann::json::parse(in);
}

// Gas scores (datasets/scoring/ScanScore.h) over the procedures.
struct GasTotals {
  std::vector<double> injected_relative, injected_abs_ml, intra_relative, intra_abs_ml, dice;
  double bowel_as_injected_max_ml = 0.0;
  double before_injection_max_ml = 0.0;   // injected gas reported on scans before the injection
  int before_injection_scans = 0, before_injection_reports = 0;  // reports: > 0.02 mL
  int after_injection_scans = 0;
};

void add_gas(GasTotals& t, const scoring::ScanScore& s) {
  if (!s.gas_analysed) return;
  if (s.gas_bowel_as_injected_ml) t.bowel_as_injected_max_ml = std::max(t.bowel_as_injected_max_ml, *s.gas_bowel_as_injected_ml);
  if (!s.gas_injected_truth) {
    ++t.before_injection_scans;
    t.before_injection_max_ml = std::max(t.before_injection_max_ml, s.gas_injected_ml);
    t.before_injection_reports += s.gas_injected_ml > 0.02;
    return;
  }
  ++t.after_injection_scans;
  if (s.gas_injected_relative_error) t.injected_relative.push_back(*s.gas_injected_relative_error);
  t.injected_abs_ml.push_back(std::fabs(s.gas_injected_error_ml));
  if (s.gas_intra_relative_error) t.intra_relative.push_back(*s.gas_intra_relative_error);
  t.intra_abs_ml.push_back(std::fabs(s.gas_intra_error_ml));
  if (s.gas_dice && s.gas_injected_truth_ml >= 0.5) t.dice.push_back(*s.gas_dice);
}

std::string gas_summary_rows(const GasTotals& t) {
  char buf[2048];
  std::snprintf(buf, sizeof buf,
                "| gas: post-injection scans scored | %d |\n"
                "| gas: injected volume relative error median / 95th pct | %.1f %% / %.1f %% |\n"
                "| gas: injected volume abs error median / 95th pct (mL) | %.3f / %.3f |\n"
                "| gas: intra-articular relative error median (truth > 0) / abs median (mL) | %.1f %% / %.3f |\n"
                "| gas: Dice of injected mask (truth >= 0.5 mL) median / min | %.3f / %.3f |\n"
                "| gas: bowel gas counted as injected, max (mL) | %.3f |\n"
                "| gas: injected gas on scans before the injection, max (mL); scans > 0.02 mL | %.3f; %d / %d |\n",
                t.after_injection_scans, 100 * percentile(t.injected_relative, 50), 100 * percentile(t.injected_relative, 95),
                percentile(t.injected_abs_ml, 50), percentile(t.injected_abs_ml, 95), 100 * percentile(t.intra_relative, 50),
                percentile(t.intra_abs_ml, 50), percentile(t.dice, 50), percentile(t.dice, 0), t.bowel_as_injected_max_ml,
                t.before_injection_max_ml, t.before_injection_reports, t.before_injection_scans);
  return buf;
}

// Per side of the patient, for bilateral procedures: each true needle and each injection.
struct SideTotals {
  std::vector<double> tip, gas_relative, gas_dice;
  int needle_scans = 0, matched = 0, side_right = 0, in_joint_answers = 0, in_joint_right = 0;
};

struct Totals {
  GasTotals gas;
  bool bilateral = false, hardware = false;
  SideTotals sides[2];  // [0] left, [1] right
  int hardware_scans = 0, needles_on_hardware = 0, planning_needles_on_hardware = 0;
  std::vector<double> tip, lateral, depth, direction, tip_to_joint, gap, analysis_ms;
  int needle_scans = 0, matched = 0, side_right = 0, in_joint_answers = 0, in_joint_right = 0;
  int planning_scans = 0, planning_false_needles = 0, extra_needles = 0;
};

void add_sides(Totals& t, const scoring::ScanScore& s) {
  if (s.needles.size() > 1) t.bilateral = true;
  if (s.scan_kind == "needle_final" && s.needles.size() > 1) {
    for (const auto& n : s.needles) {
      SideTotals& side = t.sides[n.side == "left" ? 0 : 1];
      ++side.needle_scans;
      if (!n.matched) continue;
      ++side.matched;
      side.tip.push_back(n.tip_error_mm);
      side.side_right += n.side_correct;
      if (n.in_joint_correct) {
        ++side.in_joint_answers;
        side.in_joint_right += *n.in_joint_correct;
      }
    }
  }
  for (const auto& g : s.gas_sides) {
    SideTotals& side = t.sides[g.side == "left" ? 0 : 1];
    if (g.relative_error) side.gas_relative.push_back(*g.relative_error);
    if (g.dice && g.truth_ml >= 0.5) side.gas_dice.push_back(*g.dice);
  }
  if (s.hardware_in_view) {
    t.hardware = true;
    ++t.hardware_scans;
    t.needles_on_hardware += s.needles_on_hardware;
    if (!s.needle_expected) t.planning_needles_on_hardware += s.needles_on_hardware;
  }
}

// Rows that only some scenarios have: per side (bilateral), needles on hardware.
std::string scenario_rows(const Totals& t) {
  std::string out;
  char buf[1024];
  if (t.bilateral) {
    for (int k = 0; k < 2; ++k) {
      const SideTotals& s = t.sides[k];
      const char* name = k == 0 ? "left" : "right";
      std::snprintf(buf, sizeof buf,
                    "| %s needle: found / tip error median / 95th pct / max (mm) | %d / %d; %.2f / %.2f / %.2f |\n"
                    "| %s needle: side right; in/out of joint right | %d / %d; %d / %d |\n"
                    "| %s gas: injected volume relative error median / 95th pct; Dice median | %.1f %% / %.1f %%; %.3f |\n",
                    name, s.matched, s.needle_scans, percentile(s.tip, 50), percentile(s.tip, 95),
                    percentile(s.tip, 100), name, s.side_right, s.matched, s.in_joint_right, s.in_joint_answers, name,
                    100 * percentile(s.gas_relative, 50), 100 * percentile(s.gas_relative, 95),
                    percentile(s.gas_dice, 50));
      out += buf;
    }
  }
  if (t.hardware) {
    std::snprintf(buf, sizeof buf,
                  "| needles reported on hardware: all scans; planning scans | %d (in %d scans); %d |\n",
                  t.needles_on_hardware, t.hardware_scans, t.planning_needles_on_hardware);
    out += buf;
  }
  return out;
}

std::string summary_markdown(const Totals& t, const EvaluateOptions& o, double seconds) {
  char buf[4096];
  const auto pct = [](int a, int b) { return b ? 100.0 * a / b : std::nan(""); };
  std::snprintf(buf, sizeof buf,
                "| measure | value |\n| --- | ---: |\n"
                "| procedures | %d (seeds %d-%d, scenario %s, side %s, size %s) |\n"
                "| needle found (within 5 mm of truth) | %d / %d |\n"
                "| tip error median / 95th pct / max (mm) | %.2f / %.2f / %.2f |\n"
                "| tip lateral error median / 95th pct (mm) | %.2f / %.2f |\n"
                "| tip depth error median / 95th pct (mm, signed) | %+.2f / %+.2f |\n"
                "| direction error median / max (deg) | %.2f / %.2f |\n"
                "| side correct | %.1f %% |\n"
                "| in/out of joint correct | %d / %d (%.1f %%) |\n"
                "| tip-to-joint error median / 95th pct of abs (mm) | %.2f / %.2f |\n"
                "| gap width error median / 95th pct of abs (mm) | %.2f / %.2f |\n"
                "| needles reported on planning scans | %d (in %d scans) |\n"
                "| extra needles on needle scans | %d |\n"
                "| analysis time median (ms) | %.0f |\n"
                "| wall time of the evaluation (s) | %.0f |\n",
                o.count, o.first_seed, o.first_seed + o.count - 1, o.scenario.c_str(), o.side.c_str(), o.size.c_str(),
                t.matched, t.needle_scans, percentile(t.tip, 50), percentile(t.tip, 95), percentile(t.tip, 100),
                percentile(t.lateral, 50), percentile(t.lateral, 95), percentile(t.depth, 50), percentile(t.depth, 95),
                percentile(t.direction, 50), percentile(t.direction, 100), pct(t.side_right, t.matched),
                t.in_joint_right, t.in_joint_answers, pct(t.in_joint_right, t.in_joint_answers),
                percentile(t.tip_to_joint, 50), percentile(t.tip_to_joint, 95), percentile(t.gap, 50),
                percentile(t.gap, 95), t.planning_false_needles, t.planning_scans, t.extra_needles,
                percentile(t.analysis_ms, 50), seconds);
  return buf;
}

int run_evaluate(const EvaluateOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path work = o.work_dir.empty() ? fs::temp_directory_path() / "sijtrack-evaluate" : fs::path(o.work_dir);
  fs::create_directories(work);
  std::ofstream csv;
  if (!o.csv_path.empty()) {
    create_parent_folders(o.csv_path);
    csv.open(o.csv_path);
    if (!csv) throw OutputFileError("cannot write " + o.csv_path + ": " + std::strerror(errno));
    csv << "seed,scan,needle_expected,needles_reported,matched,tip_error_mm,lateral_mm,depth_mm,direction_deg,"
           "side_correct,in_joint_correct,tip_to_joint_error_mm,analysis_ms,"
           "gas_truth_ml,gas_injected_ml,gas_intra_truth_ml,gas_intra_ml,gas_preexisting_ml,gas_dice,gas_bowel_as_injected_ml\n";
  }
  analysis::AnalyzeOptions analyze_options;
  analyze_options.backend = default_backend();
  Totals totals;
  for (int k = 0; k < o.count; ++k) {
    const int seed = o.first_seed + k;
    phantom::PhantomOptions p;
    p.seed = static_cast<std::uint64_t>(seed);
    p.size = o.size == "full" ? phantom::PhantomSize::Full : phantom::PhantomSize::Test;
    p.out_dir = (work / ("seed_" + std::to_string(seed))).string();
    p.scenario = scenario_code(o.scenario);
    if (const auto variant = phantom::variant_from_name(o.scenario)) p.variant = *variant;
    p.side = side_code(o.side);
    p.write_mha = false;
    p.only_scans = {0, 2, 3};  // planning, needle at its final position, after the injection (gas)
    const auto procedure = phantom::generate_procedure(p);
    const auto manifest = read_json(fs::path(p.out_dir) / "manifest.json");

    std::optional<analysis::ScanReport> previous;
    for (const auto& scan : procedure.scans) {
      const fs::path scan_dir = fs::path(p.out_dir) / scan.dir;
      // Shared, so that the next scan's gas stage can align to this volume.
      auto volume = std::make_shared<const Volume>(ingest::ingest((scan_dir / "dicom").string()));
      const auto report = analysis::analyze_scan(std::move(volume), analyze_options, previous ? &*previous : nullptr);
      auto score = scoring::score_scan(report, read_json(scan_dir / "truth.json"), manifest);
      const auto labels = scoring::read_phantom_labels((scan_dir / "labels.mha").string());
      scoring::score_gas_labels(score, report, labels);
      scoring::score_gas_per_side(score, report, labels, read_json(scan_dir / "truth.json"));
      previous = report;
      add_gas(totals.gas, score);
      add_sides(totals, score);
      if (csv.is_open()) {
        csv << seed << ',' << score.scan_kind << ',' << score.needle_expected << ',' << score.needles_reported << ','
            << score.needle_matched << ',' << score.tip_error_mm << ',' << score.tip_lateral_error_mm << ','
            << score.tip_depth_error_mm << ',' << score.direction_error_deg << ',' << score.side_correct << ','
            << (score.in_joint_correct ? std::to_string(*score.in_joint_correct) : "") << ','
            << (score.tip_to_joint_error_mm ? std::to_string(*score.tip_to_joint_error_mm) : "") << ','
            << score.analysis_ms << ',' << score.gas_injected_truth_ml << ',' << score.gas_injected_ml << ','
            << score.gas_intra_truth_ml << ',' << score.gas_intra_ml << ',' << score.gas_preexisting_ml << ','
            << (score.gas_dice ? std::to_string(*score.gas_dice) : "") << ','
            << (score.gas_bowel_as_injected_ml ? std::to_string(*score.gas_bowel_as_injected_ml) : "") << '\n';
      }
      if (score.scan_kind == "post_injection") {
        // Scored for gas only: the needle rows stay on the planning and final-needle scans.
        std::printf("[%d/%d] seed %d post-injection: injected %.3f mL (truth %.3f), intra-articular %.3f (truth %.3f)%s\n",
                    k + 1, o.count, seed, score.gas_injected_ml, score.gas_injected_truth_ml, score.gas_intra_ml,
                    score.gas_intra_truth_ml,
                    score.gas_dice ? (", Dice " + std::to_string(*score.gas_dice).substr(0, 5)).c_str() : "");
        std::fflush(stdout);
        continue;
      }
      totals.analysis_ms.push_back(score.analysis_ms);
      for (double e : score.gap_width_errors_mm) totals.gap.push_back(std::fabs(e));
      if (!score.needle_expected) {
        ++totals.planning_scans;
        totals.planning_false_needles += score.needles_reported;
      } else {
        ++totals.needle_scans;
        if (score.needle_matched) {
          ++totals.matched;
          totals.extra_needles += score.needles_reported - score.needles_matched;
          totals.tip.push_back(score.tip_error_mm);
          totals.lateral.push_back(score.tip_lateral_error_mm);
          totals.depth.push_back(score.tip_depth_error_mm);
          totals.direction.push_back(score.direction_error_deg);
          totals.side_right += score.side_correct;
          if (score.in_joint_correct) {
            ++totals.in_joint_answers;
            totals.in_joint_right += *score.in_joint_correct;
          }
          if (score.tip_to_joint_error_mm) totals.tip_to_joint.push_back(std::fabs(*score.tip_to_joint_error_mm));
        } else {
          totals.extra_needles += score.needles_reported - score.needles_matched;
        }
      }
      if (score.needle_expected) {
        std::printf("[%d/%d] seed %d %s/%s: tip error %s, in-joint %s, %0.f ms\n", k + 1, o.count, seed,
                    procedure.scenario.c_str(), procedure.side.c_str(),
                    score.needle_matched ? (std::to_string(score.tip_error_mm).substr(0, 5) + " mm").c_str() : "NOT FOUND",
                    score.in_joint_correct ? (*score.in_joint_correct ? "right" : "WRONG") : "n/a", score.analysis_ms);
        std::fflush(stdout);
      }
    }
    if (!o.keep) fs::remove_all(p.out_dir);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string table = summary_markdown(totals, o, seconds) + gas_summary_rows(totals.gas) + scenario_rows(totals);
  std::printf("\n%s", table.c_str());
  if (!o.markdown_path.empty()) {
    write_output(o.markdown_path, table + "\n", "a");
  }
  return 0;
}

}  // namespace

void register_evaluate(CLI::App& app) {
  static EvaluateOptions options;
  auto* cmd = app.add_subcommand("evaluate", "Score needle and joint analysis on generated phantom procedures");
  cmd->add_option("--first-seed", options.first_seed, "First phantom seed");
  cmd->add_option("--count", options.count, "Number of procedures (seeds first-seed, first-seed+1, ...)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--scenario", options.scenario,
                  "in, short, bone or seed; or a clinical variant (docs/datasets.md): inplane, bilateral, narrow, "
                  "hardware, distended, thin")
      ->check(CLI::IsMember({"in", "short", "bone", "seed", "inplane", "bilateral", "narrow", "hardware", "distended",
                             "thin"}));
  cmd->add_option("--side", options.side, "left, right or seed")->check(CLI::IsMember({"left", "right", "seed"}));
  cmd->add_option("--size", options.size, "test or full")->check(CLI::IsMember({"test", "full"}));
  cmd->add_option("--work", options.work_dir, "Folder for the generated procedures (default: a temp folder)");
  cmd->add_flag("--keep", options.keep, "Keep the generated procedures");
  cmd->add_option("--csv", options.csv_path, "Write one row per scored scan");
  cmd->add_option("--markdown", options.markdown_path, "Append the summary table to this Markdown file");
  cmd->callback([] { set_exit_code(run_evaluate(options)); });
}

}  // namespace sij::cli
