// A direction in DICOM patient coordinates (LPS) said in the words a physician uses:
// +x left / -x right, +y posterior / -y anterior, +z cranial / -z caudal.
#pragma once

#include <string>

namespace sij::verdict {

// The components of `lps` that are at least `min_fraction` of its length, largest first,
// e.g. "anterior and left" or "anterior, right and caudal". The largest is always named;
// a zero vector gives "".
std::string direction_in_words(const double lps[3], double min_fraction);

}  // namespace sij::verdict
