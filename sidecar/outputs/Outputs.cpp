#include "sidecar/outputs/Outputs.h"

namespace sij::sidecar {

void RunningOutputs::stop() {
  if (http) http->stop();
  if (igtl) igtl->stop();
}

RunningOutputs start_outputs(SidecarCore& core, const OutputsConfig& config) {
  RunningOutputs outputs;
  if (config.report_files) {
    outputs.report_files = std::make_shared<ReportFilesSink>();
    core.add_sink(outputs.report_files);
  }
  if (config.http) {
    outputs.http = std::make_shared<HttpStatusServer>(*config.http, [&core] { return to_json(core.status()); });
    outputs.http->start();
    core.add_sink(outputs.http);
  }
  if (config.igtl) {
    outputs.igtl = std::make_shared<IgtlSink>(*config.igtl);
    outputs.igtl->start();
    core.add_sink(outputs.igtl);
  }
  if (config.dicom_send) {
    outputs.dicom_send = std::make_shared<DicomSendSink>(*config.dicom_send);
    core.add_sink(outputs.dicom_send);
  }
  return outputs;
}

}  // namespace sij::sidecar
