#include "sidecar/outputs/SidecarHealth.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace sij::sidecar {

bool port_accepts(int port, int timeout_ms) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    ok = ::poll(&p, 1, timeout_ms) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
  }
  ::close(fd);
  return ok;
}

nlohmann::json sidecar_health(const HealthInputs& inputs, const SessionStatus& status) {
  nlohmann::json problems = nlohmann::json::array();
  nlohmann::json j;
  if (inputs.listener_port > 0) {
    const bool accepting = port_accepts(inputs.listener_port);
    j["listener"] = {{"port", inputs.listener_port}, {"accepting", accepting}};
    if (!accepting) problems.push_back("the DICOM listener on port " + std::to_string(inputs.listener_port) + " does not accept connections");
  } else {
    j["listener"] = nullptr;
  }
  std::error_code ec;
  const auto space = std::filesystem::space(inputs.spool_dir, ec);
  if (ec) {
    j["spool"] = {{"path", inputs.spool_dir.string()}, {"error", ec.message()}};
    problems.push_back("the spool " + inputs.spool_dir.string() + " cannot be read: " + ec.message());
  } else {
    j["spool"] = {{"path", inputs.spool_dir.string()}, {"free_bytes", space.available},
                  {"min_free_bytes", inputs.min_free_bytes}};
    if (space.available < inputs.min_free_bytes) {
      char line[200];
      std::snprintf(line, sizeof line, "the spool has %.2f GiB free, below %.2f GiB", space.available / 1073741824.0,
                    inputs.min_free_bytes / 1073741824.0);
      problems.push_back(line);
    }
  }
  j["queue"] = {{"receiving", status.open_series}, {"waiting", status.queued_series}, {"analysing", status.analysing}};
  if (status.queued_series > inputs.max_queued) {
    problems.push_back(std::to_string(status.queued_series) + " complete series wait for analysis (more than " +
                       std::to_string(inputs.max_queued) + ")");
  }
  j["problems"] = problems;
  return j;
}

}  // namespace sij::sidecar
