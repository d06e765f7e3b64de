// `sijtrack serve` end to end, as the built binary, against DCMTK's own tools (echoscu,
// storescu) and a test-size phantom procedure: association, a series stored and analysed
// (tip against the phantom truth), two consoles at once, an announced series size, SIGTERM
// during an analysis, a refused non-CT object, a malformed
// file in the watch folder, a sender that drops mid-series, kill -9 during receipt and a
// restart, and a spool on a nearly full filesystem. Every test checks the log line too.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "datasets/phantom/Procedure.h"
#include "sidecar_test_util.h"

namespace sij::sidecar::testing {
namespace {

using nlohmann::json;

class SidecarServe : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(make_scratch("serve_test"));
    sij::phantom::PhantomOptions o;
    o.seed = 3;
    o.size = sij::phantom::PhantomSize::Test;
    o.scenario = 0;
    o.write_mha = false;
    o.only_scans = {0, 2};
    o.out_dir = (*root_ / "phantom").string();
    sij::phantom::generate_procedure(o);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*root_, ec);
    delete root_;
  }

  void SetUp() override {
    work_ = *root_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(work_);
    spool_ = work_ / "spool";
    out_ = work_ / "out";
    log_ = work_ / "serve.log";
    port_ = free_port();
  }

  static fs::path scan_dir(int index) {
    for (const auto& e : fs::directory_iterator(*root_ / "phantom"))
      if (e.path().filename().string().rfind("scan_0" + std::to_string(index) + "_", 0) == 0) return e.path();
    return {};
  }
  static std::vector<fs::path> scan_files(int index) { return files_with_suffix(scan_dir(index) / "dicom", ".dcm"); }
  static json truth(int index) { return json::parse(read_text(scan_dir(index) / "truth.json")); }

  std::unique_ptr<ServerProcess> start_server(std::vector<std::string> extra = {}, const fs::path& spool = {}) {
    std::vector<std::string> args{"--aet", "SIJTRACK", "--port", std::to_string(port_), "--spool",
                                  (spool.empty() ? spool_ : spool).string(), "--out", out_.string(),
                                  "--quiet-seconds", "1", "--backend", "cpu"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = std::make_unique<ServerProcess>(args, log_);
    // Ready when DCMTK's echoscu gets through.
    const bool up = wait_until([&] { return echo() == 0; }, 20);
    EXPECT_TRUE(up) << server->log();
    return server;
  }
  int echo(const std::string& calling = "CONSOLE") const {
    int status = -1;
    run_command("echoscu -aet " + calling + " -aec SIJTRACK 127.0.0.1 " + std::to_string(port_), &status);
    return status;
  }
  std::string storescu_command(const std::vector<fs::path>& files, const std::string& calling = "CONSOLE") const {
    std::string cmd = "storescu -v -aet " + calling + " -aec SIJTRACK 127.0.0.1 " + std::to_string(port_);
    for (const auto& f : files) cmd += " '" + f.string() + "'";
    return cmd;
  }
  // The report.json files written under out_.
  std::vector<fs::path> reports() const { return files_with_suffix(out_, "report.json"); }
  std::vector<fs::path> spooled() const { return files_with_suffix(spool_, ".dcm"); }

  static std::string sop_uid(const fs::path& file) {
    DcmFileFormat ff;
    OFString uid;
    if (ff.loadFile(file.c_str()).good()) ff.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
    return uid.c_str();
  }
  std::set<std::string> spooled_sops() const {
    std::set<std::string> out;
    for (const auto& f : spooled()) out.insert(sop_uid(f));
    return out;
  }

  static fs::path* root_;
  fs::path work_, spool_, out_, log_;
  int port_ = 0;
};
fs::path* SidecarServe::root_ = nullptr;

double distance(const json& a, const json& b) {
  double s = 0;
  for (int i = 0; i < 3; ++i) s += std::pow(a[i].get<double>() - b[i].get<double>(), 2);
  return std::sqrt(s);
}

TEST_F(SidecarServe, EchoscuSucceedsAndOnlyAllowedCallersGetIn) {
  auto server = start_server({"--allow", "CONSOLE,CONSOLE2"});
  EXPECT_EQ(echo("CONSOLE2"), 0);
  EXPECT_NE(echo("INTRUDER"), 0) << "a calling AE title outside --allow must be rejected";
  EXPECT_TRUE(wait_until([&] { return server->log().find("calling AE title 'INTRUDER' is not in --allow") != std::string::npos; }, 5))
      << server->log();
  EXPECT_NE(server->log().find("association from CONSOLE2@127.0.0.1 ended"), std::string::npos) << server->log();
  EXPECT_EQ(server->terminate(), 0) << server->log();
  EXPECT_NE(server->log().find("sijtrack serve: stopped"), std::string::npos);
}

