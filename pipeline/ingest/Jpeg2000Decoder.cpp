#include "pipeline/ingest/Jpeg2000Decoder.h"

#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmTrace.h>

#include <mutex>

#include "pipeline/ingest/IngestError.h"

namespace sij::ingest {

bool is_jpeg2000_transfer_syntax(const std::string& uid) {
  return uid == "1.2.840.10008.1.2.4.90" || uid == "1.2.840.10008.1.2.4.91";
}

std::vector<std::uint8_t> decode_jpeg2000_file(const std::string& file, int rows, int columns,
                                               int frames, int bytes_per_sample) {
  auto fail = [&](const std::string& why) -> IngestError {
    return IngestError(IngestReason::CorruptFile,
                       "cannot decode the JPEG 2000 Pixel Data of " + file + " (" + why +
                           "): move it out of the folder or re-export the series uncompressed; "
                           "the other files are untouched",
                       file);
  };
  static std::once_flag quiet;
  std::call_once(quiet, [] {
    // The core never prints: GDCM's notes ("more bits actually stored on disk") are dropped;
    // a failure comes back as the IngestError below.
    gdcm::Trace::WarningOff();
    gdcm::Trace::ErrorOff();
    gdcm::Trace::DebugOff();
  });
  gdcm::ImageReader reader;
  reader.SetFileName(file.c_str());
  if (!reader.Read()) throw fail("GDCM cannot read the file");
  const gdcm::Image& image = reader.GetImage();
  const std::size_t expected = static_cast<std::size_t>(rows) * columns * frames * bytes_per_sample;
  if (image.GetBufferLength() != expected) {
    throw fail("decoded size " + std::to_string(image.GetBufferLength()) + " bytes, Rows x Columns x "
               "NumberOfFrames needs " + std::to_string(expected));
  }
  std::vector<std::uint8_t> out(expected);
  if (!image.GetBuffer(reinterpret_cast<char*>(out.data()))) throw fail("the codestream does not decode");
  return out;
}

}  // namespace sij::ingest
