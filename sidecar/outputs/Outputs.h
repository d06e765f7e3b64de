// The sidecar's outputs in one place, for `serve` (and replay) to switch on from their options:
// the PNG overlays and Secondary Capture in each scan folder (on unless turned off), then the
// HTTP status server, the OpenIGTLink server and the DICOM send-back. Each one that is
// configured is started and registered on the core as a ScanSink, in that order (after the
// sinks already registered), so the send-back and the status page find the files.
#pragma once

#include <memory>
#include <optional>

#include "sidecar/SidecarCore.h"
#include "sidecar/outputs/DicomSendSink.h"
#include "sidecar/outputs/HttpStatusServer.h"
#include "sidecar/outputs/IgtlSink.h"
#include "sidecar/outputs/ReportFilesSink.h"

namespace sij::sidecar {

struct OutputsConfig {
  bool report_files = true;                // overlays (PNG) and overlay.dcm in each scan folder
  std::optional<HttpStatusOptions> http;   // e.g. port 8080
  std::optional<IgtlOptions> igtl;         // e.g. port 18944
  std::optional<DicomSendOptions> dicom_send;
};

// Owns the started outputs; stopping (or destroying) it closes their ports. Keep it alive as
// long as the core runs.
struct RunningOutputs {
  std::shared_ptr<ReportFilesSink> report_files;
  std::shared_ptr<HttpStatusServer> http;
  std::shared_ptr<IgtlSink> igtl;
  std::shared_ptr<DicomSendSink> dicom_send;
  void stop();
};

// Starts what `config` names and registers it on `core`; /status answers core.status().
// Throws std::runtime_error (which port, why) when a server cannot listen.
RunningOutputs start_outputs(SidecarCore& core, const OutputsConfig& config);

}  // namespace sij::sidecar
