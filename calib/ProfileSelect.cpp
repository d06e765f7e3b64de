#include "calib/ProfileSelect.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace sij::calib {
namespace {

namespace fs = std::filesystem;

std::string normalised(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  std::string out;
  for (std::size_t i = a; i < b; ++i) out += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  return out;
}

// The scan's kernel tag holds its values joined with '\'.
std::vector<std::string> kernel_values(const std::string& joined) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= joined.size()) {
    const std::size_t end = joined.find('\\', start);
    const std::string part = normalised(joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (!part.empty()) out.push_back(part);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

int specificity(const ProfileMatch& m) {
  return !m.manufacturer.empty() + !m.model.empty() + !m.convolution_kernels.empty();
}

std::string rule_for(const ProfileMatch& m) {
  std::string r;
  if (!m.manufacturer.empty()) r += "manufacturer";
  if (!m.model.empty()) r += std::string(r.empty() ? "" : "+") + "model";
  if (!m.convolution_kernels.empty()) r += std::string(r.empty() ? "" : "+") + "kernel";
  return "matched " + r;
}

}  // namespace

std::string default_profile_dir() {
  if (const char* env = std::getenv("SIJTRACK_PROFILES"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = exe.parent_path().parent_path() / "config" / "scanners";
    if (fs::is_directory(beside, ec)) return beside.string();
    // Installed (cmake --install, the Debian package): <prefix>/bin/sijtrack and
    // <prefix>/share/sijtrack/config/scanners.
    const fs::path installed = exe.parent_path().parent_path() / "share" / "sijtrack" / "config" / "scanners";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
#ifdef SIJTRACK_SOURCE_DIR
  // Programs run from deeper inside a build tree (the tests in build/tests/) find the source
  // tree's profiles.
  const fs::path source = fs::path(SIJTRACK_SOURCE_DIR) / "config" / "scanners";
  if (fs::is_directory(source, ec)) return source.string();
#endif
  return "config/scanners";
}

bool profile_matches(const ScannerProfile& profile, const VolumeMetadata& meta) {
  const ProfileMatch& m = profile.match;
  if (!m.manufacturer.empty() && normalised(m.manufacturer) != normalised(meta.manufacturer)) return false;
  if (!m.model.empty() && normalised(m.model) != normalised(meta.model)) return false;
  if (!m.convolution_kernels.empty()) {
    const auto scan_kernels = kernel_values(meta.convolution_kernel);
    bool any = false;
    for (const auto& k : m.convolution_kernels) {
      any = any || std::find(scan_kernels.begin(), scan_kernels.end(), normalised(k)) != scan_kernels.end();
    }
    if (!any) return false;
  }
  return true;
}

ProfileChoice select_profile(const std::string& dir, const VolumeMetadata& meta) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw ProfileError(dir, "", "the scanner profile folder does not exist (pass --profiles DIR)");
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  if (ec) throw ProfileError(dir, "", "cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());

  std::optional<ProfileChoice> best, fallback;
  int best_specificity = 0;
  for (const auto& f : files) {
    ScannerProfile p = load_profile(f.string());
    if (f.filename() == "default.json") {
      fallback = ProfileChoice{p, "default.json (no profile matched the scanner's tags)"};
      continue;
    }
    const int s = specificity(p.match);
    // A profile with an empty match is a named alternative, chosen only by name, never by tags.
    if (s == 0 || !profile_matches(p, meta)) continue;
    if (!best || s > best_specificity) {
      best_specificity = s;
      best = ProfileChoice{p, rule_for(p.match)};
    }
  }
  if (best) return *best;
  if (fallback) return *fallback;
  return ProfileChoice{ScannerProfile{}, "built-in defaults (no profile matched and no default.json)"};
}

}  // namespace sij::calib