// Two consoles at once, interleaved series: both scans analysed, the needle scan against the
// planning scan, the tip within 1.5 mm of the phantom's truth.
TEST_F(SidecarServe, TwoConsolesSendSeriesAndReportsAppearWithTheTip) {
  auto server = start_server();
  const auto planning = scan_files(0), needle = scan_files(2);
  int status_a = -1, status_b = -1;
  std::thread a([&] { run_command(storescu_command(planning, "CONSOLE"), &status_a); });
  std::thread b([&] { run_command(storescu_command(needle, "CONSOLE2"), &status_b); });
  a.join();
  b.join();
  EXPECT_EQ(status_a, 0);
  EXPECT_EQ(status_b, 0);
  EXPECT_EQ(spooled().size(), planning.size() + needle.size());
  ASSERT_TRUE(wait_until([&] { return reports().size() == 2; }, 60)) << server->log();

  const json t = truth(2);
  const std::string series = t["scan"]["series_instance_uid"];
  fs::path needle_report;
  for (const auto& r : reports())
    if (r.parent_path().filename().string().find(series) != std::string::npos) needle_report = r;
  ASSERT_FALSE(needle_report.empty());
  const json report = json::parse(read_text(needle_report));
  ASSERT_GE(report["needles"].size(), 1u) << report.dump(1);
  const double error_mm = distance(report["needles"][0]["tip_mm"], t["needle"]["tip_mm"]);
  EXPECT_LT(error_mm, 1.5) << "tip error " << error_mm << " mm";
  // The DICOM SEG and SR beside report.json (ReportFilesSink), in the scan's study.
  const fs::path scan_out = needle_report.parent_path();
  ASSERT_TRUE(wait_until([&] { return fs::exists(scan_out / "measurements_sr.dcm"); }, 60)) << server->log();
  for (const char* name : {"segmentation.dcm", "measurements_sr.dcm"}) {
    const std::string dump = run_command("dcmdump -q -Un +P 0008,0016 +P 0020,000d '" + (scan_out / name).string() + "'");
    EXPECT_NE(dump.find(report["source"]["study_uid"].get<std::string>()), std::string::npos) << name << dump;
  }

  const std::string log = server->log();
  EXPECT_EQ(count_occurrences(log, "series complete:"), 2) << log;
  EXPECT_EQ(count_occurrences(log, "scan analysed:"), 2) << log;
  EXPECT_NE(log.find("association from CONSOLE2@127.0.0.1 ended: " + std::to_string(needle.size()) + " stored"),
            std::string::npos) << log;
  EXPECT_EQ(server->terminate(), 0);
}

// A console that announces the series size (Images in Acquisition, set here with DCMTK's
// dcmodify): the series is complete with its last slice, long before the quiet period.
TEST_F(SidecarServe, AnnouncedCountCompletesTheSeriesWithoutWaiting) {
  const fs::path copy = work_ / "announced";
  fs::create_directories(copy);
  const auto planning = scan_files(0);
  std::string files;
  for (const auto& f : planning) {
    fs::copy_file(f, copy / f.filename());
    files += " '" + (copy / f.filename()).string() + "'";
  }
  int status = -1;
  const std::string out = run_command("dcmodify -nb -i '(0020,1002)=" + std::to_string(planning.size()) + "'" + files, &status);
  ASSERT_EQ(status, 0) << out;
  std::vector<std::string> args{"--aet", "SIJTRACK", "--port", std::to_string(port_), "--spool", spool_.string(),
                                "--out", out_.string(), "--quiet-seconds", "120", "--backend", "cpu"};
  ServerProcess server(args, log_);
  ASSERT_TRUE(wait_until([&] { return echo() == 0; }, 20)) << server.log();
  run_command(storescu_command(files_with_suffix(copy, ".dcm")), &status);
  EXPECT_EQ(status, 0);
  ASSERT_TRUE(wait_until([&] { return reports().size() == 1; }, 60)) << server.log();
  EXPECT_NE(server.log().find(std::to_string(planning.size()) + " instance(s) (expected count reached)"), std::string::npos)
      << server.log();
  EXPECT_EQ(server.terminate(), 0);
}

// SIGTERM while a scan is being analysed: the analysis finishes, its report is written, exit 0.
TEST_F(SidecarServe, SigtermFinishesTheAnalysisInProgress) {
  auto server = start_server();
  int status = -1;
  run_command(storescu_command(scan_files(2)), &status);
  EXPECT_EQ(status, 0);
  ASSERT_TRUE(wait_until([&] { return server->log().find("analysing: study") != std::string::npos; }, 30)) << server->log();
  EXPECT_TRUE(reports().empty()) << "too late: the analysis had already finished";
  EXPECT_EQ(server->terminate(), 0) << server->log();
  EXPECT_EQ(reports().size(), 1u) << server->log();
  const std::string log = server->log();
  EXPECT_NE(log.find("Terminated received: no new associations; finishing the analysis in progress"), std::string::npos)
      << log;
  EXPECT_LT(log.find("Terminated received"), log.find("scan analysed:")) << log;
  EXPECT_NE(log.find("sijtrack serve: stopped"), std::string::npos) << log;
}

