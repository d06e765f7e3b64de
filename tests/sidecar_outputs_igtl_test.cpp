// IgtlSink against a client built on Debian's OpenIGTLink library (igtl::ClientSocket, the
// library 3D Slicer's OpenIGTLinkIF speaks with): the needle TRANSFORM and POINT carry the tip
// in RAS (LPS with x and y negated), the gas IMAGE places every voxel where the report's affine
// does (decoded the way Slicer does: OpenIGTLink images carry the volume centre), a client that
// connects later gets the latest scan, and a client that disconnects is dropped without
// disturbing the others.
#include <gtest/gtest.h>

#include <igtlClientSocket.h>
#include <igtlImageMessage.h>
#include <igtlMessageHeader.h>
#include <igtlPointMessage.h>
#include <igtlStatusMessage.h>
#include <igtlStringMessage.h>
#include <igtlTimeStamp.h>
#include <igtlTransformMessage.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <thread>

#include "sidecar/outputs/IgtlMessages.h"
#include "sidecar/outputs/IgtlSink.h"

namespace sij::sidecar {
namespace {

// A report as the pipeline makes one: one needle (LPS), a gas mask on a grid placed like the
// phantom's prone scans (columns to the patient's right, rows to anterior).
analysis::ScanReport make_report() {
  analysis::ScanReport report;
  analysis::NeedleReport entry;
  auto& n = entry.needle;
  n.id = 1;
  n.side = "right";
  const double dir[3] = {0.3, 0.9, 0.1};
  const double norm = std::sqrt(0.3 * 0.3 + 0.9 * 0.9 + 0.1 * 0.1);
  const double tip[3] = {12.5, -30.25, 100.75};
  for (int k = 0; k < 3; ++k) {
    n.direction[k] = dir[k] / norm;
    n.tip_mm[k] = tip[k];
    n.entry_mm[k] = tip[k] - 60.0 * n.direction[k];
  }
  n.tip_uncertainty_mm = 0.4;
  report.needles.push_back(entry);

  Grid grid;
  grid.nx = 6, grid.ny = 5, grid.nz = 4;
  grid.sx_mm = 0.7f, grid.sy_mm = 0.8f, grid.sz_mm = 1.25f;
  Affine3 affine;
  const double origin[3] = {100.0, 50.0, -20.0};
  const double direction[9] = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
  std::memcpy(affine.origin_mm, origin, sizeof origin);
  std::memcpy(affine.direction, direction, sizeof direction);
  report.grid = grid;
  report.affine = affine;
  report.gas.analysed = true;
  report.gas.grid = grid;
  report.gas.affine = affine;
  report.gas.mask.assign(static_cast<std::size_t>(grid.voxel_count()), gas::kNoGas);
  report.gas.mask[static_cast<std::size_t>(grid.index(1, 2, 3))] = gas::kInjected;
  report.gas.mask[static_cast<std::size_t>(grid.index(5, 0, 0))] = gas::kPreexisting;
  report.gas.mask[static_cast<std::size_t>(grid.index(0, 4, 1))] = gas::kArtifact;
  return report;
}

struct Received {
  igtl::TransformMessage::Pointer transform;
  igtl::PointMessage::Pointer points;
  igtl::ImageMessage::Pointer image;
  std::string transform_device, points_device, image_device;
  std::vector<std::string> order;  // device types in arrival order
  std::vector<std::string> devices;  // device names in arrival order
  std::vector<double> timestamps_s;  // header timestamps in arrival order
  std::string verdict;               // the STRING "Verdict"
  int status_code = -1;              // of the last STATUS
  std::string status_device;
  int points_count = -1;             // elements in the last POINT
};

template <class Message>
typename Message::Pointer receive_body(igtl::ClientSocket* socket, igtl::MessageHeader* header) {
  auto msg = Message::New();
  msg->SetMessageHeader(header);
  msg->AllocatePack();
  if (socket->Receive(msg->GetPackBodyPointer(), msg->GetPackBodySize()) != msg->GetPackBodySize()) return nullptr;
  if ((msg->Unpack(1) & igtl::MessageHeader::UNPACK_BODY) == 0) return nullptr;  // CRC checked
  return msg;
}

// Reads `count` messages (or fewer on a 5 s timeout).
Received receive(igtl::ClientSocket* socket, int count) {
  Received got;
  socket->SetReceiveTimeout(5000);
  for (int i = 0; i < count; ++i) {
    auto header = igtl::MessageHeader::New();
    header->InitPack();
    if (socket->Receive(header->GetPackPointer(), header->GetPackSize()) != header->GetPackSize()) break;
    header->Unpack();
    const std::string type = header->GetDeviceType();
    got.order.push_back(type);
    got.devices.push_back(header->GetDeviceName());
    auto stamp = igtl::TimeStamp::New();
    header->GetTimeStamp(stamp);
    got.timestamps_s.push_back(stamp->GetTimeStamp());
    if (type == "TRANSFORM") {
      got.transform = receive_body<igtl::TransformMessage>(socket, header);
      got.transform_device = header->GetDeviceName();
    } else if (type == "POINT" && header->GetBodySizeToRead() == 0) {  // an empty list (withdrawn)
      got.points = nullptr;
      got.points_device = header->GetDeviceName();
      got.points_count = 0;
    } else if (type == "POINT") {
      got.points = receive_body<igtl::PointMessage>(socket, header);
      got.points_device = header->GetDeviceName();
      if (got.points) got.points_count = got.points->GetNumberOfPointElement();
    } else if (type == "STRING") {
      auto msg = receive_body<igtl::StringMessage>(socket, header);
      if (msg) got.verdict = msg->GetString();
    } else if (type == "STATUS") {
      auto msg = receive_body<igtl::StatusMessage>(socket, header);
      if (msg) got.status_code = msg->GetCode();
      got.status_device = header->GetDeviceName();
    } else if (type == "IMAGE") {
      got.image = receive_body<igtl::ImageMessage>(socket, header);
      got.image_device = header->GetDeviceName();
    } else {
      socket->Skip(header->GetBodySizeToRead(), 0);
    }
  }
  return got;
}

igtl::ClientSocket::Pointer connect_to(int port) {
  auto socket = igtl::ClientSocket::New();
  if (socket->ConnectToServer("127.0.0.1", port) != 0) return nullptr;
  return socket;
}

bool wait_for_clients(const IgtlSink& sink, int n) {
  for (int i = 0; i < 200; ++i) {
    if (sink.client_count() == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// The reference conversion, written out: RAS = (-L, -P, S).
void expect_ras_of_lps(const float ras[3], const double lps[3], double tolerance, const char* what) {
  EXPECT_NEAR(ras[0], -lps[0], tolerance) << what;
  EXPECT_NEAR(ras[1], -lps[1], tolerance) << what;
  EXPECT_NEAR(ras[2], lps[2], tolerance) << what;
}

TEST(SidecarOutputsIgtl, SlicerClientReceivesTipTransformPointsAndGasLabelMap) {
  IgtlSink sink({0, true});
  sink.start();
  ASSERT_GT(sink.port(), 0);
  auto client = connect_to(sink.port());
  ASSERT_TRUE(client.IsNotNull());
  ASSERT_TRUE(wait_for_clients(sink, 1));

  const auto report = make_report();
  sink.on_scan({"1.2.3", "1.2.3.4", 2, "/tmp", "/tmp", &report});
  const Received got = receive(client, 4);
  ASSERT_EQ(got.order, (std::vector<std::string>{"STRING", "TRANSFORM", "POINT", "IMAGE"}));
  const auto& needle = report.needles[0].needle;

  // TRANSFORM: translation = tip in RAS; third column = the needle direction in RAS; a rotation.
  ASSERT_TRUE(got.transform.IsNotNull());
  EXPECT_EQ(got.transform_device, "NeedleTip_1");
  igtl::Matrix4x4 m;
  got.transform->GetMatrix(m);
  const float translation[3] = {m[0][3], m[1][3], m[2][3]};
  expect_ras_of_lps(translation, needle.tip_mm, 1e-4, "transform translation");
  const float axis[3] = {m[0][2], m[1][2], m[2][2]};
  expect_ras_of_lps(axis, needle.direction, 1e-5, "transform z axis");
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      const double dot = m[0][a] * m[0][b] + m[1][a] * m[1][b] + m[2][a] * m[2][b];
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-5) << "columns " << a << ", " << b;
    }
  }
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  EXPECT_NEAR(det, 1.0, 1e-5) << "a proper rotation, not a reflection";

  // POINT: the tip and the entry in RAS.
  ASSERT_TRUE(got.points.IsNotNull());
  EXPECT_EQ(got.points_device, "Needle_1");
  ASSERT_EQ(got.points->GetNumberOfPointElement(), 2);
  std::map<std::string, igtl::PointElement::Pointer> points;
  for (int i = 0; i < 2; ++i) {
    igtl::PointElement::Pointer p;
    got.points->GetPointElement(i, p);
    points[p->GetName()] = p;
  }
  ASSERT_TRUE(points.count("tip") && points.count("entry"));
  float position[3];
  points["tip"]->GetPosition(position);
  expect_ras_of_lps(position, needle.tip_mm, 1e-4, "tip point");
  points["entry"]->GetPosition(position);
  expect_ras_of_lps(position, needle.entry_mm, 1e-4, "entry point");

  // IMAGE: the mask, voxel for voxel, and every voxel's RAS position as the report places it.
  ASSERT_TRUE(got.image.IsNotNull());
  EXPECT_EQ(got.image_device, "GasLabelMap");
  int dims[3];
  float spacing[3];
  got.image->GetDimensions(dims);
  got.image->GetSpacing(spacing);
  EXPECT_EQ(dims[0], 6);
  EXPECT_EQ(dims[1], 5);
  EXPECT_EQ(dims[2], 4);
  EXPECT_EQ(got.image->GetScalarType(), igtl::ImageMessage::TYPE_UINT8);
  const auto* voxels = static_cast<const std::uint8_t*>(got.image->GetScalarPointer());
  EXPECT_TRUE(std::equal(report.gas.mask.begin(), report.gas.mask.end(), voxels));
  igtl::Matrix4x4 im;
  got.image->GetMatrix(im);
  // Slicer's decoding (OpenIGTLinkIO): corner = centre - sum_c dir_c * spacing_c * (n_c - 1) / 2.
  double corner[3];
  for (int r = 0; r < 3; ++r) {
    corner[r] = im[r][3];
    for (int c = 0; c < 3; ++c) corner[r] -= im[r][c] * spacing[c] * (dims[c] - 1) / 2.0;
  }
  const auto& g = report.gas.grid;
  for (int k = 0; k < g.nz; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const double idx[3] = {double(i), double(j), double(k)};
        float ras[3];
        for (int r = 0; r < 3; ++r) {
          ras[r] = static_cast<float>(corner[r] + im[r][0] * spacing[0] * i + im[r][1] * spacing[1] * j +
                                      im[r][2] * spacing[2] * k);
        }
        double lps[3];
        report.gas.affine.index_to_physical(g, idx, lps);
        expect_ras_of_lps(ras, lps, 1e-3, "gas voxel");
      }
    }
  }
  sink.stop();
}

