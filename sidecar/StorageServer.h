// The DICOM listener beside the CT console (DCMTK's DcmSCPPool: one worker thread per
// association, up to config.max_associations at once). It takes C-ECHO, and C-STORE of CT
// Image Storage and Enhanced CT Image Storage; each instance goes through SidecarCore's
// accept_dataset (spooled and synced) before the C-STORE response is sent, so a success status
// means the instance is on disk. An instance of any other storage SOP class is answered 0x0122
// (Refused: SOP Class not supported) with a log line naming it, and nothing is kept.
//
// One StorageServer per process (the DCMTK pool builds its workers without arguments, so
// they find the core through a process-wide pointer).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "sidecar/SidecarConfig.h"

namespace sij::sidecar {

class SidecarCore;

class StorageServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StorageServer {
 public:
  // Validates the AE titles and port (throws StorageServerError with what to change).
  StorageServer(SidecarCore& core, const SidecarConfig& config);
  ~StorageServer();  // stop()
  StorageServer(const StorageServer&) = delete;
  StorageServer& operator=(const StorageServer&) = delete;

  // Opens the port and listens on a background thread. Throws StorageServerError when the
  // port cannot be opened (in use, no permission) or a server already runs in this process.
  void start();
  // Stops accepting new associations and waits for those in progress to end (at most about
  // one second after they finish).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Status answered when the spool cannot take an instance: Out of Resources.
inline constexpr unsigned short kStoreStatusOutOfResources = 0xA700;
// Status answered for an instance that is not what it claims (missing UIDs): Cannot Understand.
inline constexpr unsigned short kStoreStatusCannotUnderstand = 0xC000;
// Status answered for a SOP class the sidecar does not take: Refused, SOP Class Not Supported.
inline constexpr unsigned short kStoreStatusSopClassNotSupported = 0x0122;

}  // namespace sij::sidecar
