#include "sidecar/StorageServer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmnet/scpcfg.h>
#include <spdlog/spdlog.h>

#include "sidecar/AssociateRequestWait.h"
#include "sidecar/InstanceInfo.h"
#include "sidecar/SidecarCore.h"
#include "sidecar/StoreScp.h"

namespace sij::sidecar {
namespace {

std::atomic<bool> g_server_running{false};

// How long stop() lets the associations in progress finish before aborting them.
constexpr auto kStopGrace = std::chrono::seconds(10);

OFList<OFString> transfer_syntaxes() {
  // Preferred first. The ingest decodes the lossless compressed ones too (DCMTK codecs).
  OFList<OFString> list;
  for (const char* uid : {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
                          UID_BigEndianExplicitTransferSyntax, UID_JPEGProcess14SV1TransferSyntax,
                          UID_JPEGProcess14TransferSyntax, UID_JPEGLSLosslessTransferSyntax,
                          UID_RLELosslessTransferSyntax, UID_DeflatedExplicitVRLittleEndianTransferSyntax})
    list.push_back(uid);
  return list;
}

DcmSCPConfig scp_config(const SidecarConfig& config) {
  DcmSCPConfig cfg;
  cfg.setAETitle(config.ae_title.c_str());
  cfg.setHostLookupEnabled(OFFalse);
  cfg.setACSETimeout(static_cast<Uint32>(config.negotiation_timeout_s));
  // Non-blocking DIMSE with the idle timeout: an association quiet for that long (between
  // messages or inside one) is aborted, so it cannot hold a slot for ever.
  cfg.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  cfg.setDIMSETimeout(static_cast<Uint32>(config.idle_timeout_s));
  cfg.setRespondWithCalledAETitle(OFTrue);
  const OFList<OFString> syntaxes = transfer_syntaxes();
  OFList<OFString> verification;
  verification.push_back(UID_LittleEndianExplicitTransferSyntax);
  verification.push_back(UID_LittleEndianImplicitTransferSyntax);
  verification.push_back(UID_BigEndianExplicitTransferSyntax);
  cfg.addPresentationContext(UID_VerificationSOPClass, verification);
  // Every storage SOP class is negotiated so that a wrong object reaches us and is refused
  // per instance, with a status the console shows and a log line naming what it was; only
  // CT Image Storage and Enhanced CT Image Storage are then stored.
  cfg.addPresentationContext(UID_CTImageStorage, syntaxes);
  cfg.addPresentationContext(UID_EnhancedCTImageStorage, syntaxes);
  for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i) {
    const std::string uid = dcmAllStorageSOPClassUIDs[i];
    if (!is_accepted_sop_class(uid)) cfg.addPresentationContext(dcmAllStorageSOPClassUIDs[i], syntaxes);
  }
  return cfg;
}

bool valid_ae_title(const std::string& ae) {
  return !ae.empty() && ae.size() <= 16 && ae.find('\\') == std::string::npos &&
         std::all_of(ae.begin(), ae.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool valid_numeric_address(const std::string& address) {
  in_addr v4{};
  in6_addr v6{};
  return ::inet_pton(AF_INET, address.c_str(), &v4) == 1 || ::inet_pton(AF_INET6, address.c_str(), &v6) == 1;
}

// A connected peer: numeric address (no name lookup) and port.
struct Peer {
  std::string ip;
  int port = 0;
  std::string name() const { return ip + ":" + std::to_string(port); }
};

Peer peer_of(const sockaddr_storage& addr) {
  char host[NI_MAXHOST] = "?", service[NI_MAXSERV] = "0";
  ::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), sizeof addr, host, sizeof host, service, sizeof service,
                NI_NUMERICHOST | NI_NUMERICSERV);
  std::string ip = host;
  if (ip.rfind("::ffff:", 0) == 0) ip = ip.substr(7);  // an IPv4 peer on a dual-stack socket
  return {ip, std::atoi(service)};
}

// A listening socket on bind_address:port; returns the fd and the port actually bound.
int open_listen_socket(const std::string& bind_address, int port, int* bound_port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(bind_address.c_str(), service.c_str(), &hints, &found) != 0 || !found)
    throw StorageServerError("cannot listen on " + bind_address + ": not a numeric IPv4 or IPv6 address (--dicom-bind)");
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  const bool ok = fd >= 0 && ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, 128) == 0;
  const int error = errno;
  ::freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    throw StorageServerError("cannot listen on " + bind_address + " port " + std::to_string(port) + ": " +
                             std::strerror(error) + " (another DICOM listener running? choose another --port)");
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                           : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return fd;
}

std::string calling_ae_of(T_ASC_Association* assoc) {
  if (!assoc || !assoc->params) return "?";
  std::string ae = assoc->params->DULparams.callingAPTitle;
  while (!ae.empty() && ae.back() == ' ') ae.pop_back();
  return ae.empty() ? "?" : ae;
}

void drop(T_ASC_Association*& assoc) {
  if (!assoc) return;
  ASC_dropAssociation(assoc);
  ASC_destroyAssociation(&assoc);
}

}  // namespace

