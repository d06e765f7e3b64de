// libFuzzer target for the DICOM ingest path: the input bytes are written to a file and read
// as a one-file series by sij::ingest::read_dicom_files (header pass, series and pixel-format
// checks, Enhanced CT functional groups, slice stack, pixel decode through DCMTK's codecs).
// A refusal (IngestError) is the expected outcome for most inputs; anything else that
// escapes, a crash, a leak or undefined behaviour is a finding.
//
//   scripts/fuzz.sh [SECONDS]     builds it in build-fuzz/ with clang and runs it
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include "pipeline/ingest/DicomSeriesReader.h"
#include "pipeline/ingest/DicomSlice.h"
#include "pipeline/ingest/IngestError.h"

namespace {

// One scratch file per process, removed at exit.
struct ScratchInput {
  std::filesystem::path dir;
  std::string path;
  ScratchInput()
      : dir(std::filesystem::temp_directory_path() / ("sijtrack-fuzz-" + std::to_string(getpid()))),
        path((dir / "input.dcm").string()) {
    std::filesystem::create_directories(dir);
  }
  ~ScratchInput() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

const std::string& input_path() {
  static const ScratchInput scratch;
  return scratch.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = input_path();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);

  sij::ingest::IngestOptions options;
  options.max_bytes = std::int64_t{64} << 20;  // the memory guard, well under libFuzzer's RSS limit
  try {
    const sij::Volume v = sij::ingest::read_dicom_files({path}, options, path);
    // Touch the result so the decode cannot be elided, and check the invariants.
    if (v.hu.size() != static_cast<std::size_t>(v.grid.voxel_count())) std::abort();
    if (v.meta.slice_files.size() != static_cast<std::size_t>(v.grid.nz)) std::abort();
  } catch (const sij::ingest::IngestError& e) {
    if (e.what()[0] == '\0') std::abort();  // every refusal says something
  }
  return 0;
}
