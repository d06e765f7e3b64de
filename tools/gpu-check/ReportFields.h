// A scan report flattened to named fields (numbers and strings), so that two reports can be
// compared without a JSON library (the GPU machine has none).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pipeline/analysis/ScanReport.h"

namespace sij::gpucheck {

struct ReportFields {
  std::vector<std::pair<std::string, double>> numbers;
  std::vector<std::pair<std::string, std::string>> strings;
};

ReportFields needle_fields(const std::vector<needle::NeedleFinding>& needles);
ReportFields joint_fields(const joint::JointAnalysis& joints);
ReportFields report_fields(const analysis::ScanReport& report);

// "" when equal within rel_tolerance (|a - b| <= rel_tolerance * max(1, |a|)), else the first
// difference; *max_abs_diff receives the largest numeric difference.
std::string compare_fields(const ReportFields& a, const ReportFields& b, double rel_tolerance,
                           double* max_abs_diff);

}  // namespace sij::gpucheck
