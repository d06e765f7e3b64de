#include "sidecar/StorageServer.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scppool.h>
#include <dcmtk/dcmnet/scpthrd.h>
#include <spdlog/spdlog.h>

#include "sidecar/InstanceInfo.h"
#include "sidecar/SidecarCore.h"

namespace sij::sidecar {
namespace {

// What the workers need; set while a server runs (one per process).
struct ServerContext {
  SidecarCore* core = nullptr;
  std::vector<std::string> allowed_calling_aets;
};
std::atomic<ServerContext*> g_context{nullptr};

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

// One association: C-ECHO and C-STORE, everything else answered as unsupported by DcmSCP.
class SidecarStoreScp : public DcmThreadSCP {
 protected:
  OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) override {
    if (message->CommandField != DIMSE_C_STORE_RQ) return DcmThreadSCP::handleIncomingCommand(message, info);
    T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
    DcmDataset* dataset = nullptr;
    OFCondition cond = receiveSTORERequest(request, info.presentationContextID, dataset);
    if (cond.bad()) {
      delete dataset;
      ++failed_;
      spdlog::warn("association from {}: receiving an instance failed ({}); nothing acknowledged", peer(), cond.text());
      return cond;
    }
    std::unique_ptr<DcmDataset> owned(dataset);
    Uint16 status = STATUS_Success;
    ServerContext* context = g_context.load();
    if (!context) {
      status = kStoreStatusOutOfResources;
    } else {
      const AcceptResult result = context->core->accept_dataset(*owned, info.acceptedTransferSyntax.c_str(), peer());
      switch (result.status) {
        case AcceptResult::Status::Stored:
          ++stored_;
          spdlog::debug("stored {} from {} -> {}", result.sop_instance_uid, peer(), result.spooled_path.string());
          break;
        case AcceptResult::Status::SpoolFailed:
          status = kStoreStatusOutOfResources;
          ++failed_;
          spdlog::error("C-STORE from {} answered 0x{:04X} (Out of Resources): {}; still serving", peer(), status,
                        result.message);
          break;
        case AcceptResult::Status::Refused:
          status = kStoreStatusSopClassNotSupported;
          ++refused_;
          spdlog::warn("C-STORE from {} answered 0x{:04X}: {}", peer(), status, result.message);
          break;
        case AcceptResult::Status::Malformed:
          status = kStoreStatusCannotUnderstand;
          ++refused_;
          spdlog::warn("C-STORE from {} answered 0x{:04X}: {}", peer(), status, result.message);
          break;
      }
    }
    // Only now, with the instance synced to disk (or the failure known), is the sender told.
    return sendSTOREResponse(info.presentationContextID, request, status);
  }

  void notifyAssociationRequest(const T_ASC_Parameters& params, DcmSCPActionType& action) override {
    DcmThreadSCP::notifyAssociationRequest(params, action);
    stored_ = failed_ = refused_ = 0;
    aborted_ = false;
  }

  OFBool checkCallingAETitleAccepted(const OFString& calling) override {
    ServerContext* context = g_context.load();
    if (!context || context->allowed_calling_aets.empty()) return OFTrue;
    const auto& allowed = context->allowed_calling_aets;
    if (std::find(allowed.begin(), allowed.end(), std::string(calling.c_str())) != allowed.end()) return OFTrue;
    spdlog::warn("association rejected: calling AE title '{}' is not in --allow", calling.c_str());
    return OFFalse;
  }

  void notifyAbortRequest() override {
    aborted_ = true;
    DcmThreadSCP::notifyAbortRequest();
  }

  void notifyAssociationTermination() override {
    spdlog::info("association from {} {}: {} stored, {} failed, {} refused", peer(),
                 aborted_ ? "aborted" : "ended", stored_, failed_, refused_);
    DcmThreadSCP::notifyAssociationTermination();
  }

  void notifyDIMSEError(const OFCondition& cond) override {
    // A sender that disappears mid-series lands here: what it had sent and was told about is
    // already on disk.
    aborted_ = true;
    spdlog::warn("association from {}: connection lost ({}); {} instance(s) stored and acknowledged before", peer(),
                 cond.text(), stored_);
  }

