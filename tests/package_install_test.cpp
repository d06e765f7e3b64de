// The Debian package (packaging/Install.cmake, CPack): built from this build folder, unpacked
// into a scratch root with dpkg -x, it gives a `sijtrack` that runs from the PATH, its scanner
// profiles found beside it, /etc/sijtrack/serve.conf as a conffile that `serve` reads and starts
// from, and a systemd unit that `systemd-analyze verify` accepts (and a broken copy it refuses).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/RunCommand.h"
#include "support/ScratchDir.h"

namespace fs = std::filesystem;

namespace {

using sij::testing::run_command;

bool have(const char* tool) { return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0; }

class PackageInstall : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<sij::test::ScratchDir>("package");
    if (!have("cpack") || !have("dpkg-deb")) return;
    const fs::path out = dir_->path() / "out";
    const auto [rc, log] = run_command("cd " + std::string(SIJTRACK_BUILD_DIR) + " && cpack -G DEB -B " + out.string());
    build_log_ = log;
    for (const auto& e : fs::directory_iterator(out)) {
      if (e.path().extension() == ".deb") deb_ = e.path();
    }
    if (!deb_.empty()) run_command("dpkg -x " + deb_.string() + " " + root().string());
  }
  static void TearDownTestSuite() { dir_.reset(); }
  void SetUp() override {
    if (!have("cpack") || !have("dpkg-deb")) GTEST_SKIP() << "cpack or dpkg-deb is missing";
    ASSERT_FALSE(deb_.empty()) << "no .deb built:\n" << build_log_;
  }
  static fs::path root() { return dir_->path() / "root"; }
  static fs::path prefix() { return root() / fs::path(SIJTRACK_INSTALL_PREFIX).relative_path(); }
  static inline std::unique_ptr<sij::test::ScratchDir> dir_;
  static inline fs::path deb_;
  static inline std::string build_log_;
};

TEST_F(PackageInstall, SijtrackRunsFromThePath) {
  const auto [rc, out] = run_command("PATH=" + (prefix() / "bin").string() + ":/usr/bin:/bin sijtrack --version");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, std::string("sijtrack ") + SIJTRACK_VERSION + "\n");
  const auto [info_rc, info] = run_command((prefix() / "bin" / "sijtrack").string() + " info");
  EXPECT_EQ(info_rc, 0) << info;
  EXPECT_TRUE(fs::exists(prefix() / "share" / "sijtrack" / "config" / "scanners" / "default.json"));
  EXPECT_TRUE(fs::exists(prefix() / "share" / "sijtrack" / "config" / "verdict.json"));
}

TEST_F(PackageInstall, DependsOnTheLibrariesAndKeepsTheConfiguration) {
  const auto [rc, depends] = run_command("dpkg-deb -f " + deb_.string() + " Depends");
  EXPECT_EQ(rc, 0);
  for (const char* library : {"libdcmtk", "libinsighttoolkit", "libopenigtlink"}) {
    EXPECT_NE(depends.find(library), std::string::npos) << depends;
  }
  const fs::path control = dir_->path() / "control";
  run_command("dpkg-deb -e " + deb_.string() + " " + control.string());
  std::ifstream conffiles(control / "conffiles");
  std::string line;
  std::getline(conffiles, line);
  EXPECT_EQ(line, "/etc/sijtrack/serve.conf");
}

TEST_F(PackageInstall, ServeStartsFromTheInstalledConfiguration) {
  // The shipped file with only the folders (and ports) moved into the scratch root.
  const fs::path work = dir_->path() / "serve";
  const int port = 21000 + ::getpid() % 20000;
  const auto [rc, out] = run_command("timeout -s TERM 3 " + (prefix() / "bin" / "sijtrack").string() + " serve --config-file " +
                             (root() / "etc" / "sijtrack" / "serve.conf").string() + " --spool " + (work / "spool").string() +
                             " --out " + (work / "out").string() + " --log-file " + (work / "log" / "serve.log").string() +
                             " --port " + std::to_string(port) + " --http-port " + std::to_string(port + 1));
  EXPECT_EQ(rc, 124) << "serve ended before the timeout:\n" << out;  // it ran until SIGTERM
  // The listener's line names its bind address too: "AE title SIJTRACK on 0.0.0.0 port N".
  EXPECT_NE(out.find("DICOM listener: AE title SIJTRACK on "), std::string::npos) << out;
  EXPECT_NE(out.find(" port " + std::to_string(port) + ";"), std::string::npos) << out;
  EXPECT_NE(out.find("HTTP status on http://127.0.0.1:"), std::string::npos) << out;
  EXPECT_NE(out.find("sijtrack serve: stopped"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(work / "log" / "serve.log"));
}

TEST_F(PackageInstall, SystemdAcceptsTheUnit) {
  if (!have("systemd-analyze")) GTEST_SKIP() << "systemd-analyze is missing (Debian package systemd)";
  const fs::path unit_dir = root() / "lib" / "systemd" / "system";
  ASSERT_TRUE(fs::exists(unit_dir / "sijtrack.service"));
  std::ifstream unit_in(unit_dir / "sijtrack.service");
  const std::string unit((std::istreambuf_iterator<char>(unit_in)), std::istreambuf_iterator<char>());
  EXPECT_NE(unit.find("ExecStart=" + std::string(SIJTRACK_INSTALL_PREFIX) + "/bin/sijtrack serve --config-file /etc/sijtrack/serve.conf"),
            std::string::npos)
      << unit;
  // The system's own units (targets the unit names) beside it, so that the root is complete.
  if (!fs::is_directory("/lib/systemd/system")) GTEST_SKIP() << "no /lib/systemd/system to verify against";
  run_command("cp -an /lib/systemd/system/. " + unit_dir.string() + "/");
  const auto [rc, out] = run_command("systemd-analyze verify --root=" + root().string() + " /lib/systemd/system/sijtrack.service");
  EXPECT_EQ(rc, 0) << out;
  // The check can fail: a copy whose ExecStart names a missing program is refused.
  std::string broken = unit;
  broken.replace(broken.find("/bin/sijtrack serve"), 13, "/bin/no-such-program");
  std::ofstream(unit_dir / "broken-sijtrack.service") << broken;
  const auto [broken_rc, broken_out] =
      run_command("systemd-analyze verify --root=" + root().string() + " /lib/systemd/system/broken-sijtrack.service");
  EXPECT_NE(broken_rc, 0) << broken_out;
}

}  // namespace
