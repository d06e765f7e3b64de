#include "sidecar/StoreScp.h"

#include <algorithm>
#include <memory>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmnet/diutil.h>
#include <spdlog/spdlog.h>

#include "sidecar/SidecarCore.h"
#include "sidecar/StorageServer.h"

namespace sij::sidecar {
namespace {

bool listed(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string trimmed(const OFString& s) {
  std::string out(s.c_str());
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  return out;
}

}  // namespace

StoreScp::StoreScp(const AssociationPolicy& policy, std::string peer_ip) : policy_(policy), peer_ip_(std::move(peer_ip)) {}

std::string StoreScp::peer() const {
  return (calling_ae_.empty() ? std::string("?") : calling_ae_) + "@" + peer_ip_;
}

OFCondition StoreScp::handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) {
  if (message->CommandField != DIMSE_C_STORE_RQ) return DcmThreadSCP::handleIncomingCommand(message, info);
  return handle_store(message->msg.CStoreRQ, info);
}

OFCondition StoreScp::handle_store(T_DIMSE_C_StoreRQ& request, const DcmPresentationContextInfo& info) {
  DcmDataset* dataset = nullptr;
  OFCondition cond = receiveSTORERequest(request, info.presentationContextID, dataset);
  if (cond.bad()) {
    delete dataset;
    ++failed_;
    if (cond == DIMSE_NODATAAVAILABLE) timed_out_ = true;
    spdlog::warn("association from {}: receiving an instance failed ({}{}); nothing acknowledged", peer(), cond.text(),
                 cond == DIMSE_NODATAAVAILABLE ? fmt::format(": no data for {} s", policy_.idle_timeout_s) : "");
    return cond;
  }
  std::unique_ptr<DcmDataset> owned(dataset);
  Uint16 status = STATUS_Success;
  const AcceptResult result = policy_.core->accept_dataset(*owned, info.acceptedTransferSyntax.c_str(), peer());
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
  // Only now, with the instance synced to disk (or the failure known), is the sender told.
  return sendSTOREResponse(info.presentationContextID, request, status);
}

void StoreScp::notifyAssociationRequest(const T_ASC_Parameters& params, DcmSCPActionType& action) {
  DcmThreadSCP::notifyAssociationRequest(params, action);
  calling_ae_ = trimmed(params.DULparams.callingAPTitle);
  stored_ = failed_ = refused_ = 0;
  aborted_ = timed_out_ = rejected_ = false;
}

OFBool StoreScp::checkCalledAETitleAccepted(const OFString& called) {
  if (trimmed(called) == policy_.ae_title) return OFTrue;
  spdlog::warn("association from {} rejected: called AE title '{}' is not ours ('{}')", peer(), trimmed(called),
               policy_.ae_title);
  rejected_ = true;
  return OFFalse;
}

OFBool StoreScp::checkCallingAETitleAccepted(const OFString& calling) {
  if (policy_.allowed_calling_aets.empty() || listed(policy_.allowed_calling_aets, trimmed(calling))) return OFTrue;
  spdlog::warn("association from {} rejected: calling AE title '{}' is not in --allow", peer(), trimmed(calling));
  rejected_ = true;
  return OFFalse;
}

OFBool StoreScp::checkCallingHostAccepted(const OFString&) {
  // The address of the TCP connection itself (DCMTK's own string is empty for a handed-over
  // socket without name lookup).
  if (policy_.allowed_peer_addresses.empty() || listed(policy_.allowed_peer_addresses, peer_ip_)) return OFTrue;
  spdlog::warn("association from {} rejected: peer address {} is not in --allow-ip", peer(), peer_ip_);
  rejected_ = true;
  return OFFalse;
}

void StoreScp::notifyAbortRequest() {
  aborted_ = true;
  DcmThreadSCP::notifyAbortRequest();
}

void StoreScp::notifyAssociationTermination() {
  if (rejected_) {  // already logged with its cause
    DcmThreadSCP::notifyAssociationTermination();
    return;
  }
  spdlog::info("association from {} {}: {} stored, {} failed, {} refused", peer(),
               timed_out_ ? fmt::format("aborted after {} s idle (DIMSE timeout)", policy_.idle_timeout_s)
                          : std::string(aborted_ ? "aborted" : "ended"),
               stored_, failed_, refused_);
  DcmThreadSCP::notifyAssociationTermination();
}

void StoreScp::notifyDIMSEError(const OFCondition& cond) {
  // A sender that disappears mid-series lands here: what it had sent and was told about is
  // already on disk. DIMSE_NODATAAVAILABLE: nothing came within the idle timeout.
  aborted_ = true;
  if (cond == DIMSE_NODATAAVAILABLE) {
    timed_out_ = true;
    spdlog::warn("association from {}: nothing received for {} s (idle timeout); aborting it, {} instance(s) stored before",
                 peer(), policy_.idle_timeout_s, stored_);
    return;
  }
  spdlog::warn("association from {}: connection lost ({}); {} instance(s) stored and acknowledged before", peer(),
               cond.text(), stored_);
}

}  // namespace sij::sidecar
