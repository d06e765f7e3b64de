#include "pipeline/report/SourceFile.h"

#include <string>
#include <vector>

namespace sij::report {

std::filesystem::path first_source_file(const VolumeMetadata& meta) {
  std::vector<std::filesystem::path> candidates;
  if (!meta.slice_files.empty()) {
    std::string name = meta.slice_files.front();
    if (const auto frame = name.find(" (frame "); frame != std::string::npos) name.resize(frame);
    candidates.emplace_back(name);
    candidates.emplace_back(std::filesystem::path(meta.source_path) / name);
  }
  if (!meta.source_path.empty()) candidates.emplace_back(meta.source_path);
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c, ec)) return c;
  }
  return {};
}

}  // namespace sij::report
