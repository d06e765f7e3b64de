#include "pipeline/verdict/VerdictRules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "pipeline/verdict/AnatomicalDirection.h"

namespace sij::verdict {
namespace {

struct NeedleCallResult {
  NeedleCall call = NeedleCall::NoNeedle;
  std::string text;
  std::vector<std::string> reasons;
};

std::string format(const char* fmt, auto... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, fmt, args...);
  return buffer;
}

double distance(const double a[3], const double b[3]) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

// Distance from the tip to the joint's posterior opening: the per-slice opening points of the
// joint analysis when present (the opening runs craniocaudally), else the joint's mean opening.
double distance_to_opening(const analysis::ScanReport& report, const std::string& side, const double tip[3]) {
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < report.joints.size(); ++j) {
    if (report.joints[j].side != side) continue;
    const auto* ja = report.joint_analysis.get();
    if (ja != nullptr && j < ja->openings.size() && !ja->openings[j].empty()) {
      for (const auto& o : ja->openings[j]) best = std::min(best, distance(o.point_mm, tip));
    } else {
      best = std::min(best, distance(report.joints[j].posterior_opening_mm, tip));
    }
  }
  return best;
}

// "move 4.6 mm anterior and left (advance 4.1, across 2.0)": the correction in words, split
// along and across the needle as physicians read it.
// A correction smaller than the tip's own uncertainty cannot be acted on: "at the target
// (correction 0.1 mm, within the 0.6 mm tip uncertainty)".
std::string correction_words(const analysis::NeedleReport& entry, const NeedleThresholds& t) {
  const auto& r = entry.relation;
  if (r.correction_distance_mm < entry.needle.tip_uncertainty_mm) {
    return format("at the target (correction %.1f mm, within the %.1f mm tip uncertainty)", r.correction_distance_mm,
                  entry.needle.tip_uncertainty_mm);
  }
  const auto& d = entry.needle.direction;
  const double along = r.correction_distance_mm *
                       (r.correction_direction[0] * d[0] + r.correction_direction[1] * d[1] + r.correction_direction[2] * d[2]);
  const double across = std::sqrt(std::max(0.0, r.correction_distance_mm * r.correction_distance_mm - along * along));
  return format("move %.1f mm %s (%s %.1f, across %.1f)", r.correction_distance_mm,
                direction_in_words(r.correction_direction, t.direction_min_component).c_str(),
                along >= 0 ? "advance" : "withdraw", std::fabs(along), across);
}

NeedleCallResult call_needle(const analysis::ScanReport& report, const analysis::NeedleReport& entry,
                             const NeedleThresholds& t) {
  NeedleCallResult out;
  const auto& r = entry.relation;
  if (!r.joint_found) {
    out.call = NeedleCall::NoJoint;
    if (r.not_found_reason == "side_not_found") {
      out.text = format("needle found, the %s joint was not found in this scan", r.joint_side.c_str());
      out.reasons.push_back("only the other side's joint was found; a needle is never related to the other side");
    } else if (r.not_found_reason == "too_far") {
      out.text = format("needle found, %.0f mm from the %s joint: too far to relate", r.distance_to_far_joint_mm,
                        r.joint_side.c_str());
      out.reasons.push_back("the joint lies beyond the distance within which a correction is plausible");
    } else {
      out.text = "needle found, no joint found";
      out.reasons.push_back("no joint space was found in this scan, so the tip cannot be related to it");
    }
    return out;
  }
  const char* side = r.joint_side.c_str();
  if (r.tip_to_joint_mm <= t.in_joint_max_signed_distance_mm) {
    out.call = NeedleCall::InJoint;
    out.text = format("needle in the %s joint (%.1f mm inside, %.1f mm past the posterior opening)", side,
                      std::max(0.0, -r.tip_to_joint_mm), r.depth_past_posterior_opening_mm);
    out.reasons.push_back(format("tip %.1f mm from the joint space (signed, negative inside) <= %.1f mm", r.tip_to_joint_mm,
                                 t.in_joint_max_signed_distance_mm));
    return out;
  }
  const double to_opening = distance_to_opening(report, r.joint_side, entry.needle.tip_mm);
  const bool near_joint_at_opening = r.tip_to_joint_mm <= t.border_joint_distance_mm &&
                                     r.depth_past_posterior_opening_mm <= t.border_max_depth_past_opening_mm;
  const bool near_opening = to_opening <= t.border_opening_distance_mm;
  if (near_joint_at_opening || near_opening) {
    out.call = NeedleCall::AtPosteriorBorder;
    out.text = format("needle at the posterior border of the %s joint (%.1f mm outside): %s", side, r.tip_to_joint_mm,
                      correction_words(entry, t).c_str());
    if (near_joint_at_opening) {
      out.reasons.push_back(format("tip %.1f mm outside the joint space (<= %.1f mm) and %.1f mm past the posterior opening (<= %.1f mm)",
                                   r.tip_to_joint_mm, t.border_joint_distance_mm, r.depth_past_posterior_opening_mm,
                                   t.border_max_depth_past_opening_mm));
    }
    if (near_opening) {
      out.reasons.push_back(format("tip %.1f mm from the posterior opening (<= %.1f mm)", to_opening, t.border_opening_distance_mm));
    }
    return out;
  }
  out.call = NeedleCall::Outside;
  out.text = format("needle outside the %s joint: %s", side, correction_words(entry, t).c_str());
  out.reasons.push_back(format("tip %.1f mm outside the joint space (> %.1f mm at the opening) and %.1f mm from the posterior opening (> %.1f mm)",
                               r.tip_to_joint_mm, t.border_joint_distance_mm, to_opening, t.border_opening_distance_mm));
  return out;
}

