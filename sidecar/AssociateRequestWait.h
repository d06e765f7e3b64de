// Waits, on a freshly accepted TCP connection, until the peer's whole A-ASSOCIATE-RQ PDU has
// arrived in the socket's receive buffer (looked at with MSG_PEEK: nothing is consumed), so
// that DCMTK can then read and negotiate it without blocking. This is the ARTIM timer of the
// DICOM upper layer (PS3.8 9.1.5), run per connection: a peer that connects and sends nothing,
// or sends a PDU slowly, only ever holds its own connection, never the listener.
//
// Edge cases: a PDU larger than the socket can buffer counts as ready once `enough_bytes` are
// buffered (DCMTK reads the rest while the peer keeps sending); a first byte other than 0x01
// (A-ASSOCIATE-RQ) is NotAssociateRequest; a declared length above `max_pdu_bytes` is TooLarge.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace sij::sidecar {

enum class AssociateRequestWait {
  Ready,                // the whole PDU (or enough of it) is buffered
  Timeout,              // the deadline passed first
  Closed,               // the peer closed the connection (or a socket error)
  NotAssociateRequest,  // the first PDU is something else (not DICOM, or out of order)
  TooLarge,             // the declared PDU length is above max_pdu_bytes
};

std::string_view describe(AssociateRequestWait result);

struct AssociateRequestLimits {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_pdu_bytes = 1 << 20;   // DCMTK's own limit (dcmAssociatePDUSizeLimit)
  std::size_t enough_bytes = 64 * 1024;  // buffered this much: hand over even if not all
};

// `fd`: a connected stream socket (blocking or not; only poll and recv(MSG_PEEK) are used).
AssociateRequestWait wait_for_associate_request(int fd, const AssociateRequestLimits& limits);

}  // namespace sij::sidecar
