// Sidecar latency: from the acknowledgement of a scan's last slice to its report on disk, for a
// 512x512x300 CT (the smoke pelvis, 0.7x0.7x1.25 mm) on the CPU backend. The scan is sent by
// DCMTK's own `storescu` to an in-process `serve` (SidecarCore + StorageServer on a free port);
// the slices carry Images in Acquisition = 300, so the series is complete on its last slice.
// The clock starts when storescu exits (after the last C-STORE response and the association
// release, so the figure is a slight underestimate by the release, about a millisecond) and
// stops when the core calls its sinks, which it does after report.json is written and synced.
// Each iteration is a new scan of the same study, analysed against the previous one, as in a
// procedure. The slices are written before the clock runs.
//
//   build-bench/bench/sijtrack_bench --benchmark_filter=SidecarLatency
#include <benchmark/benchmark.h>

#include <dcmtk/config/osconfig.h>  // must come first
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/oflog/oflog.h>
#include <spdlog/spdlog.h>

#include <netinet/in.h>
#include <sys/socket.h>
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

#include "BenchVolume.h"
#include "sidecar/SidecarCore.h"
#include "sidecar/StorageServer.h"

namespace sij::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Writes the smoke pelvis as one CT series (new series UID, same study) into `dir`.
void write_scan(const fs::path& dir, const std::string& study_uid, const std::string& frame_uid, int series_number) {
  const auto& vol = pelvis_volume();
  const Grid& g = vol.grid;
  const std::size_t plane = static_cast<std::size_t>(g.nx) * g.ny;
  fs::create_directories(dir);
  char series[100];
  dcmGenerateUniqueIdentifier(series, SITE_SERIES_UID_ROOT);
  std::vector<Uint16> px(plane);
  for (int z = 0; z < g.nz; ++z) {
    const std::int16_t* src = vol.hu.data() + z * plane;
    for (std::size_t i = 0; i < plane; ++i) px[i] = static_cast<Uint16>(std::clamp(src[i] + 1024, 0, 4095));
    DcmFileFormat ff;
    DcmDataset* ds = ff.getDataset();
    char buf[256], uid[100];
    ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
    ds->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
    ds->putAndInsertString(DCM_StudyInstanceUID, study_uid.c_str());
    ds->putAndInsertString(DCM_SeriesInstanceUID, series);
    ds->putAndInsertString(DCM_FrameOfReferenceUID, frame_uid.c_str());
    ds->putAndInsertString(DCM_Modality, "CT");
    ds->putAndInsertString(DCM_PatientName, "Bench^Latency");
    ds->putAndInsertString(DCM_PatientID, "BENCH");
    ds->putAndInsertString(DCM_PatientPosition, "HFP");
    ds->putAndInsertString(DCM_SeriesNumber, std::to_string(series_number).c_str());
    std::snprintf(buf, sizeof buf, "%02d%02d00", 10 + series_number / 60, series_number % 60);
    ds->putAndInsertString(DCM_AcquisitionDate, "20240101");
    ds->putAndInsertString(DCM_AcquisitionTime, buf);
    ds->putAndInsertString(DCM_InstanceNumber, std::to_string(z + 1).c_str());
    ds->putAndInsertString(DCM_ImagesInAcquisition, std::to_string(g.nz).c_str());
    std::snprintf(buf, sizeof buf, "-179.2\\-250.0\\%.4f", -180.0 + z * static_cast<double>(g.sz_mm));
    ds->putAndInsertString(DCM_ImagePositionPatient, buf);
    ds->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
    std::snprintf(buf, sizeof buf, "%.4f\\%.4f", g.sy_mm, g.sx_mm);
    ds->putAndInsertString(DCM_PixelSpacing, buf);
    std::snprintf(buf, sizeof buf, "%.4f", g.sz_mm);
    ds->putAndInsertString(DCM_SliceThickness, buf);
    ds->putAndInsertString(DCM_RescaleIntercept, "-1024");
    ds->putAndInsertString(DCM_RescaleSlope, "1");
    ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(g.ny));
    ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(g.nx));
    ds->putAndInsertUint16(DCM_BitsAllocated, 16);
    ds->putAndInsertUint16(DCM_BitsStored, 12);
    ds->putAndInsertUint16(DCM_HighBit, 11);
    ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
    ds->putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(plane));
    std::snprintf(buf, sizeof buf, "IM%05d.dcm", z + 1);
    const OFCondition cond = ff.saveFile((dir / buf).c_str(), EXS_LittleEndianExplicit);
    if (cond.bad()) throw std::runtime_error(std::string("writing a slice: ") + cond.text());
  }
}

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
  config.port = free_port();
  {
    sidecar::SidecarCore core(config);
    auto clock = std::make_shared<ReportClock>();
    core.add_sink(clock);
    sidecar::StorageServer server(core, config);
    server.start();

    char study[100], frame[100];
    dcmGenerateUniqueIdentifier(study, SITE_STUDY_UID_ROOT);
    dcmGenerateUniqueIdentifier(frame, SITE_INSTANCE_UID_ROOT);
    int scan = 0;
    double store_s = 0, analysis_ms = 0;
    std::map<std::string, double> stage_ms;  // the report's per-stage timings, summed
    for (auto _ : state) {
      state.PauseTiming();
      const fs::path dir = root / ("scan_" + std::to_string(++scan));
      write_scan(dir, study, frame, scan);
      state.ResumeTiming();

      const auto send_start = Clock::now();
      const int rc = run_storescu(config.port, dir);
      const auto acknowledged = Clock::now();
      if (rc != 0) {
        state.SkipWithError(("storescu exited with " + std::to_string(rc)).c_str());
        break;
      }
      const auto reported = clock->wait_for_report(scan, std::chrono::seconds(120));
      if (!reported) {
        state.SkipWithError("no report within 120 s");
        break;
      }
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
      for (const auto& [stage, ms] : stage_ms) {
        if (stage != "total") state.counters["ms_" + stage] = ms / scan;
      }
    }
    state.SetItemsProcessed(state.iterations() * pelvis_volume().grid.voxel_count());
    server.stop();
  }
  std::error_code ec;
  fs::remove_all(root, ec);
}
BENCHMARK(BM_SidecarLatency512x512x300_cpu)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace sij::bench
