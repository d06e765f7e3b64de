// Sidecar latency: from the acknowledgement of a scan's last slice to its report on disk, for
// 512x512x300 CTs on the CPU backend: the clinical-size phantom procedure of the per-stage
// benchmarks (bench/PhantomScans.h; SIJTRACK_BENCH_PHANTOM=DIR reads it instead of writing it),
// its planning, final-needle and post-injection scans in turn, each a new series of the same
// study analysed against the one before, as in a procedure. The scan is sent by DCMTK's own
// `storescu` to an in-process `serve` (SidecarCore + StorageServer on a free port); the slices
// carry Images in Acquisition = 300, so the series is complete on its last slice. The clock
// starts when storescu exits (after the last C-STORE response and the association release, so
// the figure is a slight underestimate by the release, about a millisecond) and stops when the
// core calls its sinks, after report.json is written and synced; the counter with_pngs_ms
// runs on until the PNG overlays and the Secondary Capture are written too (the sink `serve`
// registers first). The slices are written before the clock runs.
//
//   build/bench/sijtrack_bench --benchmark_filter=SidecarLatency --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "DicomSeriesWriter.h"  // DCMTK first (its osconfig.h)

#include <dcmtk/oflog/oflog.h>
#include <spdlog/spdlog.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "PhantomScans.h"
#include "sidecar/SidecarCore.h"
#include "sidecar/outputs/ReportFilesSink.h"
#include "support/LocalNetwork.h"  // tests/support: free_port
#include "sidecar/StorageServer.h"

namespace sij::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;


// Runs storescu on every file of `dir`; returns its exit status.
int run_storescu(int port, const fs::path& dir) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string port_text = std::to_string(port);
    ::execlp("storescu", "storescu", "-aec", "SIJTRACK", "-aet", "BENCH", "+sd", "127.0.0.1", port_text.c_str(),
             dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Notes when the core hands a scan's report to its sinks (report.json is on disk by then).
class ReportClock : public sidecar::ScanSink {
 public:
  std::string name() const override { return "bench-clock"; }
  void on_scan(const sidecar::ScanEvent& event) noexcept override {
    std::lock_guard lock(mutex_);
    at_ = Clock::now();
    ++reports_;
    total_ms_ = event.report && event.report->timings_ms.count("total") ? event.report->timings_ms.at("total") : 0.0;
    if (event.report) timings_ms_ = event.report->timings_ms;
    done_.notify_all();
  }
  int reports() {
    std::lock_guard lock(mutex_);
    return reports_;
  }
  // The time of report number `n` (1-based); nullopt when it does not come within `timeout`.
  std::optional<Clock::time_point> wait_for_report(int n, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    if (!done_.wait_for(lock, timeout, [&] { return reports_ >= n; })) return std::nullopt;
    return at_;
  }
  double total_ms() {
    std::lock_guard lock(mutex_);
    return total_ms_;
  }
  std::map<std::string, double> timings_ms() {
    std::lock_guard lock(mutex_);
    return timings_ms_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  Clock::time_point at_{};
  int reports_ = 0;
  double total_ms_ = 0;
  std::map<std::string, double> timings_ms_;
};

void BM_SidecarLatency512x512x300_cpu(benchmark::State& state) {
  if (std::system("command -v storescu >/dev/null 2>&1") != 0) {
    state.SkipWithError("DCMTK's storescu is not installed");
    return;
  }
  spdlog::set_level(spdlog::level::warn);
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  std::string tmpl = (fs::temp_directory_path() / "sijtrack-latency-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  const fs::path root = tmpl;

  sidecar::SidecarConfig config;
  config.spool_dir = root / "spool";
  config.output_dir = root / "out";
  config.quiet_seconds = 60.0;  // complete by count (Images in Acquisition), never by silence
  config.analyze.backend = Backend::Cpu;
  config.ae_title = "SIJTRACK";
  config.port = testing::free_port();
  {
    sidecar::SidecarCore core(config);
    // One clock when the core hands the scan to its sinks (report.json written and synced),
    // then the PNG overlays and the Secondary Capture as `serve` registers them, then a second
    // clock when those are on disk too.
    auto clock = std::make_shared<ReportClock>();
    core.add_sink(clock);
    core.add_sink(std::make_shared<sidecar::ReportFilesSink>());
    auto outputs_clock = std::make_shared<ReportClock>();
    core.add_sink(outputs_clock);
    sidecar::StorageServer server(core, config);
    server.start();

    // A procedure's scans in order, each analysed against the one before: planning, needle at
    // its target, after the injection (then around again, as a new series of the same study).
    const auto& phantom = phantom_scans_512x512x300();
    const std::shared_ptr<const Volume> order[3] = {phantom.planning, phantom.needle_final, phantom.post_injection};
    SeriesTags tags;
    tags.patient_name = "Bench^Latency";
    tags.images_in_acquisition = true;
    tags.study_uid = new_uid(SITE_STUDY_UID_ROOT);
    tags.frame_uid = new_uid(SITE_INSTANCE_UID_ROOT);
    int scan = 0;
    double store_s = 0, analysis_ms = 0, outputs_s = 0;
    std::map<std::string, double> stage_ms;  // the report's per-stage timings, summed
    for (auto _ : state) {
      state.PauseTiming();
      const fs::path dir = root / ("scan_" + std::to_string(++scan));
      const Volume& volume = *order[(scan - 1) % 3];
      tags.series_number = scan;
      char time[16];
      std::snprintf(time, sizeof time, "%02d%02d00", 10 + scan / 60, scan % 60);
      tags.acquisition_time = time;
      write_ct_series(volume.grid, volume.affine, volume.hu.data(), dir, tags);
      state.ResumeTiming();

      const auto send_start = Clock::now();
      const int rc = run_storescu(config.port, dir);
      const auto acknowledged = Clock::now();
      if (rc != 0) {
        state.SkipWithError(("storescu exited with " + std::to_string(rc)).c_str());
        break;
      }
      const auto reported = clock->wait_for_report(scan, std::chrono::seconds(120));
      const auto outputs = outputs_clock->wait_for_report(scan, std::chrono::seconds(120));
      if (!reported || !outputs) {
        state.SkipWithError("no report within 120 s");
        break;
      }
      outputs_s += std::max(0.0, std::chrono::duration<double>(*outputs - acknowledged).count());
      // A report before storescu's exit means the analysis finished during the release: zero.
      const double latency_s = std::max(0.0, std::chrono::duration<double>(*reported - acknowledged).count());
      state.SetIterationTime(latency_s);
      store_s += std::chrono::duration<double>(acknowledged - send_start).count();
      analysis_ms += clock->total_ms();
      for (const auto& [stage, ms] : clock->timings_ms()) stage_ms[stage] += ms;
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
    if (scan > 0) {
      state.counters["store_s"] = store_s / scan;           // storescu: association to release
      state.counters["analysis_ms"] = analysis_ms / scan;   // report timings "total"
      state.counters["with_pngs_ms"] = 1000.0 * outputs_s / scan;  // until the PNGs and SC are on disk too
      for (const auto& [stage, ms] : stage_ms) {
        if (stage != "total") state.counters["ms_" + stage] = ms / scan;
      }
    }
    state.SetItemsProcessed(state.iterations() * phantom.planning->grid.voxel_count());
    server.stop();
  }
  std::error_code ec;
  fs::remove_all(root, ec);
}
BENCHMARK(BM_SidecarLatency512x512x300_cpu)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(6);

}  // namespace
}  // namespace sij::bench
