// Ingest speed: a 512x512x300 CT series (the smoke pelvis, 0.7x0.7x1.25 mm, written once per
// process with DCMTK as explicit VR little endian files, 12 bits stored, intercept -1024) read
// by sij::ingest::ingest and by ITK's ImageSeriesReader with GDCMImageIO in the same run.
// Both readers find, order and decode the files of the folder; the ITK "read only" case is
// given the ordered file names and only decodes. Files are in the page cache (written just
// before), so this measures parsing and decoding, not the disk.
//
//   build/bench/sijtrack_bench --benchmark_filter=Ingest
#include <benchmark/benchmark.h>

#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageSeriesReader.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "BenchVolume.h"
#include "DicomSeriesWriter.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::bench {
namespace {
namespace fs = std::filesystem;

using HuImage = itk::Image<std::int16_t, 3>;

constexpr double kOrigin[3] = {-179.2, -250.0, -180.0};  // LPS mm of voxel (0,0,0)
constexpr int kStoredMax = 4095;                         // 12 bits stored (DicomSeriesWriter.h)
constexpr double kIntercept = -1024.0;

// The series folder, written on first use and removed at process exit.
class BenchSeries {
 public:
  BenchSeries() {
    const auto& vol = pelvis_volume();
    std::string tmpl = (fs::temp_directory_path() / "sijtrack-ingest-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    Affine3 affine;  // identity orientation, voxel (0,0,0) at kOrigin
    std::copy(std::begin(kOrigin), std::end(kOrigin), affine.origin_mm);
    SeriesTags tags;
    tags.patient_name = "Bench^Pelvis";
    tags.description = "smoke pelvis 512x512x300";
    tags.series_number = 3;
    tags.scrambled_order = true;
    bytes_ = write_ct_series(vol.grid, affine, vol.hu.data(), dir_, tags);
  }
  ~BenchSeries() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }
  std::int64_t bytes() const { return bytes_; }

 private:
  std::string dir_;
  std::int64_t bytes_ = 0;
};

const BenchSeries& bench_series() {
  static const BenchSeries series;
  return series;
}

void set_rates(benchmark::State& state) {
  const auto voxels = pelvis_volume().grid.voxel_count();
  state.SetBytesProcessed(state.iterations() * bench_series().bytes());
  state.SetItemsProcessed(state.iterations() * voxels);
  state.counters["slices_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * pelvis_volume().grid.nz, benchmark::Counter::kIsRate);
}

// The HU that every reader must produce: the smoke volume clamped to the 12-bit range.
std::int64_t count_mismatches(const std::int16_t* hu, std::size_t n) {
  const auto& ref = pelvis_volume().hu;
  if (n != ref.size()) return static_cast<std::int64_t>(std::max(n, ref.size()));
  std::int64_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int expect = std::clamp(static_cast<int>(ref[i]), static_cast<int>(kIntercept),
                                  static_cast<int>(kStoredMax + kIntercept));
    bad += hu[i] != expect;
  }
  return bad;
}

std::vector<std::string> itk_file_names(const std::string& dir) {
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetUseSeriesDetails(true);
  names->SetDirectory(dir);
  const auto& uids = names->GetSeriesUIDs();
  if (uids.size() != 1) throw std::runtime_error("ITK found " + std::to_string(uids.size()) + " series");
  return names->GetFileNames(uids.front());
}

HuImage::Pointer itk_read(const std::vector<std::string>& files) {
  auto reader = itk::ImageSeriesReader<HuImage>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(files);
  reader->Update();
  return reader->GetOutput();
}

void BM_Ingest512x512x300_sijtrack(benchmark::State& state) {
  const auto& series = bench_series();  // written once, outside the timed loop
  {
    const Volume v = ingest::ingest(series.dir());
    const auto bad = count_mismatches(v.hu.data(), v.hu.size());
    if (bad != 0) state.SkipWithError(("sijtrack HU differ in " + std::to_string(bad) + " voxels").c_str());
    if (v.affine.origin_mm[2] != kOrigin[2]) state.SkipWithError("sijtrack origin differs");
  }
  for (auto _ : state) {
    Volume v = ingest::ingest(series.dir());
    benchmark::DoNotOptimize(v.hu.data());
    benchmark::ClobberMemory();
  }
  set_rates(state);
}

void BM_Ingest512x512x300_itk_gdcm(benchmark::State& state) {
  const auto& series = bench_series();
  {
    auto image = itk_read(itk_file_names(series.dir()));
    const auto n = image->GetLargestPossibleRegion().GetNumberOfPixels();
    const auto bad = count_mismatches(image->GetBufferPointer(), n);
    if (bad != 0) state.SkipWithError(("ITK HU differ in " + std::to_string(bad) + " voxels").c_str());
  }
  for (auto _ : state) {
    auto image = itk_read(itk_file_names(series.dir()));  // scan, order and decode
    benchmark::DoNotOptimize(image->GetBufferPointer());
    benchmark::ClobberMemory();
  }
  set_rates(state);
}

void BM_Ingest512x512x300_itk_gdcm_read_only(benchmark::State& state) {
  const auto& series = bench_series();
  const auto files = itk_file_names(series.dir());
  for (auto _ : state) {
    auto image = itk_read(files);  // decode only: the ordered names are given
    benchmark::DoNotOptimize(image->GetBufferPointer());
    benchmark::ClobberMemory();
  }
  set_rates(state);
}

BENCHMARK(BM_Ingest512x512x300_sijtrack)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_Ingest512x512x300_itk_gdcm)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_Ingest512x512x300_itk_gdcm_read_only)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace sij::bench
