// Where the subcommands write their files (--json, --csv, --markdown, --sc): "-" means stdout,
// missing parent folders are created, and a failure names the real cause (the system's reason
// for the folder or the file, e.g. "Permission denied", "Not a directory", "No space left on
// device"), never a guess.
#pragma once

#include <stdexcept>
#include <string>

namespace sij::cli {

class OutputFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True for "-" (stdout).
inline bool is_stdout(const std::string& path) { return path == "-"; }

// Creates the folders above `path` (none for "-" or a bare file name); throws OutputFileError
// "cannot create the folder D for F: <reason>".
void create_parent_folders(const std::string& path);

// Writes (mode "w") or appends (mode "a") `text` to `path`, or to stdout for "-"; creates the
// parent folders; throws OutputFileError "cannot write F: <reason>".
void write_output(const std::string& path, const std::string& text, const char* mode = "w");

}  // namespace sij::cli
