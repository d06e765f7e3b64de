// The report outputs at clinical size (512x512x300): the PNG overlays (each, and all three
// written as files) and the DICOM Secondary Capture. The input is analysed once (needle,
// joint, gas) outside the timed loops. SIJTRACK_BENCH_SCAN=PATH (a DICOM folder or image file,
// e.g. a phantom made with `sijtrack phantom --size full --slices 300`) replaces the smoke
// pelvis.
//
//   build-reportbench/bench/sijtrack_bench --benchmark_filter=Report
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "BenchVolume.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/ingest/Ingest.h"
#include "pipeline/report/AxialOverlay.h"
#include "pipeline/report/GasProjection.h"
#include "pipeline/report/JointReformat.h"
#include "pipeline/report/Overlays.h"
#include "pipeline/report/SecondaryCapture.h"

namespace sij::bench {
namespace {

struct ReportInput {
  std::shared_ptr<const Volume> volume;
  analysis::ScanReport report;
  std::filesystem::path out_dir;
};

const ReportInput& report_input() {
  static const ReportInput input = [] {
    ReportInput in;
    auto volume = std::make_shared<Volume>();
    if (const char* scan = std::getenv("SIJTRACK_BENCH_SCAN")) {
      *volume = ingest::ingest(scan);
    } else {
      const auto& smoke = pelvis_volume();
      volume->grid = smoke.grid;
      volume->hu = smoke.hu;
      volume->meta.series_description = "smoke pelvis";
    }
    in.volume = volume;
    in.report = analysis::analyze_scan(in.volume, analysis::AnalyzeOptions{});
    in.out_dir = std::filesystem::temp_directory_path() / ("sijtrack_report_bench_" + std::to_string(::getpid()));
    return in;
  }();
  return input;
}

void report_counters(benchmark::State& state) {
  const auto& in = report_input();
  state.counters["joints"] = static_cast<double>(in.report.joints.size());
  state.counters["needles"] = static_cast<double>(in.report.needles.size());
  state.counters["gas_mask"] = in.report.gas.mask.empty() ? 0 : 1;
  // The gas stage's own time on this volume (measured once by analyze_scan), for the budget
  // "gas analysis and report under 0.5 s".
  const auto gas = in.report.timings_ms.find("gas");
  state.counters["gas_stage_ms"] = gas == in.report.timings_ms.end() ? -1 : gas->second;
  state.SetItemsProcessed(state.iterations() * in.volume->grid.voxel_count());
}

void BM_ReportAxialOverlay(benchmark::State& state) {
  const auto& in = report_input();
  for (auto _ : state) benchmark::DoNotOptimize(report::render_axial_overlay(in.report, *in.volume).image.data);
  report_counters(state);
}
BENCHMARK(BM_ReportAxialOverlay)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReportJointReformat(benchmark::State& state) {
  const auto& in = report_input();
  for (auto _ : state) {
    for (std::size_t j = 0; j < in.report.joints.size(); ++j) {
      benchmark::DoNotOptimize(report::render_joint_reformat(in.report, *in.volume, j));
    }
  }
  report_counters(state);
}
BENCHMARK(BM_ReportJointReformat)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReportGasProjection(benchmark::State& state) {
  const auto& in = report_input();
  for (auto _ : state) benchmark::DoNotOptimize(report::render_gas_projection(in.report, *in.volume).data);
  report_counters(state);
}
BENCHMARK(BM_ReportGasProjection)->Unit(benchmark::kMillisecond)->UseRealTime();

// Everything `analyze --png-dir` adds: all overlays rendered, encoded and written.
void BM_ReportWriteOverlays(benchmark::State& state) {
  const auto& in = report_input();
  for (auto _ : state) benchmark::DoNotOptimize(report::write_overlays(in.report, in.out_dir));
  report_counters(state);
  std::error_code ec;
  std::filesystem::remove_all(in.out_dir, ec);
}
BENCHMARK(BM_ReportWriteOverlays)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReportSecondaryCapture(benchmark::State& state) {
  const auto& in = report_input();
  std::filesystem::create_directories(in.out_dir);
  for (auto _ : state) {
    benchmark::DoNotOptimize(report::write_axial_secondary_capture(in.report, *in.volume, in.out_dir / "sc.dcm"));
  }
  report_counters(state);
  std::error_code ec;
  std::filesystem::remove_all(in.out_dir, ec);
}
BENCHMARK(BM_ReportSecondaryCapture)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace sij::bench
