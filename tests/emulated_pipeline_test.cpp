// The pipeline on the emulated device: every stage that takes a backend (needle, joint, the
// whole analyze_scan with gas and alignment, HU calibration, fence detection) gives the CPU
// backend's answer exactly, without one host read of device memory (that would be a SIGSEGV
// here). Also prints what a scan costs in host-device traffic and device allocations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calib/FenceCoordinates.h"
#include "calib/HuCalibration.h"
#include "datasets/phantom/Procedure.h"
#include "kernels/core/Emulated.h"
#include "pipeline/analysis/ReportJson.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/ingest/Ingest.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;

namespace sij {
namespace {

// The report without what legitimately differs between backends: the backend's name and the
// stage timings.
nlohmann::json comparable(nlohmann::json j) {
  if (j.is_object()) {
    j.erase("backend");
    j.erase("timings_ms");
    for (auto& [key, value] : j.items()) value = comparable(value);
  } else if (j.is_array()) {
    for (auto& value : j) value = comparable(value);
  }
  return j;
}

class EmulatedPipelineTest : public ::testing::Test {
 protected:
  // Seed 1: planning scan, needle in the joint, after the injection (intra-articular gas).
  static void SetUpTestSuite() {
    scratch_ = new test::ScratchDir("sijtrack_emulated_pipeline");
    phantom::PhantomOptions o;
    o.seed = 1;
    o.size = phantom::PhantomSize::Test;
    o.only_scans = {0, 2, 3};
    o.write_mha = true;
    o.out_dir = (scratch_->path() / "procedure").string();
    phantom::generate_procedure(o);
    volumes_ = new std::vector<std::shared_ptr<const Volume>>();
    std::vector<fs::path> scans;
    for (const auto& e : fs::directory_iterator(o.out_dir)) {
      if (e.is_directory() && e.path().filename().string().rfind("scan_", 0) == 0) scans.push_back(e.path());
    }
    std::sort(scans.begin(), scans.end());
    for (const auto& scan : scans) {
      volumes_->push_back(std::make_shared<const Volume>(ingest::ingest((scan / "image.mha").string())));
    }
  }
  static void TearDownTestSuite() {
    delete volumes_;
    delete scratch_;
  }

  // Reports of every scan in order, each against the one before, on `backend`.
  static std::vector<nlohmann::json> analyse_all(Backend backend, std::vector<EmulatedCounters>* cost) {
    analysis::AnalyzeOptions options;
    options.backend = backend;
    std::optional<analysis::ScanReport> previous;
    std::vector<nlohmann::json> reports;
    for (const auto& volume : *volumes_) {
      reset_emulated_counters();
      auto report = analysis::analyze_scan(volume, options, previous ? &*previous : nullptr);
      if (cost != nullptr) cost->push_back(emulated_counters());
      reports.push_back(analysis::to_json(report));
      previous = std::move(report);
    }
    return reports;
  }

  static test::ScratchDir* scratch_;
  static std::vector<std::shared_ptr<const Volume>>* volumes_;
};
test::ScratchDir* EmulatedPipelineTest::scratch_ = nullptr;
std::vector<std::shared_ptr<const Volume>>* EmulatedPipelineTest::volumes_ = nullptr;

TEST_F(EmulatedPipelineTest, AnalyzeScanReportsIdenticalToTheCpu) {
  ASSERT_EQ(volumes_->size(), 3u);
  const auto cpu = analyse_all(Backend::Cpu, nullptr);
  std::vector<EmulatedCounters> cost;
  const auto emulated = analyse_all(Backend::Emulated, &cost);
  ASSERT_EQ(cpu.size(), emulated.size());
  for (std::size_t s = 0; s < cpu.size(); ++s) {
    EXPECT_EQ(emulated[s].value("backend", ""), "emulated");
    const auto a = comparable(cpu[s]), b = comparable(emulated[s]);
    EXPECT_EQ(a, b) << "scan " << s << " differs: " << nlohmann::json::diff(a, b).dump(1);
  }
  // The emulated device really ran the stages (a test that cannot fail proves nothing).
  for (std::size_t s = 0; s < cost.size(); ++s) {
    const Volume& v = *(*volumes_)[s];
    const double volume_bytes = static_cast<double>(v.hu.size() * sizeof(std::int16_t));
    const EmulatedCounters& c = cost[s];
    EXPECT_GT(c.launches, 0u) << "scan " << s;
    EXPECT_GT(c.host_to_device_bytes, 0u) << "scan " << s;
    EXPECT_EQ(c.allocations, c.frees) << "scan " << s << ": device memory left allocated";
    std::printf("[ emulated ] scan %zu (%dx%dx%d): up %.2f x volume (%llu copies), down %.2f x volume "
                "(%llu copies), %llu allocations (%.0f MB), peak %.0f MB live, %llu launches\n",
                s, v.grid.nx, v.grid.ny, v.grid.nz, c.host_to_device_bytes / volume_bytes,
                static_cast<unsigned long long>(c.host_to_device_copies),
                c.device_to_host_bytes / volume_bytes,
                static_cast<unsigned long long>(c.device_to_host_copies),
                static_cast<unsigned long long>(c.allocations), c.allocated_bytes / 1e6,
                c.peak_live_bytes / 1e6, static_cast<unsigned long long>(c.launches));
  }
}

TEST_F(EmulatedPipelineTest, HuCalibrationIdenticalToTheCpu) {
  calib::HuCalibrationOptions options;
  const calib::HuMeasurement cpu = calib::measure_hu_references(*volumes_->front(), options);
  options.backend = Backend::Emulated;
  const std::uint64_t launches = emulated_counters().launches;
  const calib::HuMeasurement emulated = calib::measure_hu_references(*volumes_->front(), options);
  EXPECT_GT(emulated_counters().launches, launches);
  EXPECT_EQ(cpu.air_hu, emulated.air_hu);
  EXPECT_EQ(cpu.air_mad_hu, emulated.air_mad_hu);
  EXPECT_EQ(cpu.air_voxels, emulated.air_voxels);
  EXPECT_EQ(cpu.tissue_mode_hu, emulated.tissue_mode_hu);
  EXPECT_EQ(cpu.tissue_hu, emulated.tissue_hu);
  EXPECT_EQ(cpu.tissue_mad_hu, emulated.tissue_mad_hu);
  EXPECT_EQ(cpu.tissue_voxels, emulated.tissue_voxels);
  EXPECT_EQ(cpu.correction.slope, emulated.correction.slope);
  EXPECT_EQ(cpu.correction.intercept_hu, emulated.correction.intercept_hu);
}

TEST_F(EmulatedPipelineTest, FenceDetectionIdenticalToTheCpu) {
  calib::FenceOptions options;
  const calib::Fence cpu = calib::detect_fence(*volumes_->front(), options);
  ASSERT_FALSE(cpu.rods.empty()) << "the planning scan shows the fence";
  options.backend = Backend::Emulated;
  const std::uint64_t launches = emulated_counters().launches;
  const calib::Fence emulated = calib::detect_fence(*volumes_->front(), options);
  EXPECT_GT(emulated_counters().launches, launches);
  EXPECT_EQ(calib::fence_to_json(cpu), calib::fence_to_json(emulated));
}

}  // namespace
}  // namespace sij
