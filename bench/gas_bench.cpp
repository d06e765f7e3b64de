// Gas stage and rigid alignment on a clinical-size phantom scan: the post-injection scan of a
// full-size procedure (512x512x300, seed 7) against the final-needle scan before it, made once
// per process (bench/PhantomScans.h, shared with the per-stage benchmarks). The joint and
// needle stages run once outside the timed loop; the timed cases are exactly what ScanAnalyzer's "align" and "gas"
// stages run.
//
//   build-gasbench/bench/sijtrack_bench --benchmark_filter=Gas
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>

#include "PhantomScans.h"
#include "pipeline/align/RigidAlign.h"
#include "pipeline/gas/AirSegmentation.h"
#include "pipeline/gas/BodyMask.h"
#include "pipeline/gas/GasAnalyzer.h"
#include "pipeline/ingest/Ingest.h"
#include "pipeline/joint/JointFinder.h"
#include "pipeline/needle/NeedleFinder.h"
#include "support/DenseGasReference.h"

namespace sij::bench {
namespace {
namespace fs = std::filesystem;

struct GasScene {
  std::shared_ptr<const Volume> before_shared, after_shared;
  const Volume& before;
  const Volume& after;
  joint::JointAnalysis joints;
  std::vector<needle::NeedleFinding> needles_after, needles_before;
  align::RigidTransform after_to_before;

  // The same phantom scans as the per-stage benchmarks (bench/PhantomScans.h).
  GasScene()
      : before_shared(phantom_scans_512x512x300().needle_final),
        after_shared(phantom_scans_512x512x300().post_injection),
        before(*before_shared),
        after(*after_shared) {
    joints = joint::find_joints(after, joint::JointOptions{});
    needles_after = needle::find_needles(after, needle::NeedleOptions{});
    needles_before = needle::find_needles(before, needle::NeedleOptions{});
    after_to_before = align::align_rigid(after, before).current_to_previous;
  }
};

GasScene& scene() {
  static GasScene s;
  return s;
}

void BM_GasAlign(benchmark::State& state) {
  auto& s = scene();
  for (auto _ : state) {
    auto result = align::align_rigid(s.after, s.before);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * s.after.grid.voxel_count());
}
BENCHMARK(BM_GasAlign)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GasStage(benchmark::State& state) {
  auto& s = scene();
  gas::GasInputs inputs;
  inputs.joints = &s.joints;
  inputs.needles = s.needles_after;
  inputs.previous_needles = s.needles_before;
  inputs.previous = gas::PreviousScan{&s.before, nullptr, s.after_to_before};
  gas::GasOptions options;
  double injected_ml = 0.0;
  for (auto _ : state) {
    auto analysis = gas::analyze_gas_detailed(s.after, inputs, options);
    injected_ml = analysis.finding.injected_ml;
    for (const auto& [step, ms] : analysis.timings_ms) state.counters[step + "_ms"] = ms;
    benchmark::DoNotOptimize(analysis);
  }
  state.counters["injected_ml"] = injected_ml;
  state.SetItemsProcessed(state.iterations() * s.after.grid.voxel_count());
}
BENCHMARK(BM_GasStage)->Unit(benchmark::kMillisecond)->UseRealTime();


// Body mask and air components: the run-based code the gas stage uses against the dense kernel
// chain it replaced (tests/support/DenseGasReference.h), on the same post-injection scan, side
// by side in one run.
// Times body(volume, options) then air(volume, body, options) on the post-injection scan.
template <class FindBody, class SegmentAir>
void time_body_and_air(benchmark::State& state, FindBody&& body_of, SegmentAir&& air_of) {
  auto& s = scene();
  const gas::GasOptions options;
  std::int32_t count = 0;
  for (auto _ : state) {
    const auto body = body_of(s.after, options);
    const auto air = air_of(s.after, body, options);
    count = air.count;
    benchmark::DoNotOptimize(air);
  }
  state.counters["air_components"] = count;
}

void BM_GasBodyAndAir_Runs(benchmark::State& state) {
  time_body_and_air(state, gas::find_body, gas::segment_air);
}
BENCHMARK(BM_GasBodyAndAir_Runs)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GasBodyAndAir_DenseKernels(benchmark::State& state) {
  time_body_and_air(state, test::dense_body, test::dense_air);
}
BENCHMARK(BM_GasBodyAndAir_DenseKernels)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace sij::bench