struct StorageServer::Impl {
  Impl(SidecarCore& c, const SidecarConfig& cfg) : core(c), config(cfg) {}

  SidecarCore& core;
  SidecarConfig config;
  AssociationPolicy policy;
  DcmSharedSCPConfig shared;
  T_ASC_Network* network = nullptr;  // for the hand-over only: it has no listening socket
  std::mutex handover_mutex;         // dcmExternalSocketHandle is one per process
  int listen_fd = -1;
  int bound_port = 0;
  std::thread listener;
  std::atomic<bool> running{false};

  std::mutex mutex;
  std::condition_variable changed;
  std::map<int, int> connections;  // our dup of each connection's socket -> 1 while negotiating
  int negotiating = 0, associations = 0, threads = 0;

  void listen_loop();
  void take_connection(int fd, const Peer& peer);
  void serve_connection(int fd, int handle, Peer peer);
  T_ASC_Association* hand_over(int fd, const std::string& peer);
  bool admit(T_ASC_Association*& assoc, const std::string& peer);
  void finish_thread(int handle, bool was_association);
  void shutdown_connections(bool negotiating_only);
};

void StorageServer::Impl::listen_loop() {
  while (running) {
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;  // 200 ms: stop() is noticed quickly
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
        spdlog::warn("DICOM listener: accept failed ({}); still listening", std::strerror(errno));
      if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    take_connection(fd, peer_of(addr));
  }
}

void StorageServer::Impl::take_connection(int fd, const Peer& peer) {
  const int handle = ::dup(fd);  // ours, so stop() can shut the socket down whoever closed fd
  {
    std::lock_guard lock(mutex);
    if (handle < 0 || negotiating >= config.max_pending_connections) {
      spdlog::warn("connection from {} closed at once: {} connections are already negotiating (limit {})", peer.name(),
                   negotiating, config.max_pending_connections);
      if (handle >= 0) ::close(handle);
      ::close(fd);
      return;
    }
    ++negotiating;
    ++threads;
    connections[handle] = 1;
  }
  int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  std::thread([this, fd, handle, peer] { serve_connection(fd, handle, peer); }).detach();
}

T_ASC_Association* StorageServer::Impl::hand_over(int fd, const std::string& peer) {
  T_ASC_Association* assoc = nullptr;
  OFCondition cond;
  {
    // The request is already buffered, so DCMTK reads it without waiting.
    std::lock_guard lock(handover_mutex);
    dcmExternalSocketHandle.set(fd);
    cond = ASC_receiveAssociation(network, &assoc, static_cast<long>(shared->getMaxReceivePDULength()), nullptr,
                                  nullptr, OFFalse, DUL_NOBLOCK, 1);
    dcmExternalSocketHandle.set(DCMNET_INVALID_SOCKET);
  }
  if (cond.good()) return assoc;
  spdlog::warn("connection from {} closed: its A-ASSOCIATE-RQ could not be read ({})", peer, cond.text());
  if (assoc) drop(assoc);
  else ::close(fd);
  return nullptr;
}

bool StorageServer::Impl::admit(T_ASC_Association*& assoc, const std::string& peer) {
  {
    std::lock_guard lock(mutex);
    --negotiating;
    if (associations < config.max_associations) {
      ++associations;
      return true;
    }
  }
  spdlog::warn("association from {}@{} rejected: local limit exceeded ({} associations in progress, --max-associations)",
               calling_ae_of(assoc), peer, config.max_associations);
  T_ASC_RejectParameters rejection{ASC_RESULT_REJECTEDTRANSIENT, ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED,
                                   ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED};
  ASC_rejectAssociation(assoc, &rejection);
  drop(assoc);
  return false;
}

void StorageServer::Impl::serve_connection(int fd, int handle, Peer from) {
  const std::string peer = from.name();
  AssociateRequestLimits limits;
  limits.timeout = std::chrono::milliseconds(static_cast<long long>(config.negotiation_timeout_s * 1000.0));
  const AssociateRequestWait wait = wait_for_associate_request(fd, limits);
  bool admitted = false;
  if (wait != AssociateRequestWait::Ready) {
    if (wait == AssociateRequestWait::Timeout)
      spdlog::warn("connection from {} closed: no A-ASSOCIATE-RQ within {} s (negotiation timeout)", peer,
                   config.negotiation_timeout_s);
    else if (running || wait != AssociateRequestWait::Closed)
      spdlog::warn("connection from {} closed: {}", peer, describe(wait));
    ::close(fd);
    std::lock_guard lock(mutex);
    --negotiating;
  } else if (T_ASC_Association* assoc = hand_over(fd, peer)) {
    admitted = admit(assoc, from.ip);
    if (admitted) {
      {
        std::lock_guard lock(mutex);
        connections[handle] = 0;
      }
      StoreScp scp(policy, from.ip);
      scp.setSharedConfig(shared);
      scp.run(assoc);  // negotiates, serves, and frees the association (and closes fd)
    }
  } else {
    std::lock_guard lock(mutex);
    --negotiating;
  }
  finish_thread(handle, admitted);
}

