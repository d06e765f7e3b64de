// The PNG overlays of one scan, written to a folder: axial.png (the slice through the tip),
// reformat_<side>.png (one per joint found) and gas_projection.png. Described, with
// pictures, in docs/report.md ("Overlays").
#pragma once

#include <filesystem>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/analysis/ScanReport.h"
#include "pipeline/report/OverlayStyle.h"

namespace sij::report {

// Uses report.volume. Creates `dir` when needed and returns the files written, in the order
// above. Throws OverlayError when the report carries no volume, or a file cannot be written.
std::vector<std::filesystem::path> write_overlays(const analysis::ScanReport& report, const std::filesystem::path& dir,
                                                  const OverlayOptions& options = {});

// The same with the volume given explicitly (it must be the one the report was made from).
std::vector<std::filesystem::path> write_overlays(const analysis::ScanReport& report, const Volume& volume,
                                                  const std::filesystem::path& dir, const OverlayOptions& options = {});

}  // namespace sij::report
