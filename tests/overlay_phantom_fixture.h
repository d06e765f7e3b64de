// One test-size phantom procedure for the report tests (overlays, Secondary Capture): its
// post-injection scan ingested from DICOM and analysed, with the gas mask replaced by the
// phantom's own labels (bit 2 injected, bit 4 bowel gas), so the overlays are checked against
// ground truth and not against the gas stage. Generated once per test binary run into a temp
// folder that is removed at exit.
#pragma once

#include <itkImage.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "datasets/scoring/ScanScore.h"
#include "datasets/phantom/Procedure.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/ingest/Ingest.h"

namespace sij::test {

struct ReportPhantom {
  std::filesystem::path root, scan_dir;
  std::shared_ptr<const Volume> volume;
  std::vector<std::uint8_t> labels;  // phantom label bits per voxel
  analysis::ScanReport report;        // gas mask from the labels
};

// The gas classification of the phantom's truth: injected where bit 2, pre-existing where bit 4.
inline std::vector<std::uint8_t> gas_mask_from_labels(const std::vector<std::uint8_t>& labels) {
  std::vector<std::uint8_t> mask(labels.size(), gas::kNoGas);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] & 2) mask[i] = gas::kInjected;
    else if (labels[i] & 4) mask[i] = gas::kPreexisting;
  }
  return mask;
}

inline const ReportPhantom& report_phantom() {
  struct Holder {
    ReportPhantom p;
    Holder() {
      p.root = std::filesystem::temp_directory_path() / ("sijtrack_report_test_" + std::to_string(::getpid()));
      // The needle is withdrawn before the post-injection scan in some procedures: take the
      // first seed from 13 (11 and 12 withdraw it) that keeps it.
      for (std::uint64_t seed = 13; seed < 33 && !needle_present(); ++seed) {
        phantom::PhantomOptions o;
        o.seed = seed;
        o.side = 1;      // patient right
        o.scenario = 0;  // tip in the joint
        o.only_scans = {3};
        o.out_dir = p.root.string();
        phantom::generate_procedure(o);
        for (const auto& e : std::filesystem::directory_iterator(p.root)) {
          if (e.is_directory() && e.path().filename().string().rfind("scan_03_", 0) == 0) p.scan_dir = e.path();
        }
      }
      auto volume = std::make_shared<Volume>(ingest::ingest((p.scan_dir / "dicom").string(), {}));
      p.volume = volume;
      p.labels = sij::scoring::read_phantom_labels((p.scan_dir / "labels.mha").string());
      p.report = analysis::analyze_scan(*volume, analysis::AnalyzeOptions{});
      p.report.volume = volume;
      p.report.gas = gas::GasFinding{};
      p.report.gas.analysed = true;
      p.report.gas.injected_ml = 2.0;
      p.report.gas.intra_articular_ml = 0.8;
      p.report.gas.joint_side = "right";
      p.report.gas.grid = volume->grid;
      p.report.gas.affine = volume->affine;
      p.report.gas.mask = gas_mask_from_labels(p.labels);
    }
    bool needle_present() const {
      if (p.scan_dir.empty()) return false;
      std::ifstream in(p.scan_dir / "truth.json");
      return nlohmann::json::parse(in)["needle"]["present"].get<bool>();
    }
    ~Holder() {
      std::error_code ec;
      std::filesystem::remove_all(p.root, ec);
    }
  };
  static Holder holder;
  return holder.p;
}

}  // namespace sij::test
