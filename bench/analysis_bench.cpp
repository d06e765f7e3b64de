// Per-stage speed of the scan analysis on a clinical-size scan (512x512x300 phantom with a
// needle in the joint, bench/PhantomScans.h), CPU backend, volume already in memory: the
// needle stage, the joint stage, and the whole analyze_scan (every stage, against the planning
// scan as the previous one). Issue target: needle + joint under 1 s on 2 cores.
//
//   build/bench/sijtrack_bench --benchmark_filter=Stage
#include <benchmark/benchmark.h>

#include "PhantomScans.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/joint/JointFinder.h"
#include "pipeline/needle/NeedleFinder.h"

namespace sij::bench {
namespace {

void set_voxel_counters(benchmark::State& state, const Volume& v) {
  const double voxels = static_cast<double>(v.grid.voxel_count());
  state.counters["voxels"] = voxels;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * voxels));
}

void BM_Stage_Needle_512x512x300(benchmark::State& state) {
  const Volume& v = *phantom_scans_512x512x300().needle_final;
  needle::NeedleOptions options;
  options.backend = Backend::Cpu;
  if (needle::find_needles(v, options).empty()) state.SkipWithError("no needle found in the benchmark scan");
  for (auto _ : state) benchmark::DoNotOptimize(needle::find_needles(v, options));
  set_voxel_counters(state, v);
}

void BM_Stage_Joint_512x512x300(benchmark::State& state) {
  const Volume& v = *phantom_scans_512x512x300().needle_final;
  joint::JointOptions options;
  options.backend = Backend::Cpu;
  if (joint::find_joints(v, options).joints.empty()) state.SkipWithError("no joint found in the benchmark scan");
  joint::JointAnalysis last;
  for (auto _ : state) {
    last = joint::find_joints(v, options);
    benchmark::DoNotOptimize(last);
  }
  set_voxel_counters(state, v);
  // The joint stage's own steps (last iteration), in ms: where the time goes.
  for (const auto& [step, ms] : last.step_ms) state.counters[step + "_ms"] = ms;
}

// Every stage of one scan as `sijtrack analyze` runs it, with the planning scan analysed
// before (outside the timed loop) as the previous scan.
void BM_Stage_AnalyzeScan_512x512x300(benchmark::State& state) {
  const auto& scans = phantom_scans_512x512x300();
  analysis::AnalyzeOptions options;
  options.backend = Backend::Cpu;
  const analysis::ScanReport planning = analysis::analyze_scan(*scans.planning, options);
  for (auto _ : state) {
    benchmark::DoNotOptimize(analysis::analyze_scan(*scans.needle_final, options, &planning));
  }
  set_voxel_counters(state, *scans.needle_final);
}

BENCHMARK(BM_Stage_Needle_512x512x300)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_Stage_Joint_512x512x300)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_Stage_AnalyzeScan_512x512x300)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);

}  // namespace
}  // namespace sij::bench
