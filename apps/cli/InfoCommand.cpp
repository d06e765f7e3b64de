// `sijtrack info`: what this build and this machine offer.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "apps/cli/Commands.h"
#include "kernels/core/Backend.h"

namespace sij::cli {
namespace {
int g_exit_code = 0;
}

int exit_code() { return g_exit_code; }
void set_exit_code(int code) { g_exit_code = code; }

void register_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Show the version, the compiled backends and the devices");
  cmd->callback([] {
    std::printf("sijtrack %s\n", SIJTRACK_VERSION);
    std::printf("CUDA backend compiled: %s\n", cuda_compiled() ? "yes" : "no");
    std::printf("CUDA devices: %d\n", cuda_device_count());
    std::printf("default backend: %s\n", std::string(backend_name(default_backend())).c_str());
  });
}

}  // namespace sij::cli
