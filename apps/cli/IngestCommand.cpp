// `sijtrack ingest PATH [--series UID] [--json OUT]`: read a CT (DICOM folder or file,
// NIfTI, NRRD, MetaImage), print its geometry and metadata, or refuse with one line and the
// reason's exit code (docs/ingest.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "apps/cli/Commands.h"
#include "apps/cli/OutputFile.h"
#include "pipeline/ingest/Ingest.h"
#include "pipeline/ingest/VolumeSummary.h"

namespace sij::cli {
namespace {

struct IngestArgs {
  std::string path;
  std::string series_uid;
  std::string json_out;
  double max_gib = 4.0;
};

}  // namespace

void register_ingest(CLI::App& app) {
  auto args = std::make_shared<IngestArgs>();
  auto* cmd = app.add_subcommand("ingest", "Read a CT and print its geometry and metadata");
  cmd->add_option("path", args->path, "DICOM folder or file, .nii/.nii.gz/.nrrd/.nhdr/.mha/.mhd")
      ->required();
  cmd->add_option("--series", args->series_uid, "SeriesInstanceUID to read when the folder holds several");
  cmd->add_option("--json", args->json_out, "write the summary as JSON to this file ('-' for stdout; folders are created)");
  cmd->add_option("--max-gib", args->max_gib, "memory guard: refuse volumes larger than this (GiB)")
      ->check(CLI::PositiveNumber);
  cmd->callback([args] {
    ingest::IngestOptions options;
    options.series_uid = args->series_uid;
    options.max_bytes = static_cast<std::int64_t>(args->max_gib * 1024.0 * 1024.0 * 1024.0);
    try {
      const Volume vol = ingest::ingest(args->path, options);
      const auto json = ingest::volume_summary_json(vol);
      if (args->json_out == "-") {
        std::printf("%s\n", json.dump(2).c_str());
      } else {
        std::fputs(ingest::volume_summary_text(vol).c_str(), stdout);
        if (!args->json_out.empty()) {
          try {
            write_output(args->json_out, json.dump(2) + "\n");
          } catch (const OutputFileError& e) {
            std::fprintf(stderr, "sijtrack ingest: %s\n", e.what());
            set_exit_code(1);
            return;
          }
        }
      }
      set_exit_code(0);
    } catch (const ingest::IngestError& e) {
      std::fprintf(stderr, "sijtrack ingest: refused (%s): %s\n",
                   std::string(ingest::reason_name(e.reason())).c_str(), e.what());
      set_exit_code(e.exit_code());
    }
  });
}

}  // namespace sij::cli
