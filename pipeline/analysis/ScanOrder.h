// Which earlier scans may serve as `--previous` for a scan, and in which order: earlier scans
// are compared oldest first, ordered by their acquisition time (what the ingest keeps in
// VolumeMetadata: AcquisitionDate/Time, else AcquisitionDateTime, SeriesDate/Time, StudyDate/Time),
// never by the order they were given in.
//
// Refused (ScanOrderError, one line naming the scan and what to do):
//   - a "previous" scan that is the scan itself (same SeriesInstanceUID, or the same path);
//   - one from another study (StudyInstanceUID differs, when both carry one);
//   - one acquired at the same time as the scan or later;
//   - the same series given twice.
// Files without acquisition times (NIfTI, NRRD, MetaImage) cannot be ordered: they keep the
// order given, and a warning says so.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/Volume.h"

namespace sij::analysis {

class ScanOrderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Process exit code of `sijtrack analyze` for a refused --previous (docs/exit-codes.md).
inline constexpr int kScanOrderExitCode = 4;

// Seconds since 1970-01-01 (the date part counted in days, the time of day HHMMSS.frac or
// HH:MM:SS.frac), or nullopt when the time is missing or malformed. Without a date, the time
// of day alone (seconds since midnight).
std::optional<double> acquisition_seconds(const VolumeMetadata& meta);

// "2026-12-03 10:15:02" (or only the time of day) for messages; "no acquisition time" when absent.
std::string acquisition_label(const VolumeMetadata& meta);

struct PreviousOrder {
  std::vector<std::size_t> oldest_first;  // indices into `previous`
  std::vector<std::string> warnings;      // one line each (order not verifiable)
};

// The order in which to analyse `previous` before `scan`; throws ScanOrderError as above.
PreviousOrder order_previous_scans(const VolumeMetadata& scan, const std::vector<VolumeMetadata>& previous);

}  // namespace sij::analysis
