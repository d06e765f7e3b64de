// The scan report as JSON (schema "sijtrack.scan/1", documented in docs/report.md), and the
// one-screen console summary.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "pipeline/analysis/ScanReport.h"

namespace sij::analysis {

nlohmann::json to_json(const ScanReport& report);

std::string console_summary(const ScanReport& report);

}  // namespace sij::analysis
