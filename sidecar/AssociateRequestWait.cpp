#include "sidecar/AssociateRequestWait.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <vector>

namespace sij::sidecar {

std::string_view describe(AssociateRequestWait result) {
  switch (result) {
    case AssociateRequestWait::Ready: return "ready";
    case AssociateRequestWait::Timeout: return "no A-ASSOCIATE-RQ within the negotiation timeout";
    case AssociateRequestWait::Closed: return "closed by the peer before an A-ASSOCIATE-RQ";
    case AssociateRequestWait::NotAssociateRequest: return "first PDU is not an A-ASSOCIATE-RQ (not DICOM?)";
    case AssociateRequestWait::TooLarge: return "A-ASSOCIATE-RQ longer than the 1 MB limit";
  }
  return "unknown";
}

AssociateRequestWait wait_for_associate_request(int fd, const AssociateRequestLimits& limits) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + limits.timeout;
  std::vector<unsigned char> buffer(limits.enough_bytes);
  std::size_t wanted = 6;  // the PDU header: type, reserved, 4-byte big-endian length
  for (;;) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return AssociateRequestWait::Closed;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return AssociateRequestWait::Closed;
    const std::size_t have = n > 0 ? static_cast<std::size_t>(n) : 0;
    if (have >= 1 && buffer[0] != 0x01) return AssociateRequestWait::NotAssociateRequest;
    if (have >= 6 && wanted == 6) {
      const std::uint32_t length = (std::uint32_t{buffer[2]} << 24) | (std::uint32_t{buffer[3]} << 16) |
                                   (std::uint32_t{buffer[4]} << 8) | std::uint32_t{buffer[5]};
      if (length > limits.max_pdu_bytes) return AssociateRequestWait::TooLarge;
      wanted = 6 + static_cast<std::size_t>(length);
    }
    if (have >= 6 && (have >= wanted || have >= limits.enough_bytes)) return AssociateRequestWait::Ready;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return AssociateRequestWait::Timeout;
    if (have == 0) {
      // Nothing yet: sleep until data (or the deadline).
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) return AssociateRequestWait::Closed;
    } else {
      // Part of the PDU: poll would report "readable" at once, so look again shortly.
      ::poll(nullptr, 0, static_cast<int>(std::min<long long>(left.count(), 10)));
    }
  }
}

}  // namespace sij::sidecar