 private:
  std::string peer() const { return std::string(getPeerAETitle().c_str()) + "@" + getPeerIP().c_str(); }
  int stored_ = 0, failed_ = 0, refused_ = 0;
  bool aborted_ = false;
};

bool valid_ae_title(const std::string& ae) {
  return !ae.empty() && ae.size() <= 16 && ae.find('\\') == std::string::npos &&
         std::all_of(ae.begin(), ae.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Binding ourselves first turns "port in use" into a clear error before the pool starts
// (the pool would only log it from its thread).
void check_port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok)
    throw StorageServerError("cannot listen on port " + std::to_string(port) + ": " + std::strerror(error) +
                             " (another DICOM listener running? choose another --port)");
}

}  // namespace

struct StorageServer::Impl {
  SidecarCore& core;
  SidecarConfig config;
  ServerContext context;
  DcmSCPPool<SidecarStoreScp> pool;
  std::thread listener;
  std::atomic<bool> running{false};
  Impl(SidecarCore& c, const SidecarConfig& cfg) : core(c), config(cfg) {}
};

StorageServer::StorageServer(SidecarCore& core, const SidecarConfig& config)
    : impl_(std::make_unique<Impl>(core, config)) {
  if (!valid_ae_title(config.ae_title))
    throw StorageServerError("invalid AE title '" + config.ae_title + "': 1 to 16 printable characters, no backslash");
  for (const auto& ae : config.allowed_calling_aets)
    if (!valid_ae_title(ae)) throw StorageServerError("invalid calling AE title in --allow: '" + ae + "'");
  if (config.port < 1 || config.port > 65535)
    throw StorageServerError("invalid port " + std::to_string(config.port) + ": 1 to 65535");
  if (config.max_associations < 1) throw StorageServerError("max_associations must be at least 1");
}

StorageServer::~StorageServer() { stop(); }

void StorageServer::start() {
  if (impl_->running) return;
  impl_->context.core = &impl_->core;
  impl_->context.allowed_calling_aets = impl_->config.allowed_calling_aets;
  ServerContext* expected = nullptr;
  if (!g_context.compare_exchange_strong(expected, &impl_->context))
    throw StorageServerError("a DICOM listener already runs in this process");
  try {
    check_port_free(impl_->config.port);
  } catch (...) {
    g_context = nullptr;
    throw;
  }
  DcmSCPConfig& cfg = impl_->pool.getConfig();
  cfg.setAETitle(impl_->config.ae_title.c_str());
  cfg.setPort(static_cast<Uint16>(impl_->config.port));
  cfg.setHostLookupEnabled(OFFalse);
  // Non-blocking accept with a 1 s timeout: the listen loop then notices a stop request.
  cfg.setConnectionBlockingMode(DUL_NOBLOCK);
  cfg.setConnectionTimeout(1);
  cfg.setACSETimeout(30);
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
  impl_->pool.setMaxThreads(static_cast<Uint16>(impl_->config.max_associations));
  impl_->running = true;
  impl_->listener = std::thread([this] {
    const OFCondition cond = impl_->pool.listen();
    if (cond.bad()) spdlog::error("DICOM listener stopped: {}", cond.text());
  });
  spdlog::info("DICOM listener: AE title {} on port {}, calling AE titles: {}, up to {} associations at once",
               impl_->config.ae_title, impl_->config.port,
               impl_->config.allowed_calling_aets.empty() ? std::string("any")
                                                          : fmt::format("{}", fmt::join(impl_->config.allowed_calling_aets, ",")),
               impl_->config.max_associations);
}

void StorageServer::stop() {
  if (!impl_->running.exchange(false)) return;
  impl_->pool.stopAfterCurrentAssociations();
  if (impl_->listener.joinable()) impl_->listener.join();
  g_context = nullptr;
  spdlog::info("DICOM listener stopped");
}

}  // namespace sij::sidecar
