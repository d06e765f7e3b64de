// Soak: `sijtrack serve` (the built binary) under a steady mix for a bounded time: two consoles
// send a procedure's scans at once, then for the soak period idle TCP connections are kept open
// (reopened whenever the negotiation timeout closes them) while four senders run association
// after association (negotiate, C-ECHO, release). Afterwards: every instance storescu was told
// was stored is in the spool, each scan was analysed exactly once, no association failed, a
// C-ECHO still answers in under 0.5 s, and the server's memory grew by less than 4 MB.
// 20 s by default; SIJTRACK_SOAK_SECONDS=3600 for the long mode (docs/sidecar.md).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <poll.h>

#include <atomic>
#include <cstdlib>
#include <set>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include "sidecar_test_util.h"

namespace sij::sidecar::testing {
namespace {

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

int connect_tcp(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool echo_association(int port) {
  DcmSCU scu;
  scu.setAETitle("SOAK");
  scu.setPeerHostName("127.0.0.1");
  scu.setPeerPort(static_cast<Uint16>(port));
  scu.setPeerAETitle("SIJTRACK");
  scu.setACSETimeout(5);
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  scu.setDIMSETimeout(5);
  OFList<OFString> syntaxes;
  syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
  scu.addPresentationContext(UID_VerificationSOPClass, syntaxes);
  if (scu.initNetwork().bad() || scu.negotiateAssociation().bad() || scu.sendECHORequest(0).bad()) return false;
  scu.releaseAssociation();
  return true;
}

std::string sop_uid(const fs::path& file) {
  DcmFileFormat ff;
  OFString uid;
  if (ff.loadFile(file.c_str()).good()) ff.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
  return uid.c_str();
}

TEST(SidecarSoak, SteadyLoadLosesNothingReportsOnceAndStaysFlat) {
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  const fs::path root = make_scratch("soak_test");
  const std::vector<std::vector<fs::path>> scans = phantom_planning_and_needle_files(root, 13);
  ASSERT_EQ(scans.size(), 2u);

  const int port = free_port();
  ServerProcess server({"--aet", "SIJTRACK", "--port", std::to_string(port), "--spool", (root / "spool").string(), "--out",
                        (root / "out").string(), "--quiet-seconds", "1", "--backend", "cpu"},
                       root / "serve.log");
  ASSERT_TRUE(wait_until([&] { return echo_association(port); }, 20)) << server.log();

  // Two consoles at once.
  std::vector<std::thread> consoles;
  for (int c = 0; c < 2; ++c)
    consoles.emplace_back([&, c] {
      std::string cmd = "storescu -v -aet CONSOLE" + std::to_string(c) + " -aec SIJTRACK 127.0.0.1 " + std::to_string(port);
      for (const auto& f : scans[c]) cmd += " '" + f.string() + "'";
      run_command(cmd + " > '" + (root / ("storescu_" + std::to_string(c) + ".log")).string() + "' 2>&1");
    });
  for (auto& t : consoles) t.join();
  ASSERT_TRUE(wait_until([&] { return files_with_suffix(root / "out", "report.json").size() == 2; }, 120)) << server.log();
  ASSERT_TRUE(wait_until([&] { return count_occurrences(server.log(), "report-files: scan") >= 4; }, 60));
  const long before = rss_kb(server.pid());

  const char* env = std::getenv("SIJTRACK_SOAK_SECONDS");
  const double seconds = env ? std::atof(env) : 20.0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::atomic<int> associations{0}, failed{0}, reopened{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t)
    load.emplace_back([&] {
      while (std::chrono::steady_clock::now() < end) (echo_association(port) ? associations : failed)++;
    });
  load.emplace_back([&] {  // eight idle connections, reopened as the server closes them
    std::vector<int> idle;
    while (std::chrono::steady_clock::now() < end) {
      for (auto it = idle.begin(); it != idle.end();) {
        pollfd p{*it, POLLIN, 0};
        char c;
        if (::poll(&p, 1, 0) > 0 && ::recv(*it, &c, 1, MSG_DONTWAIT) <= 0) {
          ::close(*it);
          it = idle.erase(it);
          ++reopened;
        } else {
          ++it;
        }
      }
      while (idle.size() < 8) idle.push_back(connect_tcp(port));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (int fd : idle) ::close(fd);
  });
  for (auto& t : load) t.join();
  const long after = rss_kb(server.pid());

  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(echo_association(port));
  const double echo_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << seconds << " s soak: " << associations << " associations (" << failed << " failed), " << reopened
            << " idle connections closed by the server and reopened; RSS " << before << " -> " << after << " kB; C-ECHO "
            << echo_s * 1000 << " ms\n";
  EXPECT_EQ(failed, 0);
  EXPECT_GT(associations, 0);
  EXPECT_LT(echo_s, 0.5);
  EXPECT_LT(after - before, 4096) << "RSS grew by " << (after - before) << " kB";

  std::set<std::string> spooled;
  for (const auto& f : files_with_suffix(root / "spool", ".dcm")) spooled.insert(sop_uid(f));
  for (int c = 0; c < 2; ++c) {
    const int acked = count_occurrences(read_text(root / ("storescu_" + std::to_string(c) + ".log")),
                                        "Received Store Response (Success)");
    EXPECT_EQ(acked, static_cast<int>(scans[c].size()));
    for (int i = 0; i < acked; ++i) EXPECT_TRUE(spooled.count(sop_uid(scans[c][i]))) << "acknowledged but lost";
  }
  EXPECT_EQ(count_occurrences(server.log(), "scan analysed: "), 2) << "each scan analysed exactly once";
  EXPECT_EQ(server.terminate(), 0) << server.log();
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
}  // namespace sij::sidecar::testing
