// The --backend option shared by the subcommands that run kernels.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <mutex>

#include "apps/cli/Commands.h"
#include "kernels/core/DeviceCheck.h"

namespace sij::cli {
namespace {

// A CUDA build on a machine whose GPU failed the check says so once per process.
void log_cuda_fallback_once() {
  static std::once_flag once;
  const CudaCheck& check = cuda_check();
  if (check.usable || !cuda_compiled() || check.device_count == 0) return;
  std::call_once(once, [&] { spdlog::warn("CUDA unusable, running on the CPU: {}", check.reason); });
}

}  // namespace

Backend backend_from_name(const std::string& name) {
  if (name == "auto") {
    log_cuda_fallback_once();
    return default_backend();
  }
  if (name == "cpu") return Backend::Cpu;
  if (name == "emulated") return Backend::Emulated;
  if (name == "cuda") {
    if (!backend_available(Backend::Cuda)) {
      throw CLI::ValidationError("--backend", "cuda was asked for, but " + cuda_check().reason +
                                                  "; use --backend cpu (or auto)");
    }
    return Backend::Cuda;
  }
  throw CLI::ValidationError("--backend",
                             "expected auto, cpu, cuda or emulated, got '" + name + "'");
}

}  // namespace sij::cli
