// The sijtrack command line. Each subcommand lives in its own file and registers itself here.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "apps/cli/Commands.h"

int main(int argc, char** argv) {
  CLI::App app{"sijtrack: trocar tip and ozone distribution for CT-guided sacroiliac joint injections"};
  app.set_version_flag("--version", std::string("sijtrack ") + SIJTRACK_VERSION);
  app.require_subcommand(1);
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
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sijtrack: error: %s\n", e.what());
    return 1;
  }
  return sij::cli::exit_code();
}
