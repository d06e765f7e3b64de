#include "tools/gpu-check/Summary.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sij::gpucheck {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", ch);
      out += esc;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

std::ofstream open(const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  return out;
}

}  // namespace

void write_summary(const std::string& dir, const RunInfo& info, const std::vector<CheckResult>& results) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // a failure shows when the file is opened
  bool all = true;
  for (const auto& r : results) all = all && r.match;
  {
    std::ofstream j = open(dir + "/summary.json");
    j << "{\n  \"schema\": \"sijtrack.gpu_check/1\",\n"
      << "  \"device_backend\": " << quoted(info.device_backend) << ",\n"
      << "  \"device_name\": " << quoted(info.device_name) << ",\n"
      << "  \"cuda_check\": " << quoted(info.cuda_check) << ",\n"
      << "  \"volume\": [" << info.nx << ", " << info.ny << ", " << info.nz << "],\n"
      << "  \"repeat\": " << info.repeat << ",\n"
      << "  \"all_match\": " << (all ? "true" : "false") << ",\n"
      << "  \"total_s\": " << number(info.total_s) << ",\n  \"results\": [\n";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      j << "    {\"kind\": " << quoted(r.kind) << ", \"name\": " << quoted(r.name)
        << ", \"match\": " << (r.match ? "true" : "false") << ", \"tolerance\": " << quoted(r.tolerance)
        << ", \"max_abs_diff\": " << number(r.max_abs_diff) << ", \"cpu_ms\": " << number(r.cpu_ms)
        << ", \"device_ms\": " << number(r.device_ms) << ", \"detail\": " << quoted(r.detail) << "}"
        << (i + 1 < results.size() ? "," : "") << "\n";
    }
    j << "  ]\n}\n";
  }
  std::ofstream m = open(dir + "/summary.md");
  m << "# sijtrack GPU check\n\n"
    << "- device backend: **" << info.device_backend << "**" << (info.device_name.empty() ? "" : " (" + info.device_name + ")") << "\n"
    << "- CUDA check: " << info.cuda_check << "\n"
    << "- volume: " << info.nx << " x " << info.ny << " x " << info.nz << " (smoke pelvis, generated in memory)\n"
    << "- timings: median of " << info.repeat << " run(s); device times exclude uploads for kernels, include them for stages\n"
    << "- result: **" << (all ? "every kernel and stage matches the CPU" : "DIFFERENCES FOUND") << "**, "
    << number(info.total_s) << " s in all\n\n"
    << "| kind | name | match | tolerance | max abs diff | CPU ms | device ms | detail |\n"
    << "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& r : results) {
    m << "| " << r.kind << " | " << r.name << " | " << (r.match ? "yes" : "**NO**") << " | " << r.tolerance << " | "
      << number(r.max_abs_diff) << " | " << number(r.cpu_ms) << " | " << number(r.device_ms) << " | " << r.detail << " |\n";
  }
}

}  // namespace sij::gpucheck
