// Knobs of the ingest stage; the defaults suit intra-operative CT.
#pragma once

#include <cstdint>
#include <string>

namespace sij::ingest {

struct IngestOptions {
  // Which series to read when a folder holds several (empty: refuse and list them).
  std::string series_uid;
  // Memory guard: refuse volumes whose int16 voxels would take more bytes than this.
  std::int64_t max_bytes = std::int64_t{4} << 30;  // 4 GiB
  // Slice spacing may deviate from the median spacing by this fraction (plus 0.01 mm).
  double spacing_tolerance = 0.02;
  // Slices whose position differences deviate from the slice normal by more than this
  // angle are a tilted (sheared) stack.
  double tilt_tolerance_deg = 0.5;
  // HU written where the stored value equals the Pixel Padding Value (air).
  std::int16_t padding_hu = -1024;
};

}  // namespace sij::ingest
