// Everything `sijtrack serve` (and replay, in process) needs to know: where the spool and the
// outputs live, how long a series may stay quiet before it counts as complete, how the scans
// are analysed, and the DICOM listener's identity. The defaults suit one CT console.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "calib/ScanPreparation.h"
#include "pipeline/analysis/ScanAnalyzer.h"

namespace sij::sidecar {

struct SidecarConfig {
  std::filesystem::path spool_dir;   // <spool>/<study>/<series>/<sop>.dcm, synced before the ack
  std::filesystem::path output_dir;  // <out>/<study>/scan_NN_<series>/report.json
  // A series without a known expected count is complete after this long without a new slice.
  double quiet_seconds = 5.0;
  analysis::AnalyzeOptions analyze;  // backend, needle and joint options
  // Scanner profile per scan (calib/): a named file, or chosen by the scan's DICOM tags.
  calib::ScanProfileSource profiles;

  // DICOM listener (sidecar/StorageServer); SidecarCore itself does not use these.
  std::string ae_title = "SIJTRACK";
  int port = 11112;
  std::string bind_address = "0.0.0.0";           // numeric IPv4/IPv6 address to listen on
  std::vector<std::string> allowed_calling_aets;  // empty: any calling AE title
  std::vector<std::string> allowed_peer_addresses;  // numeric IPs; empty: any peer address
  int max_associations = 16;                      // at once (a thread each); more: A-ASSOCIATE-RJ
  int max_pending_connections = 64;               // TCP connections not yet negotiated; more: closed
  int negotiation_timeout_s = 5;                  // connect -> whole A-ASSOCIATE-RQ (ARTIM)
  int idle_timeout_s = 30;                        // an association silent this long is aborted

  // Watch-folder mode (sidecar/WatchFolder): empty = off.
  std::filesystem::path watch_dir;
  double watch_poll_seconds = 0.5;   // a file is taken once its size is unchanged for one poll
};

}  // namespace sij::sidecar
