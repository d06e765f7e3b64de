// The DICOM listener of `sijtrack serve` (the built binary) against peers that misbehave the
// way a hospital network does: TCP connections that never speak, associations left open and
// silent, more associations than the limit, a wrong called AE title, a peer address outside the
// allow-list, something that is not DICOM at all, and a chosen bind address. The peers are
// DCMTK's own echoscu (a process), DCMTK's DcmSCU (in this process, to hold an association
// open) and plain sockets. Every refusal and timeout must also be in the log with its cause.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <poll.h>

#include <atomic>
#include <cstdlib>
#include <iostream>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include "sidecar_test_util.h"

namespace sij::sidecar::testing {
namespace {

// A plain TCP connection to 127.0.0.1:port (or another loopback address); -1 when refused.
int connect_tcp(int port, const char* address = "127.0.0.1") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, address, &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the server closed `fd` (recv returns 0 or an error) within `seconds`.
bool closed_by_peer(int fd, double seconds) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(seconds * 1000)) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

// An association negotiated by DCMTK's SCU and then left open and silent.
std::unique_ptr<DcmSCU> open_association(int port, const std::string& calling, OFCondition* result = nullptr) {
  auto scu = std::make_unique<DcmSCU>();
  scu->setAETitle(calling.c_str());
  scu->setPeerHostName("127.0.0.1");
  scu->setPeerPort(static_cast<Uint16>(port));
  scu->setPeerAETitle("SIJTRACK");
  scu->setACSETimeout(5);
  scu->setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  scu->setDIMSETimeout(5);
  OFList<OFString> syntaxes;
  syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
  scu->addPresentationContext(UID_VerificationSOPClass, syntaxes);
  OFCondition cond = scu->initNetwork();
  if (cond.good()) cond = scu->negotiateAssociation();
  if (result) *result = cond;
  if (cond.bad()) return nullptr;
  return scu;
}

// Resident memory of a process, in kB (VmRSS), -1 when unreadable.
long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

// `count` associations (negotiate, C-ECHO, release) from `threads` senders at once; returns
// how many failed.
int run_echo_associations(int port, int count, int threads) {
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t)
    senders.emplace_back([&] {
      while (next.fetch_add(1) < count) {
        auto scu = open_association(port, "LOOP");
        if (!scu || scu->sendECHORequest(0).bad()) {
          ++failed;
          continue;
        }
        scu->releaseAssociation();
      }
    });
  for (auto& s : senders) s.join();
  return failed;
}

