// The small self-refreshing HTML page of the HTTP status server: the latest verdict line, the
// needle and gas numbers, and the overlay PNGs of the latest scan (served at /latest/<name>).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sidecar/outputs/LatestScan.h"

namespace sij::sidecar {

// `pngs`: names of the PNG files in the latest scan folder, the axial overlay first.
std::string render_status_page(const std::optional<LatestScan>& latest, const std::vector<std::string>& pngs,
                               int refresh_s);

// Text made safe for HTML element content and attribute values.
std::string html_escape(const std::string& text);

}  // namespace sij::sidecar
