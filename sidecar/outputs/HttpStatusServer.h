// The sidecar's HTTP endpoint (cpp-httplib), on its own thread:
//   GET /health          200 {"status":"ok","uptime_s":...,"version":"..."}
//   GET /status          the sessions' state as JSON, from the provider the core supplies
//   GET /latest.json     the latest scan's numbers (LatestScan), 404 before the first scan
//   GET /                a small self-refreshing page: verdict line, needle and gas numbers, overlays
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

#include <nlohmann/json.hpp>

#include "sidecar/ScanSink.h"
#include "sidecar/outputs/LatestScan.h"

namespace httplib {
class Server;
}

namespace sij::sidecar {

struct HttpStatusOptions {
  std::string host = "0.0.0.0";
  int port = 8080;      // 0: any free port (see port())
  int refresh_s = 5;    // the page reloads itself this often
};

using StatusProvider = std::function<nlohmann::json()>;

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

 private:
  void install_routes();

  HttpStatusOptions options_;
  StatusProvider provider_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int bound_port_ = 0;
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mutex_;
  std::optional<LatestScan> latest_;
};

}  // namespace sij::sidecar
