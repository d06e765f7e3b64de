// The outputs on a running sidecar (SidecarCore + start_outputs), fed a phantom needle scan:
// curl reads the sessions from /status and the latest tip from /latest.json, and an OpenIGTLink
// client (Debian's library) receives the tip, both agreeing with the report.json the core wrote
// (RAS = LPS with x and y negated) and with the phantom's ground truth within 1.5 mm.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <igtlClientSocket.h>
#include <igtlMessageHeader.h>
#include <igtlTransformMessage.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "datasets/phantom/Procedure.h"
#include "sidecar/outputs/Outputs.h"

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;

std::string curl(const std::string& url) {
  std::string out;
  FILE* p = popen(("curl -sf " + url).c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(SidecarOutputsCore, StatusLatestAndIgtlTipMatchTheReport) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  const fs::path root = fs::temp_directory_path() / ("sijtrack_outputs_core_" + std::to_string(::getpid()));
  phantom::PhantomOptions o;
  o.seed = 21;
  o.size = phantom::PhantomSize::Test;
  o.scenario = 0;
  o.write_mha = false;
  o.only_scans = {2};  // the needle at its final position
  o.out_dir = (root / "procedure").string();
  phantom::generate_procedure(o);
  const auto manifest = read_json(root / "procedure" / "manifest.json");
  const auto& scan = manifest["scans"][0];
  const auto truth = read_json(root / "procedure" / scan["truth"].get<std::string>());

  SidecarConfig config;
  config.spool_dir = root / "spool";
  config.output_dir = root / "out";
  {
    SidecarCore core(config);
    OutputsConfig outputs_config;
    outputs_config.http = HttpStatusOptions{"127.0.0.1", 0, 5};
    outputs_config.igtl = IgtlOptions{0, true};
    RunningOutputs outputs = start_outputs(core, outputs_config);
    const std::string base = "http://127.0.0.1:" + std::to_string(outputs.http->port());

    auto client = igtl::ClientSocket::New();
    ASSERT_EQ(client->ConnectToServer("127.0.0.1", outputs.igtl->port()), 0);
    for (int i = 0; i < 200 && outputs.igtl->client_count() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    for (const auto& e : fs::directory_iterator(root / "procedure" / scan["dicom_dir"].get<std::string>())) {
      ASSERT_TRUE(core.accept_file(e.path()).stored()) << e.path();
    }
    core.flush();

    const auto status = nlohmann::json::parse(curl(base + "/status"));
    ASSERT_EQ(status["sessions"].size(), 1u) << status.dump(2);
    EXPECT_EQ(status["sessions"][0]["study_uid"], manifest["study_instance_uid"]);
    ASSERT_EQ(status["sessions"][0]["scans"].size(), 1u);
    const fs::path scan_dir = status["sessions"][0]["scans"][0]["scan_dir"].get<std::string>();
    const auto report = read_json(scan_dir / "report.json");
    ASSERT_FALSE(report["needles"].empty()) << "the phantom's needle was not found";
    const auto& tip = report["needles"][0]["tip_mm"];
    EXPECT_EQ(status["last_verdict_line"], report["verdict"]["line"]);

    const auto latest = nlohmann::json::parse(curl(base + "/latest.json"));
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(latest["needles"][0]["tip_mm_lps"][k].get<double>(), tip[k].get<double>(), 1e-3);
      EXPECT_NEAR(tip[k].get<double>(), truth["needle"]["tip_mm"][k].get<double>(), 1.5);
    }
    EXPECT_NE(curl(base + "/").find(report["verdict"]["line"].get<std::string>().substr(0, 20)), std::string::npos);

    // The first message is the verdict's STRING, then the needle's TRANSFORM; its translation
    // is the tip in RAS.
    client->SetReceiveTimeout(5000);
    auto header = igtl::MessageHeader::New();
    header->InitPack();
    ASSERT_EQ(client->Receive(header->GetPackPointer(), header->GetPackSize()), header->GetPackSize());
    header->Unpack();
    ASSERT_STREQ(header->GetDeviceType(), "STRING");
    client->Skip(header->GetBodySizeToRead(), 0);
    header->InitPack();
    ASSERT_EQ(client->Receive(header->GetPackPointer(), header->GetPackSize()), header->GetPackSize());
    header->Unpack();
    ASSERT_STREQ(header->GetDeviceType(), "TRANSFORM");
    auto transform = igtl::TransformMessage::New();
    transform->SetMessageHeader(header);
    transform->AllocatePack();
    ASSERT_EQ(client->Receive(transform->GetPackBodyPointer(), transform->GetPackBodySize()),
              transform->GetPackBodySize());
    transform->Unpack(1);
    igtl::Matrix4x4 m;
    transform->GetMatrix(m);
    EXPECT_NEAR(m[0][3], -tip[0].get<double>(), 2e-3);
    EXPECT_NEAR(m[1][3], -tip[1].get<double>(), 2e-3);
    EXPECT_NEAR(m[2][3], tip[2].get<double>(), 2e-3);
    outputs.stop();
  }
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
}  // namespace sij::sidecar
