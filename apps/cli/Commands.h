// Registration of the sijtrack subcommands (one file each), and what they share.
#pragma once

#include <string>

#include "kernels/core/Backend.h"

namespace CLI {
class App;
}

namespace sij::cli {

void register_info(CLI::App& app);
void register_demo(CLI::App& app);
void register_phantom(CLI::App& app);
void register_ingest(CLI::App& app);
void register_analyze(CLI::App& app);
void register_evaluate(CLI::App& app);
void register_calibrate(CLI::App& app);
void register_serve(CLI::App& app);
void register_replay(CLI::App& app);

// The value of a --backend option: "auto" (CUDA when a device passed the self-test, else the
// CPU), "cpu", "cuda" or "emulated" (the CPU-run device stand-in, kernels/core/Emulated.h).
// Throws CLI::ValidationError for anything else, and for "cuda" when CUDA cannot run here.
Backend backend_from_name(const std::string& name);

// Exit status set by the subcommand that ran (0 when it succeeded).
int exit_code();
void set_exit_code(int code);

}  // namespace sij::cli
