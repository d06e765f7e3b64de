// One synthetic CT-guided SIJ injection procedure, from a seed: the patient, the needle plan,
// the gas, four scans (planning, needle partway, needle final, post-injection) with small
// rigid patient motion between them, written as DICOM series + MetaImage copies + ground
// truth + a session manifest. Same seed and options, same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/phantom/Variant.h"

namespace sij::phantom {

enum class PhantomSize { Test, Full };

struct PhantomOptions {
  std::uint64_t seed = 1;
  PhantomSize size = PhantomSize::Test;
  std::string out_dir;
  int side = -1;          // -1: from the seed; 0 patient left; 1 patient right
  int scenario = -1;      // -1: from the seed; 0 in joint; 1 short of it; 2 on bone
  // The clinical variants (datasets/phantom/Variant.h); Standard keeps the original bytes.
  // Narrow overrides the gap range with 0.8-1.8 mm; Distended asks for a tip in the joint
  // unless `scenario` says otherwise.
  Variant variant = Variant::Standard;
  double min_gap_mm = 2.0, max_gap_mm = 4.0;  // joint-space width range
  bool write_mha = true;
  bool previews = false;  // PNG of the axial slice through the tip, per scan
  // Scans to render (0 planning .. 3 post-injection); empty renders all four. Evaluations
  // that score only some scans skip the rest; the manifest then lists only those rendered.
  std::vector<int> only_scans;
  // Number of slices; 0: the size's own coverage (70 mm full, 30 mm test). The benchmarks ask
  // for 300 to time a clinical 512x512x300 scan; the anatomy continues beyond the joints.
  int slices = 0;
};

struct ScanSummary {
  int index = 0;
  std::string kind, dir;
  int slices = 0;
  std::int64_t boundary_voxels = 0;  // supersampled for partial volume
  int artifact_slices = 0;
  double render_s = 0, artifact_s = 0, write_s = 0;
};

struct ProcedureSummary {
  std::string manifest_path;
  std::string side, scenario;
  std::string variant = "standard";
  std::string second_side, second_scenario;  // bilateral: the other needle
  double gas_target_ml = 0;
  std::vector<ScanSummary> scans;
  double total_s = 0;
};

// Generates and writes the procedure under options.out_dir (created; scan_* folders in it
// are replaced). Throws std::runtime_error with a readable message on failure.
ProcedureSummary generate_procedure(const PhantomOptions& options);

}  // namespace sij::phantom