class SidecarListener : public ::testing::Test {
 protected:
  void SetUp() override {
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    work_ = make_scratch(std::string("listener_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    port_ = free_port();
  }
  void TearDown() override {
    for (int fd : sockets_) ::close(fd);
    std::error_code ec;
    fs::remove_all(work_, ec);
  }

  std::unique_ptr<ServerProcess> start_server(std::vector<std::string> extra = {}, const std::string& address = "127.0.0.1") {
    std::vector<std::string> args{"--aet", "SIJTRACK", "--port", std::to_string(port_), "--spool", (work_ / "spool").string(),
                                  "--out", (work_ / "out").string(), "--backend", "cpu"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = std::make_unique<ServerProcess>(args, work_ / "serve.log");
    EXPECT_TRUE(wait_until([&] { return echo("CONSOLE", address) == 0; }, 20)) << server->log();
    return server;
  }
  int echo(const std::string& calling = "CONSOLE", const std::string& address = "127.0.0.1",
           std::string* output = nullptr, const std::string& called = "SIJTRACK") const {
    int status = -1;
    const std::string out = run_command("echoscu -aet " + calling + " -aec " + called + " " + address + " " +
                                        std::to_string(port_), &status);
    if (output) *output = out;
    return status;
  }
  bool log_has(const ServerProcess& server, const std::string& text, double seconds = 5) const {
    return wait_until([&] { return server.log().find(text) != std::string::npos; }, seconds);
  }

  fs::path work_;
  int port_ = 0;
  std::vector<int> sockets_;
};

// The target: with 16 idle TCP connections and 4 idle associations open, a C-ECHO
// answers in under 0.5 s (the defaults: negotiation timeout 5 s, idle timeout 30 s).
TEST_F(SidecarListener, EchoAnswersQuicklyBesideIdleConnectionsAndAssociations) {
  auto server = start_server();
  for (int i = 0; i < 16; ++i) {
    const int fd = connect_tcp(port_);
    ASSERT_GE(fd, 0);
    sockets_.push_back(fd);
  }
  std::vector<std::unique_ptr<DcmSCU>> idle;
  for (int i = 0; i < 4; ++i) {
    OFCondition cond;
    idle.push_back(open_association(port_, "IDLE" + std::to_string(i), &cond));
    ASSERT_TRUE(idle.back()) << "idle association " << i << " not accepted: " << cond.text() << "\n" << server->log();
  }
  // In process, so the time is the C-ECHO's (connect, negotiate, echo, release), not a
  // process start.
  const auto start = std::chrono::steady_clock::now();
  auto scu = open_association(port_, "CONSOLE");
  ASSERT_TRUE(scu) << server->log();
  EXPECT_TRUE(scu->sendECHORequest(0).good());
  scu->releaseAssociation();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 0.5) << "C-ECHO beside 16 idle connections and 4 idle associations";
  // DCMTK's echoscu, as a console would run it, gets through too.
  std::string out;
  const auto echoscu_start = std::chrono::steady_clock::now();
  EXPECT_EQ(echo("CONSOLE", "127.0.0.1", &out), 0) << out;
  const double echoscu_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - echoscu_start).count();
  EXPECT_LT(echoscu_seconds, 2.0) << "echoscu (process start included)";
  std::cout << "C-ECHO beside 16 idle TCP connections and 4 idle associations: " << seconds * 1000
            << " ms in process, " << echoscu_seconds * 1000 << " ms with echoscu\n";
  for (auto& s : idle) s->releaseAssociation();
}

// A connection that never sends its A-ASSOCIATE-RQ is closed after the negotiation timeout;
// an association that goes silent is aborted after the idle timeout; both are logged.
TEST_F(SidecarListener, SilentConnectionsAndAssociationsAreClosedAndLogged) {
  auto server = start_server({"--negotiation-timeout", "1", "--idle-timeout", "2"});
  const int fd = connect_tcp(port_);
  ASSERT_GE(fd, 0);
  sockets_.push_back(fd);
  auto idle = open_association(port_, "SILENT");
  ASSERT_TRUE(idle) << server->log();
  EXPECT_TRUE(closed_by_peer(fd, 3)) << "the silent TCP connection must be closed after 1 s";
  EXPECT_TRUE(log_has(*server, "no A-ASSOCIATE-RQ within 1 s (negotiation timeout)")) << server->log();
  EXPECT_TRUE(log_has(*server, "association from SILENT@127.0.0.1")) << server->log();
  EXPECT_TRUE(log_has(*server, "nothing received for 2 s (idle timeout)", 6)) << server->log();
  EXPECT_TRUE(idle->sendECHORequest(0).bad()) << "the idle association must have been aborted";
  EXPECT_EQ(echo(), 0);
  EXPECT_EQ(server->terminate(), 0) << server->log();
}

// One association more than --max-associations is rejected with "local limit exceeded"
// (transient: the console may retry), logged with the peer; a slot freed is taken again.
TEST_F(SidecarListener, OneTooManyIsRejectedWithLocalLimitExceeded) {
  auto server = start_server({"--max-associations", "2"});
  auto a = open_association(port_, "HOLD1");
  auto b = open_association(port_, "HOLD2");
  ASSERT_TRUE(a && b) << server->log();
  std::string out;
  EXPECT_NE(echo("LATE", "127.0.0.1", &out), 0);
  EXPECT_NE(out.find("Local Limit Exceeded"), std::string::npos) << out;
  EXPECT_NE(out.find("Rejected Transient"), std::string::npos) << out;
  EXPECT_TRUE(log_has(*server, "association from LATE@127.0.0.1 rejected: local limit exceeded (2 associations in progress"))
      << server->log();
  a->releaseAssociation();
  EXPECT_TRUE(wait_until([&] { return echo("AGAIN") == 0; }, 5)) << server->log();
}

// The called AE title is ours or the association is rejected; a peer address outside
// --allow-ip is rejected; both logged.
TEST_F(SidecarListener, WrongCalledAeAndAddressOutsideTheAllowListAreRejected) {
  {
    // 127.0.0.1 is in the allow-list here: only the called AE title is wrong.
    auto server = start_server({"--allow-ip", "10.11.12.13,127.0.0.1"});
    std::string out;
    EXPECT_NE(echo("CONSOLE", "127.0.0.1", &out, "NOT_SIJTRACK"), 0);
    EXPECT_NE(out.find("Called AE Title Not Recognized"), std::string::npos) << out;
    EXPECT_TRUE(log_has(*server, "called AE title 'NOT_SIJTRACK' is not ours ('SIJTRACK')")) << server->log();
    EXPECT_EQ(server->terminate(), 0);
  }
  fs::remove(work_ / "serve.log");
  std::vector<std::string> args{"--aet", "SIJTRACK", "--port", std::to_string(port_), "--spool", (work_ / "spool").string(),
                                "--out", (work_ / "out").string(), "--allow-ip", "10.11.12.13"};
  ServerProcess server(args, work_ / "serve.log");
  ASSERT_TRUE(log_has(server, "DICOM listener: AE title SIJTRACK", 20)) << server.log();
  std::string out;
  EXPECT_NE(echo("CONSOLE", "127.0.0.1", &out), 0) << "127.0.0.1 is not in --allow-ip";
  EXPECT_TRUE(log_has(server, "association from CONSOLE@127.0.0.1 rejected: peer address 127.0.0.1 is not in --allow-ip"))
      << server.log();
}

// --dicom-bind: the listener is on that address only.
TEST_F(SidecarListener, BindAddressChoosesWhereItListens) {
  auto server = start_server({"--dicom-bind", "127.0.0.3"}, "127.0.0.3");
  EXPECT_LT(connect_tcp(port_, "127.0.0.1"), 0) << "nothing may listen on 127.0.0.1";
  EXPECT_TRUE(log_has(*server, "on 127.0.0.3 port " + std::to_string(port_))) << server->log();
}

// Something that is not DICOM (an HTTP request) is closed at once and logged; serving goes on.
TEST_F(SidecarListener, NonDicomBytesAreClosedAndLogged) {
  auto server = start_server();
  const int fd = connect_tcp(port_);
  ASSERT_GE(fd, 0);
  sockets_.push_back(fd);
  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  EXPECT_TRUE(closed_by_peer(fd, 2));
  EXPECT_TRUE(log_has(*server, "first PDU is not an A-ASSOCIATE-RQ")) << server->log();
  EXPECT_EQ(echo(), 0);
}

// Memory stays flat over many associations (the DcmSCPPool listener grew by about 29 KB per
// association). 2,000 associations after a warm-up; SIJTRACK_LONG_ASSOCIATIONS=10000 for the
// issue's long run (docs/sidecar.md). Bound: 2 MB, where 29 KB each would be 58 MB.
TEST_F(SidecarListener, MemoryStaysFlatOverManyAssociations) {
  auto server = start_server();
  const char* long_run = std::getenv("SIJTRACK_LONG_ASSOCIATIONS");
  const int count = long_run ? std::atoi(long_run) : 2000;
  ASSERT_EQ(run_echo_associations(port_, 200, 8), 0) << server->log();  // threads, allocator arenas warm
  const long before = rss_kb(server->pid());
  ASSERT_GT(before, 0);
  EXPECT_EQ(run_echo_associations(port_, count, 8), 0) << server->log();
  const long after = rss_kb(server->pid());
  std::cout << count << " associations: RSS " << before << " kB -> " << after << " kB (" << (after - before)
            << " kB)\n";
  EXPECT_LT(after - before, 2048) << "RSS grew by " << (after - before) << " kB over " << count << " associations";
  EXPECT_EQ(server->terminate(), 0) << server->log();
}

}  // namespace
}  // namespace sij::sidecar::testing
