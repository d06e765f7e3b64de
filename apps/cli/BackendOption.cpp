// The --backend option shared by the subcommands that run kernels.
#include <CLI/CLI.hpp>

#include "apps/cli/Commands.h"

namespace sij::cli {

Backend backend_from_name(const std::string& name) {
  if (name == "auto") return default_backend();
  if (name == "cpu") return Backend::Cpu;
  if (name == "cuda") {
    if (backend_available(Backend::Cuda)) return Backend::Cuda;
    throw CLI::ValidationError("--backend", cuda_compiled()
        ? "cuda: no usable CUDA device here (no GPU, or its driver is missing or too old; `sijtrack info` "
          "lists the devices): use --backend cpu, or auto to take the GPU when there is one"
        : "cuda: this sijtrack was built without CUDA (-DSIJTRACK_CUDA=OFF): use --backend cpu or auto");
  }
  throw CLI::ValidationError("--backend", "expected auto, cpu or cuda, got '" + name + "'");
}

}  // namespace sij::cli
