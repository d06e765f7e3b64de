// Ingest speed: a 512x512x300 CT series (the smoke pelvis, 0.7x0.7x1.25 mm, written once per
// process with DCMTK as explicit VR little endian files, 12 bits stored, intercept -1024) read
// by sij::ingest::ingest and by ITK's ImageSeriesReader with GDCMImageIO in the same run.
// Both readers find, order and decode the files of the folder; the ITK "read only" case is
// given the ordered file names and only decodes. Files are in the page cache (written just
// before), so this measures parsing and decoding, not the disk.
//
//   build/bench/sijtrack_bench --benchmark_filter=Ingest
#include <benchmark/benchmark.h>

#include <dcmtk/config/osconfig.h>  // must come first
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

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
#include "pipeline/ingest/Ingest.h"

namespace sij::bench {
namespace {
namespace fs = std::filesystem;

using HuImage = itk::Image<std::int16_t, 3>;

constexpr double kOrigin[3] = {-179.2, -250.0, -180.0};  // LPS mm of voxel (0,0,0)
constexpr int kStoredMax = 4095;                         // 12 bits stored
constexpr double kIntercept = -1024.0;

// The series folder, written on first use and removed at process exit.
class BenchSeries {
 public:
  BenchSeries() {
    const auto& vol = pelvis_volume();
    std::string tmpl = (fs::temp_directory_path() / "sijtrack-ingest-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    const Grid& g = vol.grid;
    const std::size_t plane = static_cast<std::size_t>(g.nx) * g.ny;
    char study[100], series[100], frame[100];
    dcmGenerateUniqueIdentifier(study, SITE_STUDY_UID_ROOT);
    dcmGenerateUniqueIdentifier(series, SITE_SERIES_UID_ROOT);
    dcmGenerateUniqueIdentifier(frame, SITE_INSTANCE_UID_ROOT);
    std::vector<Uint16> px(plane);
    for (int z = 0; z < g.nz; ++z) {
      const std::int16_t* src = vol.hu.data() + z * plane;
      for (std::size_t i = 0; i < plane; ++i) {
        px[i] = static_cast<Uint16>(std::clamp(static_cast<int>(src[i] - kIntercept), 0, kStoredMax));
      }
      DcmFileFormat ff;
      DcmDataset* ds = ff.getDataset();
      char buf[256], uid[100];
      ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
      ds->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
      ds->putAndInsertString(DCM_StudyInstanceUID, study);
      ds->putAndInsertString(DCM_SeriesInstanceUID, series);
      ds->putAndInsertString(DCM_FrameOfReferenceUID, frame);
      ds->putAndInsertString(DCM_Modality, "CT");
      ds->putAndInsertString(DCM_PatientName, "Bench^Pelvis");
      ds->putAndInsertString(DCM_PatientID, "BENCH");
      ds->putAndInsertString(DCM_Manufacturer, "sijtrack bench");
      ds->putAndInsertString(DCM_SeriesDescription, "smoke pelvis 512x512x300");
      ds->putAndInsertString(DCM_PatientPosition, "HFP");
      ds->putAndInsertString(DCM_KVP, "120");
      ds->putAndInsertString(DCM_ConvolutionKernel, "B30f");
      ds->putAndInsertString(DCM_SeriesNumber, "3");
      // Instance numbers and file names run against the position order (as exports often do).
      const int instance = g.nz - z;
      ds->putAndInsertString(DCM_InstanceNumber, std::to_string(instance).c_str());
      std::snprintf(buf, sizeof buf, "%.4f\\%.4f\\%.4f", kOrigin[0], kOrigin[1],
                    kOrigin[2] + z * static_cast<double>(g.sz_mm));
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
      std::snprintf(buf, sizeof buf, "/IM%05d", (instance * 7919) % 100000);
      const std::string path = dir_ + buf;
      const OFCondition cond = ff.saveFile(path.c_str(), EXS_LittleEndianExplicit);
      if (cond.bad()) throw std::runtime_error("writing " + path + ": " + cond.text());
      bytes_ += static_cast<std::int64_t>(fs::file_size(path));
    }
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
