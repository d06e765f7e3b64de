// DICOM UIDs derived from the seed: "2.25." followed by the decimal value of a 128-bit hash
// (ISO/IEC 9834-8 form), so the same seed gives the same UIDs and nothing else does.
#pragma once

#include <cstdint>
#include <string>

namespace sij::phantom {

std::string derived_uid(std::uint64_t seed, std::uint64_t kind, std::uint64_t a = 0, std::uint64_t b = 0);

// What each UID is for (the `kind` argument).
enum UidKind : std::uint64_t { kUidStudy = 1, kUidFrame = 2, kUidSeries = 3, kUidInstance = 4 };

}  // namespace sij::phantom
