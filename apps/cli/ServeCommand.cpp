// `sijtrack serve`: the sidecar beside the CT console. A DICOM Storage SCP (and optionally a
// watch folder) feeds the spool; complete series are analysed in their session and the
// outputs written. SIGTERM / SIGINT: stop accepting, finish the analysis in progress, exit 0.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <dcmtk/oflog/oflog.h>
#include <spdlog/spdlog.h>

#include "apps/cli/Commands.h"
#include "sidecar/outputs/SidecarHealth.h"
#include "sidecar/SidecarCore.h"
#include "sidecar/StorageServer.h"
#include "sidecar/WatchFolder.h"
#include "sidecar/outputs/Outputs.h"

namespace sij::cli {
namespace {

struct ServeCliOptions {
  std::string ae_title = "SIJTRACK";
  int port = 11112;
  std::vector<std::string> allow;
  std::vector<std::string> allow_ip;
  std::string dicom_bind = "0.0.0.0";
  int negotiation_timeout_s = 5;
  int idle_timeout_s = 30;
  std::string spool, out, watch;
  double quiet_seconds = 5.0;
  int max_associations = 16;
  std::string backend = "auto";
  bool verbose = false;
  int http_port = -1;         // -1: off
  std::string http_bind = "127.0.0.1";
  std::string http_token;     // required when http_bind is not loopback
  int igtl_port = -1;         // -1: off
  std::string igtl_bind = "127.0.0.1";
  std::string send_to;        // HOST:PORT of the DICOM node for the Secondary Capture; empty: off
  std::string send_called_ae = "ANY-SCP";
  std::string profile_file, profile_dir;  // scanner profile: named, or chosen by DICOM tags
};

int run_serve(const ServeCliOptions& options) {
  // The log's pattern, level and file: --log-level / --log-file (apps/cli/Logging.h).
  if (options.verbose) spdlog::set_level(spdlog::level::debug);
  // DCMTK's own logger would repeat what we log, in its words; keep its errors only.
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);

  // Signals are taken by sigwait below: block them before any thread starts, so every
  // thread inherits the mask and none is interrupted mid-write.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  sidecar::SidecarConfig config;
  config.spool_dir = options.spool;
  config.output_dir = options.out;
  config.quiet_seconds = options.quiet_seconds;
  config.analyze.backend = backend_from_name(options.backend);
  config.ae_title = options.ae_title;
  config.port = options.port;
  config.allowed_calling_aets = options.allow;
  config.max_associations = options.max_associations;
  config.allowed_peer_addresses = options.allow_ip;
  config.bind_address = options.dicom_bind;
  config.negotiation_timeout_s = options.negotiation_timeout_s;
  config.idle_timeout_s = options.idle_timeout_s;
  config.watch_dir = options.watch;
  config.profiles.profile_file = options.profile_file;
  config.profiles.profile_dir = options.profile_dir;

  try {
    spdlog::info("sijtrack serve {}: spool {}, output {}, quiet period {} s, backend {}", SIJTRACK_VERSION,
                 config.spool_dir.string(), config.output_dir.string(), config.quiet_seconds, options.backend);
    sidecar::SidecarCore core(config);
    // Outputs (sidecar/outputs), called after each scan's report is written, in this order.
    sidecar::OutputsConfig outputs_config;
    if (options.http_port >= 0) {
      outputs_config.http =
          sidecar::HttpStatusOptions{.host = options.http_bind, .port = options.http_port, .token = options.http_token};
    }
    if (options.igtl_port >= 0) {
      outputs_config.igtl = sidecar::IgtlOptions{.port = options.igtl_port, .host = options.igtl_bind};
    }
    if (!options.send_to.empty()) {
      sidecar::DicomSendOptions send_options;
      send_options.node = sidecar::parse_host_port(options.send_to);
      send_options.node.called_ae = options.send_called_ae;
      send_options.node.calling_ae = config.ae_title;
      outputs_config.dicom_send = send_options;
    }
    sidecar::RunningOutputs outputs = sidecar::start_outputs(core, outputs_config);
    if (outputs.http) spdlog::info("HTTP status on http://{}:{}/", options.http_bind, outputs.http->port());
    if (outputs.igtl) spdlog::info("OpenIGTLink server on {}:{}", options.igtl_bind, outputs.igtl->port());
    if (outputs.dicom_send) spdlog::info("Secondary Captures go to {} at {}", options.send_called_ae, options.send_to);
    sidecar::StorageServer server(core, config);
    server.start();
    if (outputs.http) {
      const sidecar::HealthInputs health{.listener_port = config.port, .spool_dir = config.spool_dir};
      outputs.http->set_health_provider([&core, health] { return sidecar::sidecar_health(health, core.status()); });
    }
    std::unique_ptr<sidecar::WatchFolder> watch;
    if (!config.watch_dir.empty()) {
      watch = std::make_unique<sidecar::WatchFolder>(core, config.watch_dir, config.watch_poll_seconds);
      watch->start();
    }
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    spdlog::info("{} received: no new associations; finishing the analysis in progress", strsignal(signal_number));
    if (watch) watch->stop();
    server.stop();
    // The running analysis finishes and its outputs are called; queued and open series stay
    // in the spool. Only then are the output servers closed.
    core.shutdown();
    outputs.stop();
  } catch (const std::exception& e) {
    spdlog::error("sijtrack serve: {}", e.what());
    return 2;
  }
  spdlog::info("sijtrack serve: stopped");
  return 0;
}

}  // namespace

