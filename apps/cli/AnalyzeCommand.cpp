// `sijtrack analyze SCAN [--previous SCAN ...] [--json OUT.json]`: where the trocar tip is
// relative to the sacroiliac joint, for one scan (a DICOM folder or an image file).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/cli/Commands.h"
#include "apps/cli/OutputFile.h"
#include "calib/ScanPreparation.h"
#include "pipeline/analysis/ReportJson.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/analysis/ScanOrder.h"
#include "pipeline/ingest/Ingest.h"
#include "pipeline/report/ArchiveObjects.h"
#include "pipeline/report/Overlays.h"
#include "pipeline/report/SecondaryCapture.h"
#include "pipeline/verdict/VerdictConfig.h"

namespace sij::cli {
namespace {

struct AnalyzeCliOptions {
  std::string scan;
  std::vector<std::string> previous;
  std::string json_path;
  std::string series_uid;
  std::vector<double> target_mm;
  std::string backend = "auto";
  std::string png_dir;      // PNG overlays (docs/report.md "Overlays")
  std::string sc_path;      // the axial overlay as DICOM Secondary Capture
  std::string seg_path;     // DICOM SEG of the gas, joints and needles (docs/report.md "DICOM SEG")
  std::string sr_path;      // DICOM SR TID 1500 of the measurements (needs seg_path)
  std::string config_path;  // verdict thresholds (config/verdict.json)
  calib::ScanProfileSource profile;  // scanner profile: a named file or chosen by DICOM tags
};

// Reads a scan (HU as stored; the scanner profile is applied just before its analysis).
std::shared_ptr<Volume> read_scan(const std::string& path, const AnalyzeCliOptions& options) {
  ingest::IngestOptions ingest_options;
  ingest_options.series_uid = options.series_uid;
  return std::make_shared<Volume>(ingest::ingest(path, ingest_options));
}

// The previous scans, read and put in acquisition order (oldest first); throws
// analysis::ScanOrderError for a scan that cannot be a previous one of `scan`.
std::vector<std::shared_ptr<Volume>> read_previous_in_order(const Volume& scan, const AnalyzeCliOptions& options) {
  std::vector<std::shared_ptr<Volume>> given;
  std::vector<VolumeMetadata> metas;
  for (const auto& path : options.previous) {
    given.push_back(read_scan(path, options));
    metas.push_back(given.back()->meta);
  }
  const auto order = analysis::order_previous_scans(scan.meta, metas);
  for (const auto& warning : order.warnings) std::fprintf(stderr, "sijtrack analyze: warning: %s\n", warning.c_str());
  std::vector<std::shared_ptr<Volume>> ordered;
  for (const std::size_t i : order.oldest_first) ordered.push_back(given[i]);
  return ordered;
}

// Corrects a scan's HU with its scanner profile, sets the options from it, and hands it over.
std::shared_ptr<const Volume> prepare(std::shared_ptr<Volume>& volume, const AnalyzeCliOptions& options,
                                      analysis::AnalyzeOptions& analyze_options, calib::ProfileChoice& profile) {
  profile = calib::prepare_scan(*volume, analyze_options, options.profile);
  std::shared_ptr<const Volume> prepared = std::move(volume);
  return prepared;
}

// The console summary, and the files asked for. With `--json -` the JSON alone goes to stdout
// and everything else to stderr, so that stdout can be piped into a JSON reader.
int write_outputs(const analysis::ScanReport& report, const Volume& volume, const AnalyzeCliOptions& options,
                  double peri_articular_mm) {
  std::FILE* text = is_stdout(options.json_path) ? stderr : stdout;
  std::fputs(analysis::console_summary(report).c_str(), text);
  try {
    if (!options.json_path.empty()) write_output(options.json_path, analysis::to_json(report).dump(2) + "\n");
    if (!options.png_dir.empty()) {
      for (const auto& file : report::write_overlays(report, volume, options.png_dir)) {
        std::fprintf(text, "  wrote %s\n", file.string().c_str());
      }
    }
    if (!options.sc_path.empty()) {
      create_parent_folders(options.sc_path);
      const auto sc = report::write_axial_secondary_capture(report, volume, options.sc_path);
      std::fprintf(text, "  wrote %s (Secondary Capture, study %s)\n", options.sc_path.c_str(), sc.study_uid.c_str());
    }
    if (!options.seg_path.empty()) {
      create_parent_folders(options.seg_path);
      if (!options.sr_path.empty()) create_parent_folders(options.sr_path);
      const auto archive = report::write_archive_objects(report, options.seg_path, options.sr_path, peri_articular_mm);
      std::fprintf(text, "  wrote %s (DICOM SEG, %zu segments, %d frames)\n", options.seg_path.c_str(),
                   archive.seg.segments.size(), archive.seg.frames);
      if (!options.sr_path.empty()) std::fprintf(text, "  wrote %s (DICOM SR, TID 1500)\n", options.sr_path.c_str());
    }
  } catch (const std::runtime_error& e) {  // OutputFileError, OverlayError, SecondaryCaptureError, SEG/SR errors
    std::fprintf(stderr, "sijtrack analyze: %s\n", e.what());
    return 1;
  }
  return 0;
}

int run_analyze(const AnalyzeCliOptions& options) {
  analysis::AnalyzeOptions analyze_options;
  analyze_options.backend = backend_from_name(options.backend);
  if (!options.config_path.empty()) {
    try {
      analyze_options.verdict = verdict::load_verdict_config(options.config_path);
    } catch (const verdict::VerdictConfigError& e) {
      std::fprintf(stderr, "sijtrack analyze: %s\n", e.what());
      return 2;
    }
  }
  if (!options.target_mm.empty()) {
    analyze_options.planned_target_mm = std::array<double, 3>{options.target_mm[0], options.target_mm[1], options.target_mm[2]};
  }
  try {
    // Earlier scans first, by acquisition time, each against the one before it.
    auto scan = read_scan(options.scan, options);
    auto earlier = read_previous_in_order(*scan, options);
    std::optional<analysis::ScanReport> previous;
    calib::ProfileChoice profile;
    for (auto& before : earlier) {
      // Shared, so that the next scan's gas stage can align to this volume.
      auto volume = prepare(before, options, analyze_options, profile);
      previous = analysis::analyze_scan(std::move(volume), analyze_options, previous ? &*previous : nullptr);
    }
    earlier.clear();
    const auto volume_shared = prepare(scan, options, analyze_options, profile);
    const Volume& volume = *volume_shared;
    auto report = analysis::analyze_scan(volume_shared, analyze_options, previous ? &*previous : nullptr);
    report.scanner_profile = profile.profile.name;
    report.scanner_profile_rule = profile.rule;
    return write_outputs(report, volume, options, analyze_options.gas.peri_articular_mm);
  } catch (const ingest::IngestError& e) {
    std::fprintf(stderr, "sijtrack analyze: %s\n", e.what());
    return e.exit_code();
  } catch (const analysis::ScanOrderError& e) {
    std::fprintf(stderr, "sijtrack analyze: %s\n", e.what());
    return analysis::kScanOrderExitCode;
  } catch (const calib::ProfileError& e) {
    std::fprintf(stderr, "sijtrack analyze: scanner profile: %s\n", e.what());
    return 30;  // the calibrate command's code for a bad profile
  }
}

}  // namespace

void register_analyze(CLI::App& app) {
  static AnalyzeCliOptions options;
  auto* cmd = app.add_subcommand("analyze", "Find the needle tip relative to the sacroiliac joint in one scan");
  cmd->add_option("scan", options.scan, "DICOM folder or .mha/.mhd/.nii/.nii.gz/.nrrd file")->required();
  cmd->add_option("--previous", options.previous, "Earlier scans of the same study (compared in acquisition order)")
      ->expected(0, -1);
  cmd->add_option("--json", options.json_path, "Write the report (schema sijtrack.scan/1) to this file ('-' for stdout; folders are created)");
  cmd->add_option("--series", options.series_uid, "SeriesInstanceUID when the folder holds several series");
  cmd->add_option("--target", options.target_mm, "Planned target x,y,z in LPS mm")->expected(3)->delimiter(',');
  cmd->add_option("--backend", options.backend, "auto, cpu, cuda or emulated");
  cmd->add_option("--png-dir", options.png_dir, "Write the PNG overlays (axial, joint reformats, gas projection) here");
  cmd->add_option("--sc", options.sc_path, "Write the axial overlay as a DICOM Secondary Capture file");
  cmd->add_option("--seg", options.seg_path, "Write the gas, joint spaces and needles as a DICOM SEG file");
  cmd->add_option("--sr", options.sr_path, "Write the measurements as a DICOM SR (TID 1500) file; needs --seg")
      ->needs("--seg");
  cmd->add_option("--config", options.config_path, "Verdict thresholds (JSON, see config/verdict.json)");
  cmd->add_option("--profile", options.profile.profile_file, "Scanner profile to use (default: chosen by the scan's DICOM tags)");
  cmd->add_option("--profiles", options.profile.profile_dir, "Folder of scanner profiles (default: config/scanners)");
  cmd->callback([] { set_exit_code(run_analyze(options)); });
}

}  // namespace sij::cli
