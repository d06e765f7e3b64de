// Is a received series the whole scan? Checked before any analysis, so half a scan never gets
// a needle or gas verdict. A series is complete when:
//   - it holds as many instances as the modality announced (Images in Acquisition), when it
//     announced a count;
//   - its slice positions, along the slice normal, are evenly spaced: no step longer than
//     1.5 times the median step (a missing slice shows as a double step);
//   - its Instance Numbers, when present, run without a hole from the lowest to the highest;
//   - it has at least two slices (one slice is not a volume).
// A single multi-frame Enhanced CT object is the whole volume in one file: complete.
// What cannot be seen: slices missing at the very end (or start) of a series that announced
// no count look like a shorter scan; the report then says nothing about it.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace sij::sidecar {

// The few header fields of one instance that completeness needs.
struct SliceHeader {
  bool has_geometry = false;
  std::array<double, 3> position_mm{};     // Image Position (Patient), LPS mm
  std::array<double, 6> orientation{};     // Image Orientation (Patient): row, column cosines
  int instance_number = 0;                 // 0: absent
  int number_of_frames = 1;                // > 1: multi-frame (Enhanced CT)
  int images_in_acquisition = 0;           // 0: not announced
};

struct SliceGap {
  double from_z_mm = 0, to_z_mm = 0;       // patient z of the slices either side of the gap
};

struct Completeness {
  bool complete = false;
  int received = 0;                        // instances
  int expected = 0;                        // announced count; 0: not announced
  std::vector<SliceGap> gaps;              // by position, in order of z
  std::vector<int> missing_instance_numbers;  // up to the first 20
  // "complete: 48 slices" or "incomplete: 17 slices received, gap between z = -12.0 and
  // -3.0 mm" (the line the report, the log and the status page show).
  std::string summary;
};

Completeness check_completeness(const std::vector<SliceHeader>& slices);

// Reads the header of every DICOM file in `series_dir` (up to the pixel data); files that are
// not readable DICOM are skipped (the ingest reports them).
std::vector<SliceHeader> read_slice_headers(const std::filesystem::path& series_dir);

}  // namespace sij::sidecar