void register_serve(CLI::App& app) {
  static ServeCliOptions options;
  auto* cmd = app.add_subcommand("serve", "Receive CT series from the console (DICOM C-STORE) and analyse each scan");
  cmd->add_option("--aet", options.ae_title, "Our AE title (called AE title)");
  cmd->add_option("--port", options.port, "TCP port of the DICOM listener")->check(CLI::Range(1, 65535));
  cmd->add_option("--allow", options.allow, "Calling AE titles accepted, comma-separated (default: any)")
      ->delimiter(',');
  cmd->add_option("--spool", options.spool, "Folder where every received instance is kept (synced before the ack)")
      ->required();
  cmd->add_option("--out", options.out, "Folder of the session outputs (<study>/scan_NN_<series>/report.json)")
      ->required();
  cmd->add_option("--quiet-seconds", options.quiet_seconds,
                  "A series without a known size is complete after this long without a new slice")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--profile", options.profile_file, "Scanner profile for every scan (default: chosen by DICOM tags)");
  cmd->add_option("--profiles", options.profile_dir, "Folder of scanner profiles (default: config/scanners)");
  cmd->add_option("--watch", options.watch, "Also take DICOM files exported into this folder (left untouched)");
  cmd->add_option("--max-associations", options.max_associations,
                  "Associations served at once; one more is rejected (local limit exceeded)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--allow-ip", options.allow_ip, "Peer addresses accepted, numeric, comma-separated (default: any)")
      ->delimiter(',');
  cmd->add_option("--dicom-bind", options.dicom_bind, "Address the DICOM listener binds to (default: 0.0.0.0, all)");
  cmd->add_option("--negotiation-timeout", options.negotiation_timeout_s,
                  "Seconds a connection may take to send its association request")
      ->check(CLI::Range(1, 120));
  cmd->add_option("--idle-timeout", options.idle_timeout_s, "Seconds an association may stay silent before it is aborted")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--backend", options.backend, "auto, cpu, cuda or emulated");
  cmd->add_option("--http-port", options.http_port, "HTTP status page and /status JSON on this port (default: off)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--http-bind", options.http_bind, "Address of the HTTP status page (any other than loopback needs --http-token)");
  cmd->add_option("--http-token", options.http_token, "Token the page requires (?token=... or Authorization: Bearer ...)");
  cmd->add_option("--igtl-port", options.igtl_port, "OpenIGTLink server for 3D Slicer on this port (default: off)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--igtl-bind", options.igtl_bind, "Address the OpenIGTLink server listens on (0.0.0.0: every interface)");
  cmd->add_option("--send", options.send_to, "Send each scan's Secondary Capture to this DICOM node (HOST:PORT)");
  cmd->add_option("--send-aec", options.send_called_ae, "AE title of the --send node");
  cmd->add_flag("--verbose", options.verbose, "Log every stored instance");
  // The options may also come from the top level's --config-file (apps/cli/main.cpp), in a
  // [serve] section.
  cmd->callback([] { set_exit_code(run_serve(options)); });
}

}  // namespace sij::cli
