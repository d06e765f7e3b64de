// One line of the GPU check: a kernel or a stage run on the CPU and on a device backend, and
// whether the two agreed.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace sij::gpucheck {

struct CheckResult {
  std::string kind;       // "kernel" or "stage"
  std::string name;       // e.g. "signed_distance", "analyze_scan"
  bool match = false;     // within `tolerance`
  std::string tolerance;  // what "match" means here, e.g. "identical", "|d| <= 1e-4 mm"
  std::string detail;     // the first difference, or a short summary
  double max_abs_diff = 0.0;
  double cpu_ms = 0.0;    // wall clock of the CPU run (median of the repeats)
  double device_ms = 0.0; // the device run, synchronised, inputs already on the device
};

// Median wall-clock milliseconds of `repeat` calls of f (at least one).
template <class F>
double median_ms(int repeat, F&& f) {
  std::vector<double> ms;
  for (int r = 0; r < (repeat > 0 ? repeat : 1); ++r) {
    const auto start = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace sij::gpucheck