void StorageServer::Impl::finish_thread(int handle, bool was_association) {
  std::lock_guard lock(mutex);
  ::close(handle);
  connections.erase(handle);
  if (was_association) --associations;
  --threads;
  changed.notify_all();  // under the lock: stop() may destroy us as soon as threads == 0
}

void StorageServer::Impl::shutdown_connections(bool negotiating_only) {
  for (const auto& [handle, still_negotiating] : connections)
    if (still_negotiating || !negotiating_only) ::shutdown(handle, SHUT_RDWR);
}

StorageServer::StorageServer(SidecarCore& core, const SidecarConfig& config)
    : impl_(std::make_unique<Impl>(core, config)) {
  if (!valid_ae_title(config.ae_title))
    throw StorageServerError("invalid AE title '" + config.ae_title + "': 1 to 16 printable characters, no backslash");
  for (const auto& ae : config.allowed_calling_aets)
    if (!valid_ae_title(ae)) throw StorageServerError("invalid calling AE title in --allow: '" + ae + "'");
  for (const auto& address : config.allowed_peer_addresses)
    if (!valid_numeric_address(address))
      throw StorageServerError("invalid address in --allow-ip: '" + address + "' (numeric IPv4 or IPv6)");
  if (config.port < 0 || config.port > 65535)
    throw StorageServerError("invalid port " + std::to_string(config.port) + ": 1 to 65535");
  if (config.max_associations < 1) throw StorageServerError("max_associations must be at least 1");
  if (config.max_pending_connections < 1) throw StorageServerError("max_pending_connections must be at least 1");
  if (config.negotiation_timeout_s < 1 || config.idle_timeout_s < 1)
    throw StorageServerError("the negotiation and idle timeouts must be at least 1 s");
  Impl& s = *impl_;
  s.policy.core = &core;
  s.policy.ae_title = config.ae_title;
  s.policy.allowed_calling_aets = config.allowed_calling_aets;
  s.policy.allowed_peer_addresses = config.allowed_peer_addresses;
  s.policy.idle_timeout_s = config.idle_timeout_s;
  s.shared = DcmSharedSCPConfig(scp_config(config));
}

StorageServer::~StorageServer() { stop(); }

int StorageServer::port() const { return impl_->bound_port; }

void StorageServer::start() {
  Impl& s = *impl_;
  if (s.running) return;
  if (g_server_running.exchange(true)) throw StorageServerError("a DICOM listener already runs in this process");
  try {
    s.listen_fd = open_listen_socket(s.config.bind_address, s.config.port, &s.bound_port);
    // Reverse DNS would run under the hand-over lock; the allow-list compares numeric addresses.
    dcmDisableGethostbyaddr.set(OFTrue);
    // An acceptor network with no listening socket of its own: while the external handle is
    // set, DCMTK takes that socket instead of opening the port.
    std::lock_guard lock(s.handover_mutex);
    const int placeholder = ::dup(s.listen_fd);
    dcmExternalSocketHandle.set(placeholder);
    const OFCondition cond =
        ASC_initializeNetwork(NET_ACCEPTOR, 0, static_cast<int>(s.config.negotiation_timeout_s), &s.network);
    dcmExternalSocketHandle.set(DCMNET_INVALID_SOCKET);
    ::close(placeholder);
    if (cond.bad()) throw StorageServerError(std::string("cannot set up the DICOM network layer: ") + cond.text());
  } catch (...) {
    if (s.listen_fd >= 0) ::close(s.listen_fd);
    s.listen_fd = -1;
    g_server_running = false;
    throw;
  }
  s.running = true;
  s.listener = std::thread([&s] { s.listen_loop(); });
  spdlog::info(
      "DICOM listener: AE title {} on {} port {}; calling AE titles: {}; peer addresses: {}; up to {} associations at once, "
      "negotiation timeout {} s, idle timeout {} s",
      s.config.ae_title, s.config.bind_address, s.bound_port,
      s.config.allowed_calling_aets.empty() ? std::string("any") : fmt::format("{}", fmt::join(s.config.allowed_calling_aets, ",")),
      s.config.allowed_peer_addresses.empty() ? std::string("any")
                                              : fmt::format("{}", fmt::join(s.config.allowed_peer_addresses, ",")),
      s.config.max_associations, s.config.negotiation_timeout_s, s.config.idle_timeout_s);
}

void StorageServer::stop() {
  Impl& s = *impl_;
  if (!s.running.exchange(false)) return;
  if (s.listener.joinable()) s.listener.join();
  ::close(s.listen_fd);
  s.listen_fd = -1;
  {
    std::unique_lock lock(s.mutex);
    s.shutdown_connections(true);
    if (!s.changed.wait_for(lock, kStopGrace, [&] { return s.threads == 0; })) {
      spdlog::warn("DICOM listener: {} association(s) still open after {} s; aborting them", s.associations,
                   std::chrono::duration_cast<std::chrono::seconds>(kStopGrace).count());
      s.shutdown_connections(false);
      s.changed.wait(lock, [&] { return s.threads == 0; });
    }
  }
  ASC_dropNetwork(&s.network);
  g_server_running = false;
  spdlog::info("DICOM listener stopped");
}

}  // namespace sij::sidecar
