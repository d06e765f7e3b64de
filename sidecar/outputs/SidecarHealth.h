// What GET /health reports about the sidecar beyond the HTTP server itself: whether the DICOM
// listener accepts connections (a TCP connect to it), the spool's free space, and the analysis
// queue. Each problem is one line in "problems"; any problem makes /health "degraded" (503).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "sidecar/SessionStatus.h"

namespace sij::sidecar {

struct HealthInputs {
  int listener_port = 0;                 // the DICOM listener; 0: none (watch folder only)
  std::filesystem::path spool_dir;
  std::uintmax_t min_free_bytes = std::uintmax_t{1} << 30;  // 1 GiB: about 7 clinical scans
  int max_queued = 4;                    // more complete series waiting is a backlog
};

// True when a TCP connection to 127.0.0.1:port succeeds within timeout_ms.
bool port_accepts(int port, int timeout_ms = 300);

nlohmann::json sidecar_health(const HealthInputs& inputs, const SessionStatus& status);

}  // namespace sij::sidecar
