// One DICOM association on the sidecar's listener (a DCMTK DcmThreadSCP, run on its own
// thread by StorageServer): C-ECHO, and C-STORE of CT Image Storage and Enhanced CT Image
// Storage; each instance goes through SidecarCore::accept_dataset (spooled and synced) before
// the C-STORE response is sent, so a success status means the instance is on disk.
//
// Negotiation refuses, with an A-ASSOCIATE-RJ and a log line naming the peer and the cause:
// a called AE title other than ours, a calling AE title outside the allow-list, a peer address
// outside the address allow-list. An association quiet for longer than the idle (DIMSE)
// timeout is aborted and logged.
#pragma once

#include <string>
#include <vector>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/scpthrd.h>

namespace sij::sidecar {

class SidecarCore;

// What every association checks and where it delivers; shared, read-only while serving.
struct AssociationPolicy {
  SidecarCore* core = nullptr;
  std::string ae_title;                        // our AE title: the called AE title must match
  std::vector<std::string> allowed_calling_aets;  // empty: any
  std::vector<std::string> allowed_peer_addresses;  // numeric IPs; empty: any
  int idle_timeout_s = 30;                     // for the log line
};

class StoreScp : public DcmThreadSCP {
 public:
  // The numeric address of the TCP connection (allow-list; "AE@IP" in the log).
  StoreScp(const AssociationPolicy& policy, std::string peer_ip);

 protected:
  OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) override;
  void notifyAssociationRequest(const T_ASC_Parameters& params, DcmSCPActionType& action) override;
  OFBool checkCalledAETitleAccepted(const OFString& called) override;
  OFBool checkCallingAETitleAccepted(const OFString& calling) override;
  OFBool checkCallingHostAccepted(const OFString& host) override;
  void notifyAbortRequest() override;
  void notifyAssociationTermination() override;
  void notifyDIMSEError(const OFCondition& cond) override;

 private:
  OFCondition handle_store(T_DIMSE_C_StoreRQ& request, const DcmPresentationContextInfo& info);
  std::string peer() const;

  const AssociationPolicy& policy_;
  std::string peer_ip_;
  std::string calling_ae_;
  int stored_ = 0, failed_ = 0, refused_ = 0;
  bool aborted_ = false;
  bool timed_out_ = false;
  bool rejected_ = false;   // refused at negotiation (logged there)
};

}  // namespace sij::sidecar
