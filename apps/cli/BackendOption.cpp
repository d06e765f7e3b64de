// The --backend option shared by the subcommands that run kernels.
#include <CLI/CLI.hpp>

#include "apps/cli/Commands.h"

namespace sij::cli {

Backend backend_from_name(const std::string& name) {
  if (name == "auto") return default_backend();
  if (name == "cpu") return Backend::Cpu;
  if (name == "cuda") return Backend::Cuda;
  throw CLI::ValidationError("--backend", "expected auto, cpu or cuda, got '" + name + "'");
}

}  // namespace sij::cli
