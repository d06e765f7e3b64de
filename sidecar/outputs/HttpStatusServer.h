// The sidecar's HTTP endpoint (cpp-httplib), on its own thread:
//   GET /health          {"status":"ok"|"degraded", "problems":[...], "uptime_s", "version", and what the
//                        health provider adds: the DICOM listener, the spool's free space, the
//                        analysis queue}; 503 when degraded
// Bound to 127.0.0.1 unless told otherwise; bound to any other address it needs a token
// (?token=... or "Authorization: Bearer ..."), else start() refuses. Reads and writes time out
// (read_timeout_s) and the worker pool is larger than a handful of idle clients, so slow or
// half-open requests cannot starve /health.
//   GET /status          the sessions' state as JSON, from the provider the core supplies
//   GET /latest.json     the latest scan's numbers (LatestScan), 404 before the first scan
//   GET /                the room's page (sidecar/outputs/StatusPage.h): the verdict big and coloured,
//                        alerts, a banner while a scan arrives or is analysed, the session's timeline
//   GET /latest/<name>   any *.png in the latest scan folder, by name; /latest/overlay.png is the
//                        axial overlay (a file named overlay.png, else the first *axial*.png,
//                        else the first PNG)
// As a ScanSink it keeps a copy of the latest scan's numbers.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/ScanSink.h"
#include "sidecar/outputs/LatestScan.h"
#include "sidecar/outputs/StatusPage.h"

namespace httplib {
class Server;
}

namespace sij::sidecar {

struct HttpStatusOptions {
  std::string host = "127.0.0.1";
  int port = 8080;      // 0: any free port (see port())
  int refresh_s = 5;    // the page reloads itself this often
  std::string token;    // required on every request when set; must be set for a non-loopback host
  int read_timeout_s = 2;
  int worker_threads = 32;
};

using StatusProvider = std::function<nlohmann::json()>;
// Adds to /health: an object whose "problems" (array of strings) make the status "degraded".
using HealthProvider = std::function<nlohmann::json()>;

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

class HttpStatusServer : public ScanSink {
 public:
  // `provider` answers /status (e.g. [&core] { return to_json(core.status()); }); may be empty.
  HttpStatusServer(HttpStatusOptions options, StatusProvider provider);
  ~HttpStatusServer() override;
  HttpStatusServer(const HttpStatusServer&) = delete;
  HttpStatusServer& operator=(const HttpStatusServer&) = delete;

  // Binds and serves on a new thread. Throws std::runtime_error when the address cannot be bound
  // (port in use, no permission). Calling it twice is an error.
  void start();
  // Stops serving and joins the thread; safe to call more than once.
  void stop();
  bool running() const;
  int port() const { return bound_port_; }  // after start()

  std::string name() const override { return "http-status"; }
  void on_scan(const ScanEvent& event) noexcept override;

  std::optional<LatestScan> latest() const;
  void set_health_provider(HealthProvider provider);

 private:
  bool authorised(const std::string& query_token, const std::string& authorization) const;
  void install_routes();

  HttpStatusOptions options_;
  StatusProvider provider_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int bound_port_ = 0;
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mutex_;
  std::optional<LatestScan> latest_;
  std::vector<PageScan> timeline_;  // the latest scan's session, by scan number
  HealthProvider health_;
};

}  // namespace sij::sidecar
