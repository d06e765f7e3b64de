#include "pipeline/ingest/IngestError.h"

#include <utility>

namespace sij::ingest {

int exit_code(IngestReason reason) {
  switch (reason) {
    case IngestReason::NotFound: return 10;
    case IngestReason::EmptyFolder: return 11;
    case IngestReason::UnsupportedFormat: return 12;
    case IngestReason::NotCt: return 13;
    case IngestReason::MixedSeries: return 14;
    case IngestReason::SeriesNotFound: return 15;
    case IngestReason::MixedGeometry: return 16;
    case IngestReason::MissingSlices: return 17;
    case IngestReason::DuplicateSlices: return 18;
    case IngestReason::NonUniformSpacing: return 19;
    case IngestReason::GantryTilt: return 20;
    case IngestReason::CorruptFile: return 21;
    case IngestReason::TooLarge: return 22;
    case IngestReason::MissingTag: return 23;
  }
  return 1;
}

std::string_view reason_name(IngestReason reason) {
  switch (reason) {
    case IngestReason::NotFound: return "not_found";
    case IngestReason::EmptyFolder: return "empty_folder";
    case IngestReason::UnsupportedFormat: return "unsupported_format";
    case IngestReason::NotCt: return "not_ct";
    case IngestReason::MixedSeries: return "mixed_series";
    case IngestReason::SeriesNotFound: return "series_not_found";
    case IngestReason::MixedGeometry: return "mixed_geometry";
    case IngestReason::MissingSlices: return "missing_slices";
    case IngestReason::DuplicateSlices: return "duplicate_slices";
    case IngestReason::NonUniformSpacing: return "non_uniform_spacing";
    case IngestReason::GantryTilt: return "gantry_tilt";
    case IngestReason::CorruptFile: return "corrupt_file";
    case IngestReason::TooLarge: return "too_large";
    case IngestReason::MissingTag: return "missing_tag";
  }
  return "unknown";
}

IngestError::IngestError(IngestReason reason, std::string message, std::string file)
    : std::runtime_error(std::move(message)), reason_(reason), file_(std::move(file)) {}

}  // namespace sij::ingest
