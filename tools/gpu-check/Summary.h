// The GPU check's results as summary.json and summary.md, written without a JSON library.
#pragma once

#include <string>
#include <vector>

#include "tools/gpu-check/CheckResult.h"

namespace sij::gpucheck {

struct RunInfo {
  std::string device_backend;  // "cuda" or "emulated"
  std::string cuda_check;      // cuda_check().reason
  std::string device_name;
  int nx = 0, ny = 0, nz = 0;
  int repeat = 1;
  double total_s = 0.0;        // wall clock of the whole check
};

// Writes <dir>/summary.json and <dir>/summary.md; throws std::runtime_error when it cannot.
void write_summary(const std::string& dir, const RunInfo& info, const std::vector<CheckResult>& results);

}  // namespace sij::gpucheck
