// The log of every subcommand (spdlog's default logger): `--log-level` (trace, debug, info,
// warn, error, critical, off; default info) and `--log-file PATH` (appended to, its folder
// created; the log goes to stderr as well). Lines carry the local time with its UTC offset,
// and each event is one line: line breaks inside a message are written as " | ".
#pragma once

#include <string>

#include <spdlog/common.h>

namespace CLI {
class App;
}

namespace sij::cli {

struct LogOptions {
  std::string level = "info";
  std::string file;
};

// Adds --log-level and --log-file to `app` (the top level; subcommands fall through to it) and
// configures the logger once parsing is complete, before any subcommand runs.
void add_log_options(CLI::App& app);

// A subcommand's own default level (replay: warn), kept when --log-level was given.
void set_default_log_level(spdlog::level::level_enum level);

// Builds the default logger from `options`; throws std::runtime_error naming the file and the
// system's reason when the log file cannot be opened. Used by add_log_options and the tests.
void configure_logging(const LogOptions& options);

}  // namespace sij::cli
