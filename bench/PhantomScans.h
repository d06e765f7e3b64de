// Clinical-size benchmark input with anatomy, a needle and gas: one phantom procedure at
// 512x512x300 (datasets/phantom, seed 7, tip in the joint), generated once per process into a
// temp folder (about a minute) and read back with the ingest. Shared by the per-stage
// benchmarks so they time the same scans. SIJTRACK_BENCH_PHANTOM=DIR reads an existing
// procedure instead (written by `sijtrack phantom --seed 7 --size full --scenario in
// --slices 300 --out DIR`), to save the generation when benchmarking repeatedly.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "datasets/phantom/Procedure.h"
#include "pipeline/Volume.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::bench {

struct PhantomScans {
  std::shared_ptr<const Volume> planning;        // no needle
  std::shared_ptr<const Volume> needle_final;    // needle at the target
  std::shared_ptr<const Volume> post_injection;  // needle and injected gas
};

inline const PhantomScans& phantom_scans_512x512x300() {
  static const PhantomScans scans = [] {
    namespace fs = std::filesystem;
    const auto load_from = [](const fs::path& dir, const char* scan) {
      for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(scan, 0) == 0) {
          return std::make_shared<const Volume>(ingest::ingest((entry.path() / "image.mha").string()));
        }
      }
      throw std::runtime_error(std::string("phantom scan missing: ") + scan + " in " + dir.string());
    };
    if (const char* given = std::getenv("SIJTRACK_BENCH_PHANTOM")) {
      return PhantomScans{load_from(given, "scan_00"), load_from(given, "scan_02"), load_from(given, "scan_03")};
    }
    std::string tmpl = (fs::temp_directory_path() / "sijtrack-bench-phantom-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    phantom::PhantomOptions options;
    options.seed = 7;
    options.size = phantom::PhantomSize::Full;
    options.scenario = 0;
    options.slices = 300;
    options.out_dir = tmpl;
    options.only_scans = {0, 2, 3};
    phantom::generate_procedure(options);
    PhantomScans s{load_from(tmpl, "scan_00"), load_from(tmpl, "scan_02"), load_from(tmpl, "scan_03")};
    fs::remove_all(tmpl);
    return s;
  }();
  return scans;
}

}  // namespace sij::bench
