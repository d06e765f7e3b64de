// JPEG 2000 pixel data (transfer syntaxes 1.2.840.10008.1.2.4.90 lossless-only and .91
// lossy-or-lossless), which DCMTK 3.6.7 cannot decode, decoded with GDCM (Debian's
// libgdcm, which uses OpenJPEG; ITK links it already for its DICOM reader).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sij::ingest {

// True for the JPEG 2000 transfer syntaxes this decoder reads (Part 1: .90 and .91).
// High-Throughput JPEG 2000 (.201-.203) and JPIP are not among them.
bool is_jpeg2000_transfer_syntax(const std::string& uid);

// Decodes every frame of `file` into stored pixel values, frames one after the other, each
// rows*columns samples of `bytes_per_sample` (1 or 2) bytes in host (little-endian) order:
// the same layout DCMTK gives for uncompressed Pixel Data. No rescale, no padding handling.
// Throws IngestError (CorruptFile) when GDCM cannot decode it or the decoded size is not
// rows*columns*frames*bytes_per_sample.
std::vector<std::uint8_t> decode_jpeg2000_file(const std::string& file, int rows, int columns,
                                               int frames, int bytes_per_sample);

}  // namespace sij::ingest
