#include "sidecar/outputs/IgtlSink.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "sidecar/outputs/IgtlMessages.h"

namespace sij::sidecar {
namespace {

bool send_all(igtl::ClientSocket* client, const std::vector<igtl::MessageBase::Pointer>& messages) {
  for (const auto& msg : messages) {
    // Send returns 0 on error (the peer closed); libOpenIGTLink sends with MSG_NOSIGNAL on
    // Linux, so a closed peer gives an error, not SIGPIPE.
    if (client->Send(msg->GetPackPointer(), msg->GetPackSize()) == 0) return false;
  }
  return true;
}


}  // namespace

IgtlSink::IgtlSink(IgtlOptions options) : options_(options) {}

IgtlSink::~IgtlSink() { stop(); }

void IgtlSink::start() {
  if (accept_thread_.joinable()) throw std::runtime_error("OpenIGTLink server already started");
  server_ = igtl::ServerSocket::New();
  if (server_->CreateServer(options_.port) < 0) {
    throw std::runtime_error("OpenIGTLink: cannot listen on port " + std::to_string(options_.port) +
                             " (in use, or no permission)");
  }
  port_ = server_->GetServerPort();
  stopping_ = false;
  accept_thread_ = std::thread([this] { accept_loop(); });
}

void IgtlSink::stop() {
  if (!accept_thread_.joinable()) return;
  stopping_ = true;
  accept_thread_.join();
  std::lock_guard lock(mutex_);
  for (auto& client : clients_) client->CloseSocket();
  clients_.clear();
  server_->CloseSocket();
}

int IgtlSink::client_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(clients_.size());
}

void IgtlSink::accept_loop() {
  while (!stopping_) {
    // A short wait so stop() is noticed promptly.
    igtl::ClientSocket::Pointer client = server_->WaitForConnection(200);
    if (client.IsNull()) continue;
    // A client that stops reading (a stalled Slicer) must not hold up the analysis thread.
    client->SetSendTimeout(5000);
    std::lock_guard lock(mutex_);
    if (!latest_messages_.empty() && !send_all(client.GetPointer(), latest_messages_)) {
      client->CloseSocket();
      continue;
    }
    clients_.push_back(client);
    spdlog::info("openigtlink: a client connected ({} client(s))", clients_.size());
  }
}

void IgtlSink::broadcast_locked(const std::vector<igtl::MessageBase::Pointer>& messages) {
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (send_all(it->GetPointer(), messages)) {
      ++it;
      continue;
    }
    spdlog::info("openigtlink: a client disconnected; dropped ({} left)", clients_.size() - 1);
    (*it)->CloseSocket();
    it = clients_.erase(it);
  }
}

void IgtlSink::on_scan(const ScanEvent& event) noexcept {
  try {
    if (event.report == nullptr) return;
    auto messages = make_scan_messages(*event.report, options_.send_gas_image);
    std::lock_guard lock(mutex_);
    broadcast_locked(messages);
    latest_messages_ = std::move(messages);
    spdlog::info("openigtlink: scan {} of {}: {} message(s) to {} client(s)", event.scan_index, event.study_uid,
                 latest_messages_.size(), clients_.size());
  } catch (const std::exception& e) {
    spdlog::error("openigtlink: scan {} of {}: {}", event.scan_index, event.study_uid, e.what());
  } catch (...) {
    spdlog::error("openigtlink: scan {} of {}: unknown error", event.scan_index, event.study_uid);
  }
}

}  // namespace sij::sidecar
