// Sends each scan's DICOM results (every *.dcm the report stage wrote into the scan folder: the
// Secondary Capture, and SEG/SR when present) back to a configured DICOM node by C-STORE.
// Register it after the sink that writes those files. Failures are logged with the peer's
// status and retried (StoreOptions::retries); nothing is thrown, so a console that is off or
// refuses never holds up the other outputs for longer than the retries take.
#pragma once

#include <mutex>
#include <string>

#include "sidecar/ScanSink.h"
#include "sidecar/outputs/DicomStoreClient.h"

namespace sij::sidecar {

struct DicomSendOptions {
  DicomNode node;
  StoreOptions store;
};

class DicomSendSink : public ScanSink {
 public:
  explicit DicomSendSink(DicomSendOptions options);
  std::string name() const override { return "dicom-send"; }
  void on_scan(const ScanEvent& event) noexcept override;

  // What the latest scan's send did (no files: nothing to send); for the status page and tests.
  StoreResult last_result() const;

 private:
  DicomSendOptions options_;
  DicomStoreClient client_;
  mutable std::mutex mutex_;
  StoreResult last_;
};

}  // namespace sij::sidecar
