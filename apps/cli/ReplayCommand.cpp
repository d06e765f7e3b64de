// `sijtrack replay SESSION_DIR...`: feeds recorded procedures through the sidecar's own path,
// in process (SidecarCore) or over the network to a running `serve` (--send HOST:PORT), in
// their original timing (--speed realtime) or as fast as possible (max). With ground truth it
// scores every scan and prints a table (--csv writes it).
#include <CLI/CLI.hpp>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <dcmtk/oflog/oflog.h>

#include "apps/cli/Commands.h"
#include "apps/cli/Logging.h"
#include "sidecar/replay/RecordedSession.h"
#include "sidecar/replay/ReplayTable.h"
#include "sidecar/replay/Replayer.h"

namespace sij::cli {
namespace {

namespace fs = std::filesystem;

struct ReplayCliOptions {
  std::vector<std::string> sessions;
  std::string speed = "max";
  std::string send;
  std::string called_ae = "SIJTRACK";
  std::string calling_ae = "SIJREPLAY";
  std::string csv;
  std::string out;
  std::string backend = "auto";
  bool verbose = false;
};

// A bar redrawn in place on a terminal; one line per finished scan otherwise (logs, CI).
class ProgressPrinter {
 public:
  ProgressPrinter() : tty_(::isatty(::fileno(stderr)) != 0) {}
  void operator()(const sidecar::ReplayProgress& p) {
    if (tty_) {
      constexpr int kWidth = 30;
      const double fraction = p.files_total ? double(p.files_done) / double(p.files_total) : 1.0;
      const int filled = static_cast<int>(fraction * kWidth);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(kWidth, '.');
      if (p.wait_s > 0) {
        std::fprintf(stderr, "\r[%s] scan %d/%d, next (%s %s) in %.0f s      ", bar.c_str(), p.scans_done + 1,
                     p.scans_total, p.session.c_str(), p.kind.c_str(), p.wait_s);
      } else {
        std::fprintf(stderr, "\r[%s] %zu/%zu files, scan %d/%d %s %s      ", bar.c_str(), p.files_done, p.files_total,
                     std::min(p.scans_done + 1, p.scans_total), p.scans_total, p.session.c_str(), p.kind.c_str());
      }
      if (p.scans_done == p.scans_total) std::fprintf(stderr, "\n");
      std::fflush(stderr);
    } else if (p.scans_done != last_scans_done_) {
      last_scans_done_ = p.scans_done;
      std::fprintf(stderr, "replay: scan %d/%d done (%s %s), %zu/%zu files\n", p.scans_done, p.scans_total,
                   p.session.c_str(), p.kind.c_str(), p.files_done, p.files_total);
    }
  }

 private:
  bool tty_;
  int last_scans_done_ = 0;
};

int run_replay(const ReplayCliOptions& o) {
  if (!o.verbose) {
    // The sidecar logs every series; during a replay the progress and the table say it.
    set_default_log_level(spdlog::level::warn);
    OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  }
  std::vector<sidecar::RecordedSession> sessions;
  try {
    for (const auto& dir : o.sessions) {
      sessions.push_back(sidecar::read_recorded_session(dir));
      const auto& s = sessions.back();
      std::printf("%s: %zu scan(s), %zu file(s)%s%s\n", s.dir.string().c_str(), s.scans.size(), s.file_count(),
                  s.has_truth() ? ", ground truth" : "", s.manifest.is_null() ? " (plain DICOM folder)" : "");
    }
  } catch (const sidecar::ReplayError& e) {
    std::fprintf(stderr, "sijtrack replay: %s\n", e.what());
    return 2;
  }

  sidecar::ReplayOptions options;
  options.speed = o.speed == "realtime" ? sidecar::ReplaySpeed::Realtime : sidecar::ReplaySpeed::Max;
  options.analyze.backend = backend_from_name(o.backend);
  if (!o.send.empty()) {
    try {
      auto node = sidecar::parse_host_port(o.send);
      node.called_ae = o.called_ae;
      node.calling_ae = o.calling_ae;
      options.send = node;
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "sijtrack replay: --send: %s\n", e.what());
      return 2;
    }
  } else if (!o.out.empty()) {
    options.out_dir = o.out;
    std::error_code ec;
    if (fs::exists(options.out_dir / "spool", ec) && !fs::is_empty(options.out_dir / "spool", ec)) {
      std::fprintf(stderr, "sijtrack replay: warning: %s already holds a spool; the sidecar resumes it too\n",
                   o.out.c_str());
    }
  } else {
    std::string tmpl = (fs::temp_directory_path() / "sijtrack-replay-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::fprintf(stderr, "sijtrack replay: cannot create a folder in %s\n", fs::temp_directory_path().c_str());
      return 2;
    }
    options.out_dir = tmpl;
  }

  ProgressPrinter printer;
  sidecar::ReplayResult result;
  try {
    result = sidecar::replay_sessions(sessions, options, [&](const sidecar::ReplayProgress& p) { printer(p); });
  } catch (const sidecar::ReplayError& e) {
    std::fprintf(stderr, "sijtrack replay: %s\n", e.what());
    return 2;
  }
  for (const auto& problem : result.problems) std::fprintf(stderr, "sijtrack replay: %s\n", problem.c_str());

  if (options.send) {
    std::printf("sent %zu file(s) to %s, %zu not stored, in %.1f s; the reports are the server's\n", result.files_fed,
                o.send.c_str(), result.files_refused, result.wall_s);
    return result.files_refused == 0 ? 0 : 3;
  }
  std::printf("\n%s", sidecar::replay_table(result).c_str());
  std::printf("reports in %s\n", result.sessions_dir.c_str());
  if (!o.csv.empty()) {
    try {
      sidecar::write_replay_csv(result, o.csv);
    } catch (const sidecar::ReplayError& e) {
      std::fprintf(stderr, "sijtrack replay: %s\n", e.what());
      return 2;
    }
  }
  std::size_t expected_scans = 0;
  for (const auto& s : sessions) expected_scans += s.scans.size();
  if (result.scans.size() != expected_scans) {
    std::fprintf(stderr, "sijtrack replay: %zu scan(s) fed, %zu analysed (see error.json in the scan folders)\n",
                 expected_scans, result.scans.size());
    return 3;
  }
  return result.files_refused == 0 ? 0 : 3;
}

}  // namespace

void register_replay(CLI::App& app) {
  static ReplayCliOptions options;
  auto* cmd = app.add_subcommand("replay", "Feed recorded procedures through the sidecar and score them");
  cmd->add_option("sessions", options.sessions,
                  "Session folders (phantom format with manifest.json, or any folder of DICOM series)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--speed", options.speed, "realtime (the recorded timing) or max (as fast as possible)")
      ->check(CLI::IsMember({"realtime", "max"}));
  cmd->add_option("--send", options.send, "C-STORE to a running `sijtrack serve` at HOST:PORT instead of in process");
  cmd->add_option("--called-ae", options.called_ae, "With --send: the server's AE title");
  cmd->add_option("--calling-ae", options.calling_ae, "With --send: our AE title");
  cmd->add_option("--csv", options.csv, "Write one row per analysed scan");
  cmd->add_option("--out", options.out, "In process: folder for the spool and the reports (default: a new temp folder)");
  cmd->add_option("--backend", options.backend, "auto, cpu, cuda or emulated")->check(CLI::IsMember({"auto", "cpu", "cuda", "emulated"}));
  cmd->add_flag("--verbose", options.verbose, "Keep the sidecar's log");
  cmd->callback([] { set_exit_code(run_replay(options)); });
}

}  // namespace sij::cli
