#include "sidecar/outputs/HttpStatusServer.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "sidecar/outputs/StatusPage.h"

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;

// PNG names in a scan folder, the axial overlay first, then by name.
std::vector<std::string> pngs_in(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (dir.empty()) return names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".png") names.push_back(it->path().filename().string());
  }
  const auto rank = [](const std::string& name) {
    if (name == "overlay.png") return 0;
    return name.find("axial") != std::string::npos ? 1 : 2;
  };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
  });
  return names;
}

bool read_whole_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// The activity the banner shows, from the /status body (SessionStatus's JSON).
PageActivity activity_from(const nlohmann::json& status) {
  PageActivity a;
  if (!status.is_object()) return a;
  a.receiving = status.value("open_series", 0);
  a.queued = status.value("queued_series", 0);
  a.analysing = status.value("analysing", false);
  return a;
}

void reply_json(httplib::Response& res, const nlohmann::json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", "application/json");
}

}  // namespace

HttpStatusServer::HttpStatusServer(HttpStatusOptions options, StatusProvider provider)
    : options_(std::move(options)), provider_(std::move(provider)), server_(std::make_unique<httplib::Server>()) {
  // httplib's default also sets SO_REUSEPORT, which lets a second sidecar bind the same port
  // silently and take half the requests; SO_REUSEADDR alone still allows a quick restart.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  server_->set_read_timeout(options_.read_timeout_s, 0);
  server_->set_write_timeout(5, 0);
  server_->set_keep_alive_timeout(options_.read_timeout_s);
  const int workers = std::max(4, options_.worker_threads);
  server_->new_task_queue = [workers] { return new httplib::ThreadPool(static_cast<std::size_t>(workers)); };
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (authorised(req.get_param_value("token"), req.get_header_value("Authorization"))) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_content("a token is required: ?token=... or Authorization: Bearer ...\n", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  install_routes();
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool HttpStatusServer::authorised(const std::string& query_token, const std::string& authorization) const {
  if (options_.token.empty()) return true;
  return query_token == options_.token || authorization == "Bearer " + options_.token;
}

void HttpStatusServer::set_health_provider(HealthProvider provider) {
  std::lock_guard lock(mutex_);
  health_ = std::move(provider);
}

HttpStatusServer::~HttpStatusServer() { stop(); }

void HttpStatusServer::install_routes() {
  server_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    const double uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    HealthProvider health;
    {
      std::lock_guard lock(mutex_);
      health = health_;
    }
    nlohmann::json body = nlohmann::json::object();
    try {
      if (health) body = health();
    } catch (const std::exception& e) {
      body = {{"problems", {std::string("health unavailable: ") + e.what()}}};
    }
    if (!body.is_object()) body = nlohmann::json::object();
    if (!body.contains("problems")) body["problems"] = nlohmann::json::array();
    const bool ok = body["problems"].empty();
    body["status"] = ok ? "ok" : "degraded";
    body["uptime_s"] = uptime_s;
    body["version"] = SIJTRACK_VERSION;
    reply_json(res, body, ok ? 200 : 503);
  });
  server_->Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    if (!provider_) {
      reply_json(res, nlohmann::json::object());
      return;
    }
    try {
      reply_json(res, provider_());
    } catch (const std::exception& e) {
      reply_json(res, {{"error", std::string("status unavailable: ") + e.what()}}, 500);
    }
  });
  server_->Get("/latest.json", [this](const httplib::Request&, httplib::Response& res) {
    const auto snapshot = latest();
    if (!snapshot) {
      reply_json(res, {{"error", "no scan analysed yet"}}, 404);
      return;
    }
    reply_json(res, to_json(*snapshot));
  });
  server_->Get("/", [this](const httplib::Request&, httplib::Response& res) {
    RoomPage page;
    page.latest = latest();
    page.pngs = page.latest ? pngs_in(page.latest->scan_dir) : std::vector<std::string>{};
    page.refresh_s = options_.refresh_s;
    page.token = options_.token;
    {
      std::lock_guard lock(mutex_);
      page.timeline = timeline_;
    }
    try {
      if (provider_) page.activity = activity_from(provider_());
    } catch (const std::exception&) {
      // No banner when the status is unavailable; /status says why.
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(render_status_page(page), "text/html; charset=utf-8");
  });
  // Names only (no '/', no ".."): the pattern admits letters, digits, '_', '-', '.' and the
  // explicit check refuses dot-dot, so nothing outside the scan folder can be read.
  server_->Get(R"(/latest/([A-Za-z0-9_.\-]+\.png))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    const auto snapshot = latest();
    if (!snapshot || name.find("..") != std::string::npos) {
      res.status = 404;
      return;
    }
    fs::path file = fs::path(snapshot->scan_dir) / name;
    std::error_code ec;
    if (name == "overlay.png" && !fs::exists(file, ec)) {
      const auto pngs = pngs_in(snapshot->scan_dir);
      if (!pngs.empty()) file = fs::path(snapshot->scan_dir) / pngs.front();
    }
    std::string body;
    if (!read_whole_file(file, body)) {
      res.status = 404;
      res.set_content("no " + name + " in the latest scan\n", "text/plain");
      return;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::move(body), "image/png");
  });
}

void HttpStatusServer::start() {
  if (thread_.joinable()) throw std::runtime_error("HTTP status server already started");
  if (!is_loopback_host(options_.host) && options_.token.empty()) {
    throw std::runtime_error("HTTP status server: bound to " + options_.host +
                             " the page (patient data) would be open to the network: give a token (--http-token), "
                             "or bind to 127.0.0.1");
  }
  started_ = std::chrono::steady_clock::now();
  if (options_.port == 0) {
    bound_port_ = server_->bind_to_any_port(options_.host);
    if (bound_port_ <= 0) throw std::runtime_error("HTTP status server: cannot bind any port on " + options_.host);
  } else {
    if (!server_->bind_to_port(options_.host, options_.port)) {
      throw std::runtime_error("HTTP status server: cannot bind " + options_.host + ":" +
                               std::to_string(options_.port) + " (in use, or no permission)");
    }
    bound_port_ = options_.port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() only takes effect once the server runs; wait for that so start/stop cannot race.
  for (int i = 0; i < 500 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void HttpStatusServer::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

bool HttpStatusServer::running() const { return thread_.joinable() && server_->is_running(); }

void HttpStatusServer::on_scan(const ScanEvent& event) noexcept {
  try {
    LatestScan snapshot = capture_latest(event);
    PageScan scan = page_scan_from(event);
    std::lock_guard lock(mutex_);
    // A late or resent older scan joins the timeline but does not become the latest verdict.
    if (event.latest_in_session || !latest_) latest_ = std::move(snapshot);
    // The timeline follows the session of the latest scan; a re-analysed scan replaces its row.
    if (!timeline_.empty() && timeline_.front().study_uid != scan.study_uid) timeline_.clear();
    std::erase_if(timeline_, [&](const PageScan& s) { return s.number == scan.number || s.series_uid == scan.series_uid; });
    timeline_.push_back(std::move(scan));
    std::sort(timeline_.begin(), timeline_.end(), [](const PageScan& a, const PageScan& b) { return a.number < b.number; });
  } catch (const std::exception& e) {
    // A copy that failed (out of memory) leaves the previous scan on the page.
    spdlog::error("http-status: scan {} of {} not recorded: {}", event.scan_index, event.study_uid, e.what());
  }
}

std::optional<LatestScan> HttpStatusServer::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

}  // namespace sij::sidecar
