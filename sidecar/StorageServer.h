// The DICOM listener beside the CT console. Our own accept loop hands every TCP connection to
// a thread of its own, which waits (at most the negotiation timeout) for the peer's whole
// A-ASSOCIATE-RQ before DCMTK negotiates it; so no peer, idle or slow, ever delays another.
// Each association then runs on that thread (sidecar/StoreScp: C-ECHO and C-STORE, every
// instance spooled and synced before its response) until it ends or is idle for longer than
// the idle timeout.
//
// Limits, each answered and logged with the peer and the cause:
//   - more than config.max_associations associations at once: A-ASSOCIATE-RJ, transient,
//     "local limit exceeded" (PS3.8 source 3, reason 2);
//   - more than config.max_pending_connections connections still negotiating: closed at once;
//   - no A-ASSOCIATE-RQ within config.negotiation_timeout_s, or a first PDU that is not one:
//     closed;
//   - called AE title not ours, calling AE title or peer address outside the allow-lists:
//     A-ASSOCIATE-RJ.
//
// One StorageServer per process (DCMTK hands a socket over through a process-wide variable).
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
  // Validates the AE titles, addresses, port and limits (throws StorageServerError with what
  // to change).
  StorageServer(SidecarCore& core, const SidecarConfig& config);
  ~StorageServer();  // stop()
  StorageServer(const StorageServer&) = delete;
  StorageServer& operator=(const StorageServer&) = delete;

  // Opens the port on config.bind_address and listens on a background thread. Throws
  // StorageServerError when the port cannot be opened (in use, no permission, no such
  // address) or a server already runs in this process.
  void start();
  // Stops accepting, closes connections still negotiating, waits up to about 10 s for the
  // associations in progress to end, then aborts what is left (an instance not yet answered
  // is not acknowledged; one already spooled stays).
  void stop();

  // The port actually listened on (config.port, or the one the system chose for port 0).
  int port() const;

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
