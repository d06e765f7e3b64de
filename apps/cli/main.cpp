// The sijtrack command line. Each subcommand lives in its own file and registers itself here.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "apps/cli/Commands.h"
#include "apps/cli/Logging.h"

int main(int argc, char** argv) {
  CLI::App app{"sijtrack: trocar tip and ozone distribution for CT-guided sacroiliac joint injections"};
  app.set_version_flag("--version", std::string("sijtrack ") + SIJTRACK_VERSION);
  app.require_subcommand(1);
  // Every option's default is shown in --help; options of the top level (the log) may follow
  // the subcommand. Both settings are inherited by the subcommands registered below.
  app.option_defaults()->always_capture_default();
  app.fallthrough();
  sij::cli::add_log_options(app);
  // Options from a file (TOML/INI as CLI11 reads it): top-level ones (log-level, log-file)
  // first, a subcommand's in its section, e.g. [serve] spool = "/var/lib/sijtrack/spool";
  // the command line wins over the file. May follow the subcommand.
  app.set_config("--config-file", "", "Read options from this file ([serve] section for serve; see config/serve.conf)");
  sij::cli::register_info(app);
  sij::cli::register_demo(app);
  sij::cli::register_phantom(app);
  sij::cli::register_ingest(app);
  sij::cli::register_analyze(app);
  sij::cli::register_evaluate(app);
  sij::cli::register_calibrate(app);
  sij::cli::register_serve(app);
  sij::cli::register_replay(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2 (docs/exit-codes.md).
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sijtrack: error: %s\n", e.what());
    return 1;
  }
  return sij::cli::exit_code();
}
