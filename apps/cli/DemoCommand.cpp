#include "apps/cli/Commands.h"
#include <CLI/CLI.hpp>
namespace sij::cli { void register_demo(CLI::App&) {} }
