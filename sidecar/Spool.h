// The spool: every received instance as <spool>/<study>/<series>/<sop>.dcm, written durably
// (temp file, fsync, rename, fsync of the directory) so that a stored instance survives a
// power cut or a kill -9 before the sender is told it arrived. The spool never deletes an
// instance; a failed write leaves at most its own unfinished temp file, which it removes.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

class DcmDataset;

namespace sij::sidecar {

// A spool write that failed: the message names the file and the OS's reason (e.g. "No space
// left on device"); out_of_space tells the SCP to answer 0xA700 (Out of Resources).
class SpoolError : public std::runtime_error {
 public:
  SpoolError(const std::string& message, bool out_of_space)
      : std::runtime_error(message), out_of_space_(out_of_space) {}
  bool out_of_space() const { return out_of_space_; }

 private:
  bool out_of_space_;
};

// A UID as a path component: anything other than digits, letters, '.', '-' and '_' becomes
// '_' so that a hostile UID cannot leave the spool ("../"), and an empty one is "unknown".
std::string safe_path_component(const std::string& uid);

class Spool {
 public:
  explicit Spool(std::filesystem::path root);  // creates the root (throws SpoolError)

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path series_dir(const std::string& study_uid, const std::string& series_uid) const;
  std::filesystem::path instance_path(const std::string& study_uid, const std::string& series_uid,
                                      const std::string& sop_instance_uid) const;

  // Writes the dataset as a DICOM file (with meta header) in transfer_syntax_uid (empty: the
  // dataset's original one, else explicit VR little endian) and syncs it; returns its path.
  // Throws SpoolError.
  std::filesystem::path store_dataset(DcmDataset& dataset, const std::string& study_uid,
                                      const std::string& series_uid, const std::string& sop_instance_uid,
                                      const std::string& transfer_syntax_uid);

  // Copies a file byte for byte into the spool and syncs it; throws SpoolError.
  std::filesystem::path store_file(const std::filesystem::path& source, const std::string& study_uid,
                                   const std::string& series_uid, const std::string& sop_instance_uid);

 private:
  std::filesystem::path prepare_series_dir(const std::string& study_uid, const std::string& series_uid);
  std::filesystem::path root_;
};

// True for a temp file the spool was writing when it was interrupted (skipped on resume).
bool is_spool_temp_file(const std::filesystem::path& path);

}  // namespace sij::sidecar