TEST_F(SidecarServe, NonCtObjectIsRefusedAndServingGoesOn) {
  // A Secondary Capture made with DCMTK: a DICOM image, but not CT.
  const fs::path sc = work_ / "sc.dcm";
  {
    DcmFileFormat ff;
    DcmDataset* ds = ff.getDataset();
    char uid[100];
    ds->putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
    ds->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
    ds->putAndInsertString(DCM_StudyInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_STUDY_UID_ROOT));
    ds->putAndInsertString(DCM_SeriesInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_SERIES_UID_ROOT));
    ds->putAndInsertString(DCM_Modality, "OT");
    ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    ds->putAndInsertUint16(DCM_Rows, 8);
    ds->putAndInsertUint16(DCM_Columns, 8);
    ds->putAndInsertUint16(DCM_BitsAllocated, 8);
    ds->putAndInsertUint16(DCM_BitsStored, 8);
    ds->putAndInsertUint16(DCM_HighBit, 7);
    ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
    std::vector<Uint8> pixels(64, 100);
    ds->putAndInsertUint8Array(DCM_PixelData, pixels.data(), 64);
    ASSERT_TRUE(ff.saveFile(sc.c_str(), EXS_LittleEndianExplicit).good());
  }
  auto server = start_server();
  int status = -1;
  const std::string out = run_command(storescu_command({sc}), &status);
  EXPECT_NE(status, 0) << "storescu must not report success for a refused object:\n" << out;
  EXPECT_TRUE(wait_until([&] {
    return server->log().find("answered 0x0122: refused instance") != std::string::npos;
  }, 5)) << server->log();
  EXPECT_NE(server->log().find("SecondaryCaptureImageStorage (1.2.840.10008.5.1.4.1.1.7) is not taken"), std::string::npos)
      << server->log();
  EXPECT_NE(out.find("Refused: SOPClassNotSupported"), std::string::npos) << out;
  EXPECT_TRUE(spooled().empty());
  EXPECT_EQ(echo(), 0) << "the server must keep serving";
  EXPECT_TRUE(server->alive());
  EXPECT_EQ(server->terminate(), 0);
}

TEST_F(SidecarServe, WatchFolderSkipsMalformedFileAndTakesTheSeries) {
  const fs::path watch = work_ / "watch";
  fs::create_directories(watch / "export");
  { std::ofstream(watch / "junk.dcm") << "this is not DICOM at all"; }
  auto server = start_server({"--watch", watch.string()});
  const auto planning = scan_files(0);
  for (const auto& f : planning) fs::copy_file(f, watch / "export" / f.filename());
  ASSERT_TRUE(wait_until([&] { return reports().size() == 1; }, 60)) << server->log();
  const std::string log = server->log();
  EXPECT_NE(log.find("watch: skipped " + (watch / "junk.dcm").string() + " (malformed)"), std::string::npos) << log;
  EXPECT_EQ(spooled().size(), planning.size());
  // The originals are untouched.
  EXPECT_EQ(files_with_suffix(watch / "export", ".dcm").size(), planning.size());
  EXPECT_EQ(read_text(watch / "export" / planning[0].filename()), read_text(planning[0]));
  EXPECT_EQ(read_text(watch / "junk.dcm"), "this is not DICOM at all");
  EXPECT_EQ(server->terminate(), 0);
}

