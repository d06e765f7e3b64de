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
#include "calib/ScanPreparation.h"
#include "pipeline/analysis/ReportJson.h"
#include "pipeline/analysis/ScanAnalyzer.h"
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

// Reads a scan, corrects its HU with its scanner profile and sets the options from it.
std::shared_ptr<const Volume> load(const std::string& path, const AnalyzeCliOptions& options,
                                   analysis::AnalyzeOptions& analyze_options, calib::ProfileChoice& profile) {
  ingest::IngestOptions ingest_options;
  ingest_options.series_uid = options.series_uid;
  Volume volume = ingest::ingest(path, ingest_options);
  profile = calib::prepare_scan(volume, analyze_options, options.profile);
  return std::make_shared<const Volume>(std::move(volume));
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
    // Earlier scans first, in the order given, each against the one before it.
    std::optional<analysis::ScanReport> previous;
    calib::ProfileChoice profile;
    for (const auto& path : options.previous) {
      // Shared, so that the next scan's gas stage can align to this volume.
      auto volume = load(path, options, analyze_options, profile);
      previous = analysis::analyze_scan(std::move(volume), analyze_options, previous ? &*previous : nullptr);
    }
    const auto volume_shared = load(options.scan, options, analyze_options, profile);
    const Volume& volume = *volume_shared;
    auto report = analysis::analyze_scan(volume_shared, analyze_options, previous ? &*previous : nullptr);
    report.scanner_profile = profile.profile.name;
    report.scanner_profile_rule = profile.rule;
    std::fputs(analysis::console_summary(report).c_str(), stdout);
    if (!options.json_path.empty()) {
      std::ofstream out(options.json_path);
      out << analysis::to_json(report).dump(2) << "\n";
      out.close();
      if (!out) {
        std::fprintf(stderr, "sijtrack analyze: cannot write %s (disk full or no permission?)\n", options.json_path.c_str());
        return 1;
      }
    }
    try {
      if (!options.png_dir.empty()) {
        for (const auto& file : report::write_overlays(report, volume, options.png_dir)) {
          std::printf("  wrote %s\n", file.string().c_str());
        }
      }
      if (!options.sc_path.empty()) {
        const auto sc = report::write_axial_secondary_capture(report, volume, options.sc_path);
        std::printf("  wrote %s (Secondary Capture, study %s)\n", options.sc_path.c_str(), sc.study_uid.c_str());
      }
      if (!options.seg_path.empty()) {
        const auto archive = report::write_archive_objects(report, options.seg_path, options.sr_path,
                                                           analyze_options.gas.peri_articular_mm);
        std::printf("  wrote %s (DICOM SEG, %zu segments, %d frames)\n", options.seg_path.c_str(),
                    archive.seg.segments.size(), archive.seg.frames);
        if (!options.sr_path.empty()) std::printf("  wrote %s (DICOM SR, TID 1500)\n", options.sr_path.c_str());
      }
    } catch (const std::runtime_error& e) {  // OverlayError, SecondaryCaptureError, SEG/SR errors
      std::fprintf(stderr, "sijtrack analyze: %s\n", e.what());
      return 1;
    }
    return 0;
  } catch (const ingest::IngestError& e) {
    std::fprintf(stderr, "sijtrack analyze: %s\n", e.what());
    return e.exit_code();
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
  cmd->add_option("--previous", options.previous, "Earlier scans of the same procedure, oldest first")
      ->expected(0, -1);
  cmd->add_option("--json", options.json_path, "Write the report (schema sijtrack.scan/1)");
  cmd->add_option("--series", options.series_uid, "SeriesInstanceUID when the folder holds several series");
  cmd->add_option("--target", options.target_mm, "Planned target x,y,z in LPS mm")->expected(3)->delimiter(',');
  cmd->add_option("--backend", options.backend, "auto, cpu or cuda");
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
