// DicomSendSink against DCMTK's own Storage SCP (storescp, a child process on a free port):
// every *.dcm of the scan folder arrives intact; a dead port, a refusing peer and a file that
// is not DICOM give logged failures with the reason, retried as configured, and no exception.
#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "sidecar/outputs/DicomSendSink.h"
#include "support/LocalNetwork.h"

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;
using sij::testing::free_port;
using sij::testing::port_open;
using sij::testing::StoreScp;

// A small Secondary Capture file, as the report stage writes one (8-bit grey, 16 x 12).
void write_secondary_capture(const fs::path& file, const std::string& sop_uid, Uint8 fill) {
  DcmFileFormat format;
  DcmDataset* ds = format.getDataset();
  ds->putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
  ds->putAndInsertString(DCM_SOPInstanceUID, sop_uid.c_str());
  ds->putAndInsertString(DCM_StudyInstanceUID, "2.25.1111");
  ds->putAndInsertString(DCM_SeriesInstanceUID, "2.25.2222");
  ds->putAndInsertString(DCM_Modality, "OT");
  ds->putAndInsertString(DCM_ConversionType, "WSD");
  ds->putAndInsertString(DCM_PatientName, "SIJ^PHANTOM");
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_Rows, 12);
  ds->putAndInsertUint16(DCM_Columns, 16);
  ds->putAndInsertUint16(DCM_BitsAllocated, 8);
  ds->putAndInsertUint16(DCM_BitsStored, 8);
  ds->putAndInsertUint16(DCM_HighBit, 7);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  std::vector<Uint8> pixels(16 * 12, fill);
  ds->putAndInsertUint8Array(DCM_PixelData, pixels.data(), pixels.size());
  ASSERT_TRUE(format.saveFile(file.c_str(), EXS_LittleEndianExplicit).good());
}

std::string sop_instance_of(const fs::path& file) {
  DcmFileFormat format;
  if (format.loadFile(file.c_str()).bad()) return {};
  OFString uid;
  format.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
  return uid.c_str();
}

class SidecarOutputsDicomSend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v storescp >/dev/null 2>&1") != 0) GTEST_SKIP() << "DCMTK's storescp is not installed";
    dir_ = fs::temp_directory_path() / ("sijtrack_outputs_send_" + std::to_string(::getpid()));
    scan_dir_ = dir_ / "session" / "scan_02_x";
    fs::create_directories(scan_dir_);
    write_secondary_capture(scan_dir_ / "secondary_capture.dcm", "2.25.3333", 77);
    write_secondary_capture(scan_dir_ / "secondary_capture_gas.dcm", "2.25.4444", 200);
    std::ofstream(scan_dir_ / "report.json") << "{}";  // not DICOM, not *.dcm: not sent
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ScanEvent event() const { return {"2.25.1111", "2.25.2222", 2, dir_ / "session", scan_dir_, &report_}; }

  fs::path dir_, scan_dir_;
  analysis::ScanReport report_;
};

TEST_F(SidecarOutputsDicomSend, StorescpReceivesEverySecondaryCapture) {
  StoreScp scp(dir_ / "received");
  ASSERT_TRUE(scp.listening());
  DicomSendSink sink({{"127.0.0.1", scp.port(), "CONSOLE", "SIJTRACK"}, {1, 0.1, 5, 10}});
  sink.on_scan(event());

  const auto result = sink.last_result();
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_TRUE(result.all_stored()) << result.first_error();
  EXPECT_EQ(result.associations, 1);
  for (const auto& f : result.files) {
    EXPECT_TRUE(f.peer_answered);
    EXPECT_EQ(f.peer_status, 0x0000);
    EXPECT_EQ(f.attempts, 1);
  }
  // storescp names each file by modality and SOP Instance UID; read them back with DCMTK.
  std::vector<std::string> received;
  for (const auto& e : fs::directory_iterator(dir_ / "received")) received.push_back(sop_instance_of(e.path()));
  std::sort(received.begin(), received.end());
  EXPECT_EQ(received, (std::vector<std::string>{"2.25.3333", "2.25.4444"}));
}

TEST_F(SidecarOutputsDicomSend, DeadPortIsALoggedFailureRetried) {
  const int dead = free_port();
  DicomSendSink sink({{"127.0.0.1", dead, "CONSOLE", "SIJTRACK"}, {2, 0.05, 2, 5}});
  // Capture the log lines the sink writes.
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(32);
  spdlog::default_logger()->sinks().push_back(ring);
  EXPECT_NO_THROW(sink.on_scan(event()));
  spdlog::default_logger()->sinks().pop_back();
  const auto lines = ring->last_formatted();
  const auto logged = std::count_if(lines.begin(), lines.end(), [&](const std::string& line) {
    return line.find("[error]") != std::string::npos && line.find("NOT stored") != std::string::npos &&
           line.find(":" + std::to_string(dead)) != std::string::npos;
  });
  EXPECT_EQ(logged, 2) << "one error line per file, naming the peer";
  const auto result = sink.last_result();
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_EQ(result.stored_count(), 0);
  EXPECT_EQ(result.associations, 0);
  for (const auto& f : result.files) {
    EXPECT_EQ(f.attempts, 3) << "one attempt and two retries";
    EXPECT_FALSE(f.peer_answered);
    EXPECT_NE(f.message.find("association"), std::string::npos) << f.message;
  }
}

TEST_F(SidecarOutputsDicomSend, RefusingPeerIsReportedWithItsReason) {
  // storescp --refuse answers every association request with A-ASSOCIATE-RJ.
  StoreScp scp(dir_ / "refused", {"--refuse"});
  ASSERT_TRUE(scp.listening());
  DicomSendSink sink({{"127.0.0.1", scp.port(), "CONSOLE", "SIJTRACK"}, {1, 0.05, 5, 10}});
  EXPECT_NO_THROW(sink.on_scan(event()));
  const auto result = sink.last_result();
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_EQ(result.stored_count(), 0);
  EXPECT_TRUE(fs::is_empty(dir_ / "refused"));
  for (const auto& f : result.files) {
    EXPECT_FALSE(f.peer_answered);
    EXPECT_NE(f.message.find("Rejected"), std::string::npos) << f.message;
    EXPECT_EQ(f.attempts, 2);
  }
}

TEST(SidecarOutputsDicomStore, NotDicomIsNotRetriedAndHostPortParses) {
  const fs::path junk = fs::temp_directory_path() / ("sijtrack_outputs_junk_" + std::to_string(::getpid()) + ".dcm");
  std::ofstream(junk) << "not a DICOM file";
  DicomStoreClient client({"127.0.0.1", free_port(), "X", "Y"}, {3, 0.01, 1, 1});
  const auto result = client.send({junk});
  fs::remove(junk);
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_FALSE(result.files[0].stored);
  EXPECT_EQ(result.files[0].attempts, 0);
  EXPECT_NE(result.files[0].message.find("not a readable DICOM file"), std::string::npos) << result.files[0].message;

  const auto node = parse_host_port("console.local:11112");
  EXPECT_EQ(node.host, "console.local");
  EXPECT_EQ(node.port, 11112);
  EXPECT_THROW(parse_host_port("console.local"), std::invalid_argument);
  EXPECT_THROW(parse_host_port("console.local:0"), std::invalid_argument);
  EXPECT_THROW(parse_host_port("console.local:11x"), std::invalid_argument);
}

}  // namespace
}  // namespace sij::sidecar