// The console drops the association mid-series (storescu killed while it is still sending):
// every instance it had sent is on disk, and the session goes on after the quiet period.
TEST_F(SidecarServe, SenderDropsMidSeriesAndTheSessionProceeds) {
  auto server = start_server();
  const auto all = scan_files(2);
  const std::vector<fs::path> half(all.begin(), all.begin() + all.size() / 2);
  // The half, sent over and over, keeps the association busy long enough to cut it mid-way.
  std::vector<fs::path> repeated;
  for (int i = 0; i < 20; ++i) repeated.insert(repeated.end(), half.begin(), half.end());
  const fs::path sender_log = work_ / "storescu.log";
  const pid_t sender = ::fork();
  if (sender == 0) {
    const int fd = ::open(sender_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl("/bin/sh", "sh", "-c", ("exec " + storescu_command(repeated)).c_str(), (char*)nullptr);
    ::_exit(127);
  }
  const bool got_half = wait_until([&] { return spooled().size() >= half.size(); }, 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(sender, SIGKILL);
  int sender_status = 0;
  ::waitpid(sender, &sender_status, 0);
  ASSERT_TRUE(got_half) << server->log();
  EXPECT_TRUE(WIFSIGNALED(sender_status)) << "storescu finished before it was cut; the test did not drop it";

  // Every instance the sender was told about is on disk (all of the half were sent before).
  const int acknowledged = count_occurrences(read_text(sender_log), "Received Store Response (Success)");
  EXPECT_GE(acknowledged, static_cast<int>(half.size()));
  std::set<std::string> expected;
  for (const auto& f : half) expected.insert(sop_uid(f));
  EXPECT_EQ(spooled_sops(), expected);

  ASSERT_TRUE(wait_until([&] { return reports().size() == 1; }, 60)) << server->log();
  const std::string log = server->log();
  EXPECT_NE(log.find("quiet period elapsed"), std::string::npos) << log;
  EXPECT_TRUE(log.find("connection lost") != std::string::npos || log.find("aborted") != std::string::npos) << log;
  EXPECT_EQ(echo(), 0);
  EXPECT_EQ(server->terminate(), 0);
}

// kill -9 of the server while a series is coming in; after a restart every acknowledged
// instance is there and the series is analysed from the spool.
TEST_F(SidecarServe, KillDuringReceiptThenRestartResumes) {
  auto server = start_server();
  const auto all = scan_files(2);
  std::vector<fs::path> repeated;
  for (int i = 0; i < 10; ++i) repeated.insert(repeated.end(), all.begin(), all.end());
  const fs::path sender_log = work_ / "storescu.log";
  std::thread sender([&] { run_command(storescu_command(repeated) + " > '" + sender_log.string() + "'"); });
  const bool got_some = wait_until([&] { return spooled().size() >= all.size() / 2; }, 30);
  server->kill9();
  sender.join();
  ASSERT_TRUE(got_some);

  // storescu sends the files in the order given: the first `acknowledged` were acknowledged.
  const int acknowledged = count_occurrences(read_text(sender_log), "Received Store Response (Success)");
  ASSERT_GT(acknowledged, 0);
  std::set<std::string> acked;
  for (int i = 0; i < acknowledged && i < static_cast<int>(repeated.size()); ++i) acked.insert(sop_uid(repeated[i]));
  const auto on_disk = spooled_sops();
  for (const auto& sop : acked) EXPECT_TRUE(on_disk.count(sop)) << "acknowledged but lost: " << sop;
  EXPECT_TRUE(reports().empty());

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past the quiet period
  auto restarted = start_server();
  ASSERT_TRUE(wait_until([&] { return reports().size() == 1; }, 60)) << restarted->log();
  const std::string log = restarted->log();
  EXPECT_NE(log.find("resume: 1 series in the spool"), std::string::npos) << log;
  // An interrupted write (never acknowledged) is moved aside into .unacknowledged/, never
  // left among the series' files.
  for (const auto& partial : files_with_suffix(spool_, ".partial"))
    EXPECT_EQ(partial.parent_path().filename(), ".unacknowledged") << partial;
  EXPECT_EQ(restarted->terminate(), 0);
}

// A spool on a 2 MB tmpfs: once it is full the store is answered with a failure status
// (0xA700), the log says why, serving goes on, and every acknowledged instance is on disk.
TEST_F(SidecarServe, FullSpoolFailsTheStoreAndKeepsServing) {
  const fs::path small = work_ / "small_spool";
  fs::create_directories(small);
  if (::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=2m") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno) << "); needs root / CAP_SYS_ADMIN";
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{small};
  spool_ = small;
  auto server = start_server({}, small);
  const auto all = scan_files(2);  // larger than 2 MB in all
  const std::string out = run_command(storescu_command(all));
  const int acknowledged = count_occurrences(out, "Received Store Response (Success)");
  EXPECT_GT(acknowledged, 0) << out;
  EXPECT_LT(acknowledged, static_cast<int>(all.size())) << "the tmpfs did not fill up";
  EXPECT_NE(out.find("Refused: OutOfResources"), std::string::npos) << out;
  // Nothing acknowledged is lost: storescu sends in order, so the first `acknowledged` files.
  const auto on_disk = spooled_sops();
  for (int i = 0; i < acknowledged; ++i) EXPECT_TRUE(on_disk.count(sop_uid(all[i]))) << all[i];
  EXPECT_TRUE(files_with_suffix(small, ".partial").empty()) << "an unfinished write was left behind";
  EXPECT_TRUE(wait_until([&] { return server->log().find("answered 0xA700 (Out of Resources)") != std::string::npos; }, 5))
      << server->log();
  EXPECT_NE(server->log().find("No space left on device"), std::string::npos) << server->log();
  EXPECT_EQ(echo(), 0) << "the server must keep serving";
  EXPECT_EQ(server->terminate(), 0);
}

}  // namespace
}  // namespace sij::sidecar::testing
