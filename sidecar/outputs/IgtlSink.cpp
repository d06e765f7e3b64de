#include "sidecar/outputs/IgtlSink.h"

#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
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


// libOpenIGTLink's server socket listens on every interface; this one binds the address given.
class BoundServerSocket : public igtl::ServerSocket {
 public:
  typedef BoundServerSocket Self;
  typedef igtl::ServerSocket Superclass;
  typedef igtl::SmartPointer<Self> Pointer;
  typedef igtl::SmartPointer<const Self> ConstPointer;
  igtlTypeMacro(BoundServerSocket, igtl::ServerSocket);
  igtlNewMacro(BoundServerSocket);

  // 0 on success, -1 when the address cannot be parsed, bound or listened on.
  int CreateServerOn(const std::string& host, int port) {
    if (m_SocketDescriptor != -1) CloseSocket();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &address.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 8) != 0) {
      ::close(fd);
      return -1;
    }
    m_SocketDescriptor = fd;
    return 0;
  }

 protected:
  BoundServerSocket() = default;
  ~BoundServerSocket() override = default;
};

}  // namespace

IgtlSink::IgtlSink(IgtlOptions options) : options_(options) {}

IgtlSink::~IgtlSink() { stop(); }

void IgtlSink::start() {
  if (accept_thread_.joinable()) throw std::runtime_error("OpenIGTLink server already started");
  auto server = BoundServerSocket::New();
  if (server->CreateServerOn(options_.host, options_.port) < 0) {
    throw std::runtime_error("OpenIGTLink: cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                             " (in use, no permission, or not an IPv4 address of this machine)");
  }
  server_ = igtl::ServerSocket::Pointer(server.GetPointer());
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
    // 3D Slicer shows the current tip: a late or resent older scan does not replace it.
    if (!event.latest_in_session) return;
    std::set<int> ids;
    for (const auto& entry : event.report->needles) ids.insert(entry.needle.id);
    std::lock_guard lock(mutex_);
    std::vector<int> withdrawn;
    for (const int id : sent_needle_ids_) {
      if (!ids.count(id)) withdrawn.push_back(id);
    }
    auto messages = make_scan_messages(*event.report, options_.send_gas_image, withdrawn);
    sent_needle_ids_ = std::move(ids);
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
