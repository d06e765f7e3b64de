// An OpenIGTLink server (default port 18944) that 3D Slicer's OpenIGTLinkIF connects to as a
// client. Each analysed scan goes to every connected client (IgtlMessages.h: per needle a
// TRANSFORM and a POINT message, then the gas label map as an IMAGE); a client that connects
// later first gets the latest scan's messages. A client whose send fails (it disconnected) is
// dropped; the others keep receiving. Incoming messages from clients are not read. Each scan
// also sends its verdict (STRING) and withdraws the needles of the previous scan that this one
// does not show (STATUS NOT_FOUND and an empty POINT). Listens on 127.0.0.1 unless told.
#pragma once

#include <set>
#include <string>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <igtlClientSocket.h>
#include <igtlMessageBase.h>
#include <igtlServerSocket.h>

#include "sidecar/ScanSink.h"

namespace sij::sidecar {

struct IgtlOptions {
  int port = 18944;       // 0: any free port (see port())
  bool send_gas_image = true;
  std::string host = "127.0.0.1";  // the address listened on ("0.0.0.0": every interface)
};

class IgtlSink : public ScanSink {
 public:
  explicit IgtlSink(IgtlOptions options = {});
  ~IgtlSink() override;
  IgtlSink(const IgtlSink&) = delete;
  IgtlSink& operator=(const IgtlSink&) = delete;

  // Listens and accepts clients on a new thread. Throws std::runtime_error when the port
  // cannot be opened.
  void start();
  void stop();  // closes every client and the listening socket; safe to call twice
  int port() const { return port_; }
  int client_count() const;

  std::string name() const override { return "openigtlink"; }
  void on_scan(const ScanEvent& event) noexcept override;

 private:
  void accept_loop();
  // Sends to every client; drops those whose send fails. Caller holds mutex_.
  void broadcast_locked(const std::vector<igtl::MessageBase::Pointer>& messages);

  IgtlOptions options_;
  igtl::ServerSocket::Pointer server_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  mutable std::mutex mutex_;
  std::vector<igtl::ClientSocket::Pointer> clients_;
  std::vector<igtl::MessageBase::Pointer> latest_messages_;
  std::set<int> sent_needle_ids_;  // the needles of the last scan sent
};

}  // namespace sij::sidecar
