#include "pipeline/analysis/ScanAnalyzer.h"

#include <chrono>
#include <cmath>
#include <future>
#include <limits>
#include <string>

#include "pipeline/analysis/InputCheck.h"
#include "pipeline/verdict/VerdictRules.h"
#include "pipeline/gas/GasAnalyzer.h"

namespace sij::analysis {
namespace {

class StageClock {
 public:
  explicit StageClock(std::map<std::string, double>& timings) : timings_(timings) {}
  template <class Work>
  auto time(const char* stage, Work&& work) {
    const auto start = std::chrono::steady_clock::now();
    auto result = work();
    timings_[stage] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

 private:
  std::map<std::string, double>& timings_;
};

double dot(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// Distance from point p to the infinite line through `point` along unit `direction`.
double distance_to_axis(const double p[3], const double point[3], const double direction[3]) {
  const double d[3] = {p[0] - point[0], p[1] - point[1], p[2] - point[2]};
  const double along = dot(d, direction);
  const double across[3] = {d[0] - along * direction[0], d[1] - along * direction[1], d[2] - along * direction[2]};
  return std::sqrt(dot(across, across));
}

// The previous scan's needle lying on (nearly) the same axis, if any: the closest match.
const NeedleReport* match_previous(const needle::NeedleFinding& now, const ScanReport& previous,
                                   const AnalyzeOptions& options) {
  const NeedleReport* best = nullptr;
  double best_distance = std::numeric_limits<double>::infinity();
  const double cos_limit = std::cos(options.same_needle_angle_deg * M_PI / 180.0);
  for (const auto& candidate : previous.needles) {
    const auto& before = candidate.needle;
    if (std::fabs(dot(now.direction, before.direction)) < cos_limit) continue;
    // Compare the earlier tip with the current axis: advancing the needle moves the tip along
    // the axis, not across it.
    const double distance = distance_to_axis(before.tip_mm, now.tip_mm, now.direction);
    if (distance <= options.same_needle_axis_distance_mm && distance < best_distance) {
      best_distance = distance;
      best = &candidate;
    }
  }
  return best;
}

// How far a needle's tip moved since the previous scan. With the alignment, this tip is mapped
// into the previous scan's frame first: the patient's own motion between the scans cancels.
void measure_movement(NeedleReport& entry, const ScanReport& previous, const align::AlignResult* aligned) {
  if (!entry.previous_id) return;
  for (const auto& before : previous.needles) {
    if (before.needle.id != *entry.previous_id) continue;
    double tip[3] = {entry.needle.tip_mm[0], entry.needle.tip_mm[1], entry.needle.tip_mm[2]};
    entry.tip_moved_in_patient_frame = aligned != nullptr && aligned->ok;
    if (entry.tip_moved_in_patient_frame) aligned->current_to_previous.apply(entry.needle.tip_mm, tip);
    const double* a = before.needle.tip_mm;
    entry.tip_moved_mm = std::sqrt((a[0] - tip[0]) * (a[0] - tip[0]) + (a[1] - tip[1]) * (a[1] - tip[1]) +
                                   (a[2] - tip[2]) * (a[2] - tip[2]));
    return;
  }
}

// What the verdict cannot claim, said on its line: an input that may not be CT, injected gas
// that leaves the scanned range.
void add_input_limits_to_verdict(ScanReport& report) {
  auto& v = report.verdict;
  if (report.gas_reaches_scan_edge && v.gas != verdict::GasCall::NotApplicable) {
    v.gas_text += "; gas leaves the scanned range (volumes and spread are lower bounds)";
    v.reasons.push_back("injected gas lies in the first or last slice: it continues outside the scanned range");
    v.line = v.needle_text + "; " + v.gas_text;
  }
  if (!report.input_warnings.empty()) {
    v.line = "WARNING: the input may not be CT; " + v.line;
    for (const auto& w : report.input_warnings) v.reasons.push_back("input: " + w);
  }
}

void compare_with_target(NeedleReport& report, const std::array<double, 3>& target) {
  const auto& n = report.needle;
  const double error[3] = {n.tip_mm[0] - target[0], n.tip_mm[1] - target[1], n.tip_mm[2] - target[2]};
  const double depth = dot(error, n.direction);
  const double total = std::sqrt(dot(error, error));
  report.target_error_mm = total;
  report.target_depth_mm = depth;
  report.target_lateral_mm = std::sqrt(std::max(0.0, total * total - depth * depth));
}

}  // namespace

ScanReport analyze_scan(const Volume& volume, const AnalyzeOptions& options, const ScanReport* previous) {
  ScanReport report;
  report.source = volume.meta;
  report.grid = volume.grid;
  report.affine = volume.affine;
  report.backend = std::string(backend_name(options.backend));
  StageClock clock(report.timings_ms);
  const auto started = std::chrono::steady_clock::now();

  // The alignment to the previous scan needs neither the needle nor the joint stage: it runs
  // on its own thread meanwhile (the joint stage leaves the second core idle much of the time).
  double align_ms = 0.0;  // before the future: an exception waits for the thread in its destructor
  std::future<align::AlignResult> aligning;
  if (previous != nullptr && previous->volume) {
    aligning = std::async(std::launch::async, [&volume, previous, &options, &align_ms] {
      const auto start = std::chrono::steady_clock::now();
      auto aligned = align::align_rigid(volume, *previous->volume, options.align);
      align_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      return aligned;
    });
  }

  auto needle_options = options.needle;
  needle_options.backend = options.backend;
  auto joint_options = options.joint;
  joint_options.backend = options.backend;

  const needle::NeedleStage needle_stage =
      clock.time("needle", [&] { return needle::find_needles_and_hardware(volume, needle_options); });
  const std::vector<needle::NeedleFinding>& needles = needle_stage.needles;
  report.hardware = needle_stage.hardware;
  auto joint_analysis = std::make_shared<const joint::JointAnalysis>(
      clock.time("joint", [&] { return joint::find_joints(volume, joint_options); }));
  const joint::JointAnalysis& joints = *joint_analysis;
  report.joints = joints.joints;
  report.joint_analysis = joint_analysis;

  clock.time("relate", [&] {
    for (const auto& found : needles) {
      NeedleReport entry;
      entry.needle = found;
      joint::TipRelationOptions relation_options;
      relation_options.side = found.side;  // never related to the other side's joint
      entry.relation = joint::relate_tip_to_joint(joints, found.tip_mm, relation_options);
      if (previous != nullptr) {
        if (const NeedleReport* before = match_previous(found, *previous, options)) {
          entry.previous_id = before->needle.id;  // movement: measure_movement, after the alignment
          // Keep the identity: the needle keeps the id it had in the earlier scan.
          entry.needle.id = before->needle.id;
        }
      }
      if (options.planned_target_mm) compare_with_target(entry, *options.planned_target_mm);
      report.needles.push_back(entry);
    }
    return 0;
  });
  // Gas, against the previous scan rigidly aligned to this one (patients move between scans).
  gas::GasInputs gas_inputs;
  gas_inputs.joints = &joints;
  gas_inputs.needles = needles;
  gas_inputs.hardware = needle_stage.hardware;
  if (previous != nullptr) {
    for (const auto& entry : previous->needles) gas_inputs.previous_needles.push_back(entry.needle);
    std::optional<align::AlignResult> aligned;
    if (aligning.valid()) {
      aligned = aligning.get();
      report.timings_ms["align"] = align_ms;
      if (aligned->ok) {
        gas_inputs.previous = gas::PreviousScan{previous->volume.get(), &previous->gas, aligned->current_to_previous};
      }
    }
    for (auto& entry : report.needles) measure_movement(entry, *previous, aligned ? &*aligned : nullptr);
  }
  report.gas = clock.time("gas", [&] { return gas::analyze_gas(volume, gas_inputs, options.gas); });
  report.gas_reaches_scan_edge = injected_gas_reaches_scan_edge(report.gas);
  report.input_warnings = ct_plausibility_warnings(volume);
  // Wall clock: the alignment overlaps the needle and joint stages.
  report.timings_ms["total"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  report.verdict = verdict::decide(report, options.verdict);
  add_input_limits_to_verdict(report);
  return report;
}

ScanReport analyze_scan(std::shared_ptr<const Volume> volume, const AnalyzeOptions& options, const ScanReport* previous) {
  ScanReport report = analyze_scan(*volume, options, previous);
  report.volume = std::move(volume);
  return report;
}

}  // namespace sij::analysis
