// `sijtrack analyze SCAN [--previous SCAN ...] [--json OUT.json]`: where the trocar tip is
// relative to the sacroiliac joint, for one scan (a DICOM folder or an image file).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "apps/cli/Commands.h"
#include "pipeline/analysis/ReportJson.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::cli {
namespace {

struct AnalyzeCliOptions {
  std::string scan;
  std::vector<std::string> previous;
  std::string json_path;
  std::string series_uid;
  std::vector<double> target_mm;
  std::string backend = "auto";
};

Backend backend_from_name(const std::string& name) {
  if (name == "auto") return default_backend();
  if (name == "cpu") return Backend::Cpu;
  if (name == "cuda") return Backend::Cuda;
  throw CLI::ValidationError("--backend", "expected auto, cpu or cuda, got '" + name + "'");
}

Volume load(const std::string& path, const AnalyzeCliOptions& options) {
  ingest::IngestOptions ingest_options;
  ingest_options.series_uid = options.series_uid;
  return ingest::ingest(path, ingest_options);
}

int run_analyze(const AnalyzeCliOptions& options) {
  analysis::AnalyzeOptions analyze_options;
  analyze_options.backend = backend_from_name(options.backend);
  if (!options.target_mm.empty()) {
    analyze_options.planned_target_mm = std::array<double, 3>{options.target_mm[0], options.target_mm[1], options.target_mm[2]};
  }
  try {
    // Earlier scans first, in the order given, each against the one before it.
    std::optional<analysis::ScanReport> previous;
    for (const auto& path : options.previous) {
      const Volume volume = load(path, options);
      previous = analysis::analyze_scan(volume, analyze_options, previous ? &*previous : nullptr);
    }
    const Volume volume = load(options.scan, options);
    const auto report = analysis::analyze_scan(volume, analyze_options, previous ? &*previous : nullptr);
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
    return 0;
  } catch (const ingest::IngestError& e) {
    std::fprintf(stderr, "sijtrack analyze: %s\n", e.what());
    return e.exit_code();
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
  cmd->callback([] { set_exit_code(run_analyze(options)); });
}

}  // namespace sij::cli
