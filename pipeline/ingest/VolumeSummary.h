// What `sijtrack ingest` prints: a volume's geometry and metadata, as JSON and as text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/Volume.h"

namespace sij::ingest {

// Geometry (size, spacing_mm, origin_mm, direction, extent), HU range and metadata.
nlohmann::json volume_summary_json(const Volume& volume);
// A few lines for the console.
std::string volume_summary_text(const Volume& volume);

}  // namespace sij::ingest
