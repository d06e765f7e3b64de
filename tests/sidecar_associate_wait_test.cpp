// wait_for_associate_request on a socket pair: the peer's bytes written by hand, in pieces, so
// each outcome (whole PDU, PDU in pieces, silence, close, not an A-ASSOCIATE-RQ, too long) is
// seen, and MSG_PEEK leaves every byte for DCMTK to read.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "sidecar/AssociateRequestWait.h"

namespace sij::sidecar {
namespace {

using namespace std::chrono_literals;

struct Pair {
  int ours = -1, peer = -1;
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ours = fds[0];
    peer = fds[1];
  }
  ~Pair() {
    if (ours >= 0) ::close(ours);
    if (peer >= 0) ::close(peer);
  }
  void send(const std::vector<unsigned char>& bytes) const {
    ASSERT_EQ(::write(peer, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
};

// An A-ASSOCIATE-RQ header declaring `length` bytes, followed by `body` bytes of filler.
std::vector<unsigned char> pdu(std::uint32_t length, size_t body, unsigned char type = 0x01) {
  std::vector<unsigned char> out(6 + body, 0x20);
  out[0] = type;
  out[1] = 0;
  for (int i = 0; i < 4; ++i) out[2 + i] = static_cast<unsigned char>(length >> (24 - 8 * i));
  return out;
}

AssociateRequestLimits limits(std::chrono::milliseconds timeout) {
  AssociateRequestLimits l;
  l.timeout = timeout;
  return l;
}

TEST(AssociateRequestWait, WholePduIsReadyAndNothingIsConsumed) {
  Pair p;
  p.send(pdu(200, 200));
  EXPECT_EQ(wait_for_associate_request(p.ours, limits(1s)), AssociateRequestWait::Ready);
  unsigned char buffer[300];
  EXPECT_EQ(::recv(p.ours, buffer, sizeof buffer, MSG_DONTWAIT), 206) << "every byte is left for DCMTK";
}

TEST(AssociateRequestWait, PduInPiecesIsReadyOnlyWhenWhole) {
  Pair p;
  const auto bytes = pdu(300, 300);
  std::thread sender([&] {
    p.send({bytes.begin(), bytes.begin() + 4});
    std::this_thread::sleep_for(100ms);
    p.send({bytes.begin() + 4, bytes.begin() + 100});
    std::this_thread::sleep_for(100ms);
    p.send({bytes.begin() + 100, bytes.end()});
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_for_associate_request(p.ours, limits(2s)), AssociateRequestWait::Ready);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms) << "ready before the last piece arrived";
  sender.join();
}

TEST(AssociateRequestWait, SilenceTimesOutAndHalfAPduToo) {
  Pair silent;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_for_associate_request(silent.ours, limits(300ms)), AssociateRequestWait::Timeout);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 290ms);
  EXPECT_LT(waited, 1s);
  Pair half;
  half.send(pdu(1000, 10));
  EXPECT_EQ(wait_for_associate_request(half.ours, limits(300ms)), AssociateRequestWait::Timeout);
}

TEST(AssociateRequestWait, CloseWrongTypeAndHugeLengthAreNamed) {
  Pair closed;
  ::close(closed.peer);
  closed.peer = -1;
  EXPECT_EQ(wait_for_associate_request(closed.ours, limits(1s)), AssociateRequestWait::Closed);
  Pair http;
  const std::string get = "GET / HTTP/1.0\r\n\r\n";
  http.send({get.begin(), get.end()});
  EXPECT_EQ(wait_for_associate_request(http.ours, limits(1s)), AssociateRequestWait::NotAssociateRequest);
  Pair release;  // an A-RELEASE-RQ before any association
  release.send(pdu(4, 4, 0x05));
  EXPECT_EQ(wait_for_associate_request(release.ours, limits(1s)), AssociateRequestWait::NotAssociateRequest);
  Pair huge;
  huge.send(pdu(0x7fffffff, 0));
  EXPECT_EQ(wait_for_associate_request(huge.ours, limits(1s)), AssociateRequestWait::TooLarge);
  EXPECT_EQ(describe(AssociateRequestWait::TooLarge), "A-ASSOCIATE-RQ longer than the 1 MB limit");
}

TEST(AssociateRequestWait, PduLargerThanEnoughBytesIsHandedOverOnceThatMuchIsBuffered) {
  Pair p;
  AssociateRequestLimits l = limits(1s);
  l.enough_bytes = 1024;
  p.send(pdu(100000, 2000));
  EXPECT_EQ(wait_for_associate_request(p.ours, l), AssociateRequestWait::Ready);
}

}  // namespace
}  // namespace sij::sidecar
