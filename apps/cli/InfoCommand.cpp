// `sijtrack info`: what this build and this machine offer.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "apps/cli/Commands.h"
#include "kernels/core/Backend.h"
#include "kernels/core/DeviceCheck.h"

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
    const CudaCheck& cuda = cuda_check();
    std::printf("CUDA backend compiled: %s", cuda_compiled() ? "yes" : "no");
    if (cuda_compiled()) std::printf(" (architectures %s)", cuda.compiled_architectures.c_str());
    std::printf("\nCUDA devices: %d\n", cuda.device_count);
    std::printf("CUDA check: %s: %s\n", cuda.usable ? "usable" : "not usable", cuda.reason.c_str());
    std::printf("backends: ");
    for (Backend b : compiled_backends()) {
      std::printf("%s%s ", std::string(backend_name(b)).c_str(),
                  backend_available(b) ? "" : " (not available here)");
    }
    std::printf("\n  emulated: a CPU-run stand-in for a GPU, for tests (--backend emulated); never auto\n");
    std::printf("default backend: %s (%s)\n", std::string(backend_name(default_backend())).c_str(),
                default_backend() == Backend::Cuda ? "the CUDA device passed its check"
                                                   : "CUDA is not usable here, see the check above");
  });
}

}  // namespace sij::cli
