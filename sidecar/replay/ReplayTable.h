// The replay's results as a text table (one row per scan, then a summary of the scored ones)
// and as CSV.
#pragma once

#include <filesystem>
#include <string>

#include "sidecar/replay/Replayer.h"

namespace sij::sidecar {

std::string replay_table(const ReplayResult& result);
// Throws ReplayError when the file cannot be written.
void write_replay_csv(const ReplayResult& result, const std::filesystem::path& path);

}  // namespace sij::sidecar
