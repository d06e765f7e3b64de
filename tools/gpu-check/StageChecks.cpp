#include "tools/gpu-check/StageChecks.h"

#include <cstdio>
#include <memory>
#include <string>

#include "kernels/core/Emulated.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/joint/JointFinder.h"
#include "pipeline/needle/NeedleFinder.h"
#include "tools/gpu-check/ReportFields.h"

namespace sij::gpucheck {
namespace {

double tolerance_for(Backend device) { return device == Backend::Cuda ? 1e-6 : 0.0; }

// Runs stage(backend) -> ReportFields on both backends, timing each, and compares.
template <class Stage>
CheckResult run_stage(const char* name, Backend device, int repeat, Stage stage) {
  CheckResult r;
  r.kind = "stage";
  r.name = name;
  ReportFields fields[2];
  const Backend backends[2] = {Backend::Cpu, device};
  double ms[2];
  for (int b = 0; b < 2; ++b) ms[b] = median_ms(repeat, [&] { fields[b] = stage(backends[b]); });
  r.cpu_ms = ms[0];
  r.device_ms = ms[1];
  const double tolerance = tolerance_for(device);
  r.tolerance = tolerance == 0.0 ? "identical" : "strings identical, numbers within 1e-6 relative";
  const std::string difference = compare_fields(fields[0], fields[1], tolerance, &r.max_abs_diff);
  r.match = difference.empty();
  r.detail = r.match ? std::to_string(fields[0].numbers.size()) + " numbers, " +
                           std::to_string(fields[0].strings.size()) + " strings compared"
                     : difference;
  std::fprintf(stderr, "  %-26s %s  cpu %9.1f ms  %s %9.1f ms\n", name, r.match ? "ok  " : "DIFF", r.cpu_ms,
               std::string(backend_name(device)).c_str(), r.device_ms);
  return r;
}

}  // namespace

std::vector<CheckResult> check_stages(const Volume& volume, Backend device, int repeat) {
  std::vector<CheckResult> out;
  out.push_back(run_stage("find_needles", device, repeat, [&](Backend b) {
    needle::NeedleOptions o;
    o.backend = b;
    return needle_fields(needle::find_needles(volume, o));
  }));
  out.push_back(run_stage("find_joints", device, repeat, [&](Backend b) {
    joint::JointOptions o;
    o.backend = b;
    return joint_fields(joint::find_joints(volume, o));
  }));
  // The whole analysis, upload included (the stages take the host volume).
  const auto shared = std::make_shared<const Volume>(volume);
  out.push_back(run_stage("analyze_scan", device, repeat, [&](Backend b) {
    analysis::AnalyzeOptions o;
    o.backend = b;
    return report_fields(analysis::analyze_scan(shared, o));
  }));
  if (device == Backend::Emulated) {
    // What one analysis costs in host-device traffic, counted by the emulated device.
    analysis::AnalyzeOptions o;
    o.backend = device;
    reset_emulated_counters();
    analysis::analyze_scan(shared, o);
    const EmulatedCounters c = emulated_counters();
    const double volume_bytes = static_cast<double>(volume.hu.size() * sizeof(std::int16_t));
    CheckResult t;
    t.kind = "traffic";
    t.name = "analyze_scan_traffic";
    t.match = true;
    t.tolerance = "counted, not judged (target: <= 1.2 x the volume's bytes)";
    char text[256];
    std::snprintf(text, sizeof text,
                  "up %.2f x volume (%llu copies), down %.2f x volume (%llu copies), %llu device "
                  "allocations (%.0f MB), peak %.0f MB, %llu launches",
                  c.host_to_device_bytes / volume_bytes, static_cast<unsigned long long>(c.host_to_device_copies),
                  c.device_to_host_bytes / volume_bytes, static_cast<unsigned long long>(c.device_to_host_copies),
                  static_cast<unsigned long long>(c.allocations), c.allocated_bytes / 1e6, c.peak_live_bytes / 1e6,
                  static_cast<unsigned long long>(c.launches));
    t.detail = text;
    std::fprintf(stderr, "  traffic: %s\n", text);
    out.push_back(t);
  }
  return out;
}

}  // namespace sij::gpucheck
