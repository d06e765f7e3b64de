// The per-scan verdict from a finished ScanReport: where each needle is relative to its joint
// (in / at the posterior border / outside with the correction in words) and whether the gas
// distribution is confirmed, with the rule that fired. Thresholds: VerdictConfig
// (config/verdict.json). The rules are listed in docs/report.md ("Verdict").
#pragma once

#include <string_view>

#include "pipeline/analysis/ScanReport.h"
#include "pipeline/verdict/Verdict.h"
#include "pipeline/verdict/VerdictConfig.h"

namespace sij::verdict {

// Pure function of the report (reads needles, their tip relations, joints, the joint
// analysis' opening points when present, and gas). With several needles the call is the
// least favourable one (outside > no joint > at the border > in joint) and the text names
// each needle.
Verdict decide(const analysis::ScanReport& report, const VerdictConfig& config);

// Stable identifiers for the JSON report: "no_needle", "in_joint", "at_posterior_border",
// "outside", "no_joint"; "not_applicable", "confirmed", "partial", "not_confirmed".
std::string_view needle_call_name(NeedleCall call);
std::string_view gas_call_name(GasCall call);

}  // namespace sij::verdict
