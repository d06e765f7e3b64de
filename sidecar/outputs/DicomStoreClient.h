// C-STORE of DICOM files to one DICOM node with DCMTK's DcmSCU: the Secondary Capture going back
// to the console (DicomSendSink) and the CT slices replay sends to a running `serve`. One
// association per attempt; the files that did not make it are tried again on a new association
// up to `retries` more times. Never throws and never prints: every file's outcome (the peer's
// status or the network error) is in the result, for the caller to log.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sij::sidecar {

struct DicomNode {
  std::string host = "127.0.0.1";
  int port = 104;
  std::string called_ae = "ANY-SCP";   // the peer's AE title
  std::string calling_ae = "SIJTRACK";  // ours
};

// "HOST:PORT" (e.g. "pacs.local:11112", "[::1]:104" is not supported). Throws
// std::invalid_argument with the reason when the text is not of that form.
DicomNode parse_host_port(const std::string& host_port);

struct StoreOptions {
  int retries = 2;                 // extra attempts after the first, for the files still unsent
  double retry_delay_s = 1.0;      // pause before each retry
  int connect_timeout_s = 10;      // TCP connect
  int network_timeout_s = 30;      // association negotiation and each C-STORE response
};

struct FileStoreOutcome {
  std::filesystem::path file;
  bool stored = false;             // the peer answered success or a warning (0x0000, 0xB...)
  std::uint16_t peer_status = 0;   // the C-STORE response status, when one came back
  bool peer_answered = false;      // false: no response (connection, association, read error)
  std::string message;             // why it failed (last attempt); empty when stored
  int attempts = 0;
};

struct StoreResult {
  std::vector<FileStoreOutcome> files;  // in the order given
  int associations = 0;                 // attempts that negotiated an association
  int stored_count() const;
  bool all_stored() const { return stored_count() == static_cast<int>(files.size()); }
  std::string first_error() const;      // the first failed file's message, or ""
};

class DicomStoreClient {
 public:
  DicomStoreClient(DicomNode node, StoreOptions options = {});
  // Sends every file (any SOP class the file's meta header names) in the given order.
  StoreResult send(const std::vector<std::filesystem::path>& files) const noexcept;
  const DicomNode& node() const { return node_; }

 private:
  DicomNode node_;
  StoreOptions options_;
};

// "0xA700" style text for a status code.
std::string status_hex(std::uint16_t status);

}  // namespace sij::sidecar
