// What `analyze --seg --sr` adds per scan at clinical size (512x512x300): the segment masks,
// the DICOM SEG and the TID 1500 SR, each and together (target: at most 50 ms for SEG+SR).
// Input: the phantom procedure of PhantomScans.h (seed 7, tip in the joint), its
// post-injection scan analysed against the needle scan (so the gas stage classifies new gas)
// outside the timed loops. The phantom volumes come from image.mha, so the DICOM identity
// the SEG/SR reference (UIDs per slice) is filled in here, with one source file holding the
// patient and study attributes, as a DICOM series would give them.
//
//   build/bench/sijtrack_bench --benchmark_filter=Archive
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <filesystem>

#include "PhantomScans.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/report/ArchiveObjects.h"
#include "pipeline/report/SegmentMasks.h"

namespace sij::bench {
namespace {

struct ArchiveInput {
  analysis::ScanReport report;
  std::filesystem::path out_dir;
  ~ArchiveInput() {
    std::error_code ec;
    if (!out_dir.empty()) std::filesystem::remove_all(out_dir, ec);
  }
};

std::string uid(const char* root) {
  char buffer[100];
  return dcmGenerateUniqueIdentifier(buffer, root);
}

// A DICOM identity for the phantom scan: study, series, frame of reference and one SOP
// instance per slice, plus a header-only source file for the patient and study attributes.
void give_dicom_identity(VolumeMetadata& meta, std::int32_t nz, const std::filesystem::path& dir) {
  meta.source_format = "DICOM";
  meta.study_uid = uid(SITE_STUDY_UID_ROOT);
  meta.series_uid = uid(SITE_SERIES_UID_ROOT);
  meta.frame_of_reference_uid = uid(SITE_INSTANCE_UID_ROOT);
  meta.sop_class_uid = UID_CTImageStorage;
  meta.slice_sop_instance_uids.clear();
  meta.slice_frame_numbers.assign(static_cast<std::size_t>(nz), 0);
  for (std::int32_t z = 0; z < nz; ++z) meta.slice_sop_instance_uids.push_back(uid(SITE_INSTANCE_UID_ROOT));
  DcmFileFormat ff;
  DcmDataset& ds = *ff.getDataset();
  ds.putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
  ds.putAndInsertString(DCM_SOPInstanceUID, meta.slice_sop_instance_uids.front().c_str());
  ds.putAndInsertString(DCM_StudyInstanceUID, meta.study_uid.c_str());
  ds.putAndInsertString(DCM_SeriesInstanceUID, meta.series_uid.c_str());
  ds.putAndInsertString(DCM_FrameOfReferenceUID, meta.frame_of_reference_uid.c_str());
  ds.putAndInsertString(DCM_Modality, "CT");
  ds.putAndInsertString(DCM_PatientName, "Phantom^Bench");
  ds.putAndInsertString(DCM_PatientID, "BENCH");
  ds.putAndInsertString(DCM_StudyDate, "20260101");
  std::filesystem::create_directories(dir);
  const auto file = dir / "slice0.dcm";
  ff.saveFile(file.c_str(), EXS_LittleEndianExplicit);
  meta.slice_files.assign(1, file.string());
}

const ArchiveInput& archive_input() {
  static ArchiveInput in;  // built in place: its destructor removes the output folder at exit
  static const bool ready = [] {
    const auto& scans = phantom_scans_512x512x300();
    const analysis::AnalyzeOptions options;
    const auto previous = analysis::analyze_scan(scans.needle_final, options);
    in.report = analysis::analyze_scan(scans.post_injection, options, &previous);
    in.out_dir = std::filesystem::temp_directory_path() / ("sijtrack_archive_bench_" + std::to_string(::getpid()));
    give_dicom_identity(in.report.source, in.report.grid.nz, in.out_dir);
    return true;
  }();
  (void)ready;
  return in;
}

void counters(benchmark::State& state, const ArchiveInput& in) {
  const auto masks = report::build_segment_masks(in.report);
  std::int64_t voxels = 0;
  for (const auto& m : masks) voxels += static_cast<std::int64_t>(m.voxels.size());
  state.counters["segments"] = static_cast<double>(masks.size());
  state.counters["segment_voxels"] = static_cast<double>(voxels);
  state.counters["needles"] = static_cast<double>(in.report.needles.size());
  state.counters["joints"] = static_cast<double>(in.report.joints.size());
  state.counters["injected_ml"] = in.report.gas.injected_ml;
  state.SetItemsProcessed(state.iterations() * in.report.grid.voxel_count());
}

void BM_ArchiveSegmentMasks(benchmark::State& state) {
  const auto& in = archive_input();
  for (auto _ : state) benchmark::DoNotOptimize(report::build_segment_masks(in.report));
  counters(state, in);
}
BENCHMARK(BM_ArchiveSegmentMasks)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ArchiveSeg(benchmark::State& state) {
  const auto& in = archive_input();
  const auto masks = report::build_segment_masks(in.report);
  int frames = 0;
  for (auto _ : state) frames = report::write_segmentation(in.report, masks, in.out_dir / "seg.dcm").frames;
  counters(state, in);
  state.counters["frames"] = frames;
  state.counters["seg_bytes"] = static_cast<double>(std::filesystem::file_size(in.out_dir / "seg.dcm"));
}
BENCHMARK(BM_ArchiveSeg)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ArchiveSr(benchmark::State& state) {
  const auto& in = archive_input();
  const auto seg = report::write_segmentation(in.report, in.out_dir / "seg.dcm");
  for (auto _ : state) benchmark::DoNotOptimize(report::write_measurement_report(in.report, seg, in.out_dir / "sr.dcm"));
  counters(state, in);
}
BENCHMARK(BM_ArchiveSr)->Unit(benchmark::kMillisecond)->UseRealTime();

// Everything `analyze --seg --sr` adds: masks, SEG and SR written (the target's number).
void BM_ArchiveSegAndSr(benchmark::State& state) {
  const auto& in = archive_input();
  for (auto _ : state) {
    benchmark::DoNotOptimize(report::write_archive_objects(in.report, in.out_dir / "seg.dcm", in.out_dir / "sr.dcm", 10.0));
  }
  counters(state, in);
}
BENCHMARK(BM_ArchiveSegAndSr)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace sij::bench