// Higher is less favourable: the call a physician must act on wins.
int severity(NeedleCall call) {
  switch (call) {
    case NeedleCall::InJoint: return 1;
    case NeedleCall::AtPosteriorBorder: return 2;
    case NeedleCall::NoJoint: return 3;
    case NeedleCall::Outside: return 4;
    case NeedleCall::NoNeedle: return 0;
  }
  return 0;
}

void decide_needle(const analysis::ScanReport& report, const NeedleThresholds& t, Verdict& v) {
  if (report.needles.empty()) {
    v.needle = NeedleCall::NoNeedle;
    v.needle_text = "no needle";
    v.reasons.push_back("no needle found in this scan");
    return;
  }
  const bool several = report.needles.size() > 1;
  for (const auto& entry : report.needles) {
    NeedleCallResult result = call_needle(report, entry, t);
    const std::string prefix = several ? format("needle %d: ", entry.needle.id) : std::string();
    if (severity(result.call) > severity(v.needle)) v.needle = result.call;
    if (!v.needle_text.empty()) v.needle_text += " | ";
    v.needle_text += prefix + result.text;
    for (auto& reason : result.reasons) v.reasons.push_back(prefix + reason);
  }
}

void decide_gas(const gas::GasFinding& g, const GasThresholds& t, Verdict& v) {
  if (!g.analysed) {
    v.gas = GasCall::NotApplicable;
    v.gas_text = "gas not analysed";
    v.reasons.push_back("the gas stage did not run on this scan");
    return;
  }
  if (g.injected_ml < t.min_injected_ml) {
    v.gas = GasCall::NotApplicable;
    v.gas_text = "no injected gas (before injection)";
    v.reasons.push_back(format("injected gas %.2f mL < %.2f mL: nothing injected yet", g.injected_ml, t.min_injected_ml));
    return;
  }
  const std::string joint = g.joint_side.empty() ? std::string("joint") : g.joint_side + " joint";
  const double distant_fraction = g.injected_ml > 0 ? g.distant_ml / g.injected_ml : 0.0;
  const double intra_fraction = g.injected_ml > 0 ? g.intra_articular_ml / g.injected_ml : 0.0;  // the share in the joint
  const bool enough_inside = g.intra_articular_ml >= t.confirmed_min_intra_articular_ml;
  const bool enough_coverage = g.joint_coverage >= t.confirmed_min_joint_coverage;
  const bool not_too_far = distant_fraction <= t.confirmed_max_distant_fraction;
  std::vector<std::string> shortfalls;
  if (!enough_inside) shortfalls.push_back(format("%.2f mL intra-articular < %.2f mL", g.intra_articular_ml, t.confirmed_min_intra_articular_ml));
  if (!enough_coverage) shortfalls.push_back(format("%.0f%% of the %s reached < %.0f%%", 100 * g.joint_coverage, joint.c_str(), 100 * t.confirmed_min_joint_coverage));
  if (!not_too_far) shortfalls.push_back(format("%.0f%% of the gas distant > %.0f%%", 100 * distant_fraction, 100 * t.confirmed_max_distant_fraction));

  if (shortfalls.empty()) {
    v.gas = GasCall::Confirmed;
    v.gas_text = format("gas confirmed: %.1f mL intra-articular (%.0f%% of the %.1f mL injected), %.0f%% of the %s reached",
                        g.intra_articular_ml, 100 * intra_fraction, g.injected_ml, 100 * g.joint_coverage, joint.c_str());
    v.reasons.push_back(format("intra-articular %.2f mL >= %.2f, coverage %.0f%% >= %.0f%%, distant %.0f%% <= %.0f%%",
                               g.intra_articular_ml, t.confirmed_min_intra_articular_ml, 100 * g.joint_coverage,
                               100 * t.confirmed_min_joint_coverage, 100 * distant_fraction, 100 * t.confirmed_max_distant_fraction));
  } else {
    const bool partial = g.intra_articular_ml >= t.partial_min_intra_articular_ml ||
                         g.peri_articular_ml >= t.partial_min_peri_articular_ml;
    v.gas = partial ? GasCall::Partial : GasCall::NotConfirmed;
    v.gas_text = format("gas %s: %.1f mL intra-articular (%.0f%% of the %.1f mL injected), %.1f mL peri-articular, "
                        "%.1f mL distant (%s)",
                        partial ? "partial" : "not confirmed", g.intra_articular_ml, 100 * intra_fraction, g.injected_ml,
                        g.peri_articular_ml, g.distant_ml, shortfalls.front().c_str());
    for (const auto& s : shortfalls) v.reasons.push_back("not confirmed: " + s);
    v.reasons.push_back(partial ? format("partial: intra-articular %.2f mL >= %.2f or peri-articular %.2f mL >= %.2f",
                                         g.intra_articular_ml, t.partial_min_intra_articular_ml, g.peri_articular_ml,
                                         t.partial_min_peri_articular_ml)
                                : format("not even partial: intra-articular %.2f mL < %.2f and peri-articular %.2f mL < %.2f",
                                         g.intra_articular_ml, t.partial_min_intra_articular_ml, g.peri_articular_ml,
                                         t.partial_min_peri_articular_ml));
  }
  // Alerts (gas far from the joint, toward the foramina, along the track) ride along: they
  // never make a verdict better, and the physician must see them on the one line.
  for (const auto& alert : g.alerts) {
    v.gas_text += "; ALERT " + alert.code;
    v.reasons.push_back("alert " + alert.code + ": " + alert.message);
  }
}

}  // namespace

Verdict decide(const analysis::ScanReport& report, const VerdictConfig& config) {
  Verdict v;
  decide_needle(report, config.needle, v);
  decide_gas(report.gas, config.gas, v);
  v.line = v.needle_text + "; " + v.gas_text;
  return v;
}

std::string_view needle_call_name(NeedleCall call) {
  switch (call) {
    case NeedleCall::NoNeedle: return "no_needle";
    case NeedleCall::InJoint: return "in_joint";
    case NeedleCall::AtPosteriorBorder: return "at_posterior_border";
    case NeedleCall::Outside: return "outside";
    case NeedleCall::NoJoint: return "no_joint";
  }
  return "unknown";
}

std::string_view gas_call_name(GasCall call) {
  switch (call) {
    case GasCall::NotApplicable: return "not_applicable";
    case GasCall::Confirmed: return "confirmed";
    case GasCall::Partial: return "partial";
    case GasCall::NotConfirmed: return "not_confirmed";
  }
  return "unknown";
}

}  // namespace sij::verdict