TEST(SidecarOutputsIgtl, DisconnectedClientIsDroppedOthersKeepReceiving) {
  IgtlSink sink({0, false});
  sink.start();
  auto stays = connect_to(sink.port());
  auto leaves = connect_to(sink.port());
  ASSERT_TRUE(stays.IsNotNull() && leaves.IsNotNull());
  ASSERT_TRUE(wait_for_clients(sink, 2));
  leaves->CloseSocket();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  auto report = make_report();
  // Two scans: the first write to a closed peer may still be buffered by the kernel; by the
  // second the peer has answered with a reset and the send fails.
  for (int scan = 0; scan < 2; ++scan) {
    report.needles[0].needle.tip_mm[2] = 100.0 + scan;
    sink.on_scan({"1.2.3", "1.2.3." + std::to_string(scan), scan, "/tmp", "/tmp", &report});
    const Received got = receive(stays, 3);
    ASSERT_EQ(got.order, (std::vector<std::string>{"STRING", "TRANSFORM", "POINT"})) << "scan " << scan;
    igtl::Matrix4x4 m;
    got.transform->GetMatrix(m);
    EXPECT_NEAR(m[2][3], 100.0 + scan, 1e-4);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(sink.client_count(), 1);

  // A client connecting now first gets the latest scan.
  auto late = connect_to(sink.port());
  ASSERT_TRUE(late.IsNotNull());
  const Received got = receive(late, 3);
  ASSERT_EQ(got.order, (std::vector<std::string>{"STRING", "TRANSFORM", "POINT"}));
  igtl::Matrix4x4 m;
  got.transform->GetMatrix(m);
  EXPECT_NEAR(m[2][3], 101.0, 1e-4);
  EXPECT_TRUE(wait_for_clients(sink, 2));
  sink.stop();
  EXPECT_EQ(sink.client_count(), 0);
}

TEST(SidecarOutputsIgtl, NoGasMaskNoImage) {
  auto report = make_report();
  report.gas.mask.clear();
  const auto messages = make_scan_messages(report, true);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_STREQ(messages[0]->GetDeviceType(), "STRING");
  EXPECT_STREQ(messages[1]->GetDeviceType(), "TRANSFORM");
  EXPECT_STREQ(messages[2]->GetDeviceType(), "POINT");
}

// A client built on the library receives the verdict as text, wall-clock timestamps (not the
// library's uninitialised ones), and, when the next scan shows no needle, a STATUS NOT_FOUND
// for the old tip and an empty POINT list that clears it.
TEST(SidecarOutputsIgtl, VerdictTimestampsAndWithdrawnTip) {
  IgtlSink sink({0, false});
  sink.start();
  auto client = connect_to(sink.port());
  ASSERT_TRUE(client.IsNotNull());
  ASSERT_TRUE(wait_for_clients(sink, 1));
  auto report = make_report();
  report.verdict.line = "needle in the right joint (1.2 mm inside); gas confirmed";
  const double before = now_seconds();
  sink.on_scan({"1.2.3", "1.2.3.4", 1, {}, {}, &report});
  Received got = receive(client, 3);
  ASSERT_EQ(got.order, (std::vector<std::string>{"STRING", "TRANSFORM", "POINT"}));
  EXPECT_EQ(got.verdict, report.verdict.line);
  EXPECT_EQ(got.devices[0], "Verdict");
  for (const double t : got.timestamps_s) {
    EXPECT_GE(t, before - 1.0);
    EXPECT_LE(t, now_seconds() + 1.0);
  }

  analysis::ScanReport no_needle = make_report();
  no_needle.needles.clear();
  no_needle.verdict.line = "no needle; gas confirmed";
  sink.on_scan({"1.2.3", "1.2.3.5", 2, {}, {}, &no_needle});
  got = receive(client, 3);
  ASSERT_EQ(got.order, (std::vector<std::string>{"STRING", "STATUS", "POINT"}));
  EXPECT_EQ(got.verdict, "no needle; gas confirmed");
  EXPECT_EQ(got.status_device, "NeedleTip_1");
  EXPECT_EQ(got.status_code, igtl::StatusMessage::STATUS_NOT_FOUND);
  EXPECT_EQ(got.points_device, "Needle_1");
  EXPECT_EQ(got.points_count, 0);

  // Withdrawn once: the scan after sends the verdict alone.
  sink.on_scan({"1.2.3", "1.2.3.6", 3, {}, {}, &no_needle});
  got = receive(client, 1);
  EXPECT_EQ(got.order, (std::vector<std::string>{"STRING"}));
  sink.stop();
}

TEST(SidecarOutputsIgtl, LoopbackByDefaultAndAddressChecked) {
  EXPECT_EQ(IgtlOptions{}.host, "127.0.0.1");
  IgtlSink everywhere({0, false, "0.0.0.0"});
  EXPECT_NO_THROW(everywhere.start());
  everywhere.stop();
  IgtlSink bogus({0, false, "not-an-address"});
  EXPECT_THROW(bogus.start(), std::runtime_error);
}

}  // namespace
}  // namespace sij::sidecar
