// Replays recorded procedures through exactly the sidecar's path: in process (each file through
// SidecarCore::accept_file, then flush() once a scan is in) or over the network (C-STORE of each
// scan's files to a running `sijtrack serve`). Scans of all sessions are merged on one timeline
// (seconds from each session's start); --speed realtime waits for each scan's time, max does not.
// Never prints: progress goes to a callback, results come back.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/analysis/ScanAnalyzer.h"
#include "sidecar/ScanSink.h"
#include "sidecar/outputs/DicomStoreClient.h"
#include "sidecar/replay/RecordedSession.h"
#include "sidecar/replay/ReplayScoring.h"

namespace sij::sidecar {

enum class ReplaySpeed { Realtime, Max };

struct ReplayOptions {
  ReplaySpeed speed = ReplaySpeed::Max;
  // In process: the sidecar's spool (<out>/spool) and outputs (<out>/sessions) go here. It
  // should be empty: a spool left from an earlier run is resumed by the sidecar.
  std::filesystem::path out_dir;
  analysis::AnalyzeOptions analyze;
  // Network: C-STORE to this node instead of the in-process sidecar (no scoring then: the
  // reports are the server's).
  std::optional<DicomNode> send;
  StoreOptions store;
  // In process: the PNG overlays and Secondary Capture in each scan folder, as `serve` writes
  // them (sidecar/outputs/ReportFilesSink.h).
  bool report_files = true;
  // In process: further outputs to register on the sidecar (HTTP, OpenIGTLink, ...).
  std::vector<std::shared_ptr<ScanSink>> extra_sinks;
};

struct ReplayProgress {
  std::size_t files_done = 0, files_total = 0;
  int scans_done = 0, scans_total = 0;
  std::string session, kind;    // the scan being fed
  double wait_s = 0;            // realtime: seconds until the next scan is due (0 when feeding)
};
using ReplayProgressCallback = std::function<void(const ReplayProgress&)>;

struct ReplayResult {
  std::vector<ReplayedScan> scans;     // in process: one per analysed scan, in order of analysis
  std::size_t files_fed = 0;           // accepted (stored) by the sidecar or the peer
  std::size_t files_refused = 0;
  std::vector<std::string> problems;   // one line each: refused files, failed sends
  double wall_s = 0;
  std::filesystem::path sessions_dir;  // in process: where the reports are
};

// Throws ReplayError when the sidecar cannot be started (folders) or sessions is empty.
ReplayResult replay_sessions(const std::vector<RecordedSession>& sessions, const ReplayOptions& options,
                             const ReplayProgressCallback& progress = {});

}  // namespace sij::sidecar
