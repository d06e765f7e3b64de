// The ingest stage's typed refusal: one reason, the file or tag it concerns, a one-line
// message that says what to do, and a distinct process exit code per reason
// (the table is in docs/ingest.md).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sij::ingest {

enum class IngestReason {
  NotFound,           // the path does not exist or cannot be opened
  EmptyFolder,        // no DICOM image in the folder
  UnsupportedFormat,  // an extension, pixel format or SOP class the ingest does not read
  NotCt,              // the series is not Modality CT
  MixedSeries,        // several series and none chosen (the message lists them)
  SeriesNotFound,     // --series names a UID that is not in the folder
  MixedGeometry,      // orientation, size or pixel spacing differ between slices
  MissingSlices,      // a gap of whole slices in the stack
  DuplicateSlices,    // two files at the same position
  NonUniformSpacing,  // slice spacing varies beyond the tolerance
  GantryTilt,         // slices are sheared (tilted gantry)
  CorruptFile,        // a truncated or unparsable file (named)
  TooLarge,           // the volume would exceed the memory guard (bytes named)
  MissingTag,         // a tag the geometry needs is absent or malformed (named)
};

// Process exit code for a refusal with this reason (10..23; 0 is success, 1 any other error).
int exit_code(IngestReason reason);
// Stable lower-case identifier, e.g. "gantry_tilt" (used in JSON and messages).
std::string_view reason_name(IngestReason reason);

class IngestError : public std::runtime_error {
 public:
  // message: one line naming the file or tag and what to do.
  IngestError(IngestReason reason, std::string message, std::string file = {});

  IngestReason reason() const { return reason_; }
  int exit_code() const { return ingest::exit_code(reason_); }
  const std::string& file() const { return file_; }  // empty when no single file is at fault

 private:
  IngestReason reason_;
  std::string file_;
};

}  // namespace sij::ingest
