#include "sidecar/Spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

namespace sij::sidecar {
namespace fs = std::filesystem;

namespace {

constexpr const char* kTempSuffix = ".partial";

bool is_out_of_space(int error) { return error == ENOSPC || error == EDQUOT || error == EFBIG; }

[[noreturn]] void fail(const std::string& what, const fs::path& path, int error) {
  throw SpoolError("spool: " + what + " " + path.string() + ": " + std::strerror(error), is_out_of_space(error));
}

// fsync of a file or a directory by path; the data only counts as stored once this returned.
void sync_path(const fs::path& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open for sync", path, errno);
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot sync", path, error);
  }
  ::close(fd);
}

// A temp name unique across threads and processes, in the destination's folder (so the
// rename is atomic on the same filesystem).
fs::path temp_path_for(const fs::path& final_path) {
  static std::atomic<unsigned long> counter{0};
  return fs::path(final_path.string() + "." + std::to_string(::getpid()) + "." +
                  std::to_string(counter.fetch_add(1)) + kTempSuffix);
}

// rename(temp -> final) then fsync of the folder, so the name survives a crash too.
void commit(const fs::path& temp, const fs::path& final_path) {
  sync_path(temp, false);
  if (::rename(temp.c_str(), final_path.c_str()) != 0) fail("cannot rename into", final_path, errno);
  sync_path(final_path.parent_path(), true);
}

void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

// commit(), leaving no temp file behind when it fails.
void commit_or_discard(const fs::path& temp, const fs::path& final_path) {
  try {
    commit(temp, final_path);
  } catch (...) {
    remove_quietly(temp);
    throw;
  }
}

}  // namespace

std::string safe_path_component(const std::string& uid) {
  std::string out;
  for (const char c : uid) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                    c == '-' || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "unknown" + out;
  return out;
}

bool is_spool_temp_file(const fs::path& path) {
  const std::string name = path.filename().string();
  const std::string suffix = kTempSuffix;
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Spool::Spool(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) throw SpoolError("spool: cannot create " + root_.string() + ": " + ec.message(), false);
}

fs::path Spool::series_dir(const std::string& study_uid, const std::string& series_uid) const {
  return root_ / safe_path_component(study_uid) / safe_path_component(series_uid);
}

fs::path Spool::instance_path(const std::string& study_uid, const std::string& series_uid,
                              const std::string& sop_instance_uid) const {
  return series_dir(study_uid, series_uid) / (safe_path_component(sop_instance_uid) + ".dcm");
}

fs::path Spool::prepare_series_dir(const std::string& study_uid, const std::string& series_uid) {
  const fs::path study_dir = root_ / safe_path_component(study_uid);
  const fs::path dir = study_dir / safe_path_component(series_uid);
  if (fs::is_directory(dir)) return dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create folder", dir, ec.value());
  // New folder entries must be durable too, or a synced file could sit in a lost folder.
  sync_path(study_dir, true);
  sync_path(root_, true);
  return dir;
}

fs::path Spool::store_dataset(DcmDataset& dataset, const std::string& study_uid, const std::string& series_uid,
                              const std::string& sop_instance_uid, const std::string& transfer_syntax_uid) {
  prepare_series_dir(study_uid, series_uid);
  const fs::path final_path = instance_path(study_uid, series_uid, sop_instance_uid);
  const fs::path temp = temp_path_for(final_path);

  E_TransferSyntax xfer = transfer_syntax_uid.empty() ? dataset.getOriginalXfer()
                                                       : DcmXfer(transfer_syntax_uid.c_str()).getXfer();
  if (xfer == EXS_Unknown) xfer = EXS_LittleEndianExplicit;

  DcmFileFormat file(&dataset);  // copies the dataset; the meta header is built on save
  errno = 0;
  const OFCondition cond = file.saveFile(temp.c_str(), xfer);
  if (cond.bad()) {
    const int error = errno;
    remove_quietly(temp);
    // DCMTK reports the write error in its own words; errno still holds the OS's reason.
    const bool full = is_out_of_space(error);
    throw SpoolError("spool: cannot write " + final_path.string() + ": " + cond.text() +
                         (error ? std::string(" (") + std::strerror(error) + ")" : std::string()),
                     full);
  }
  commit_or_discard(temp, final_path);
  return final_path;
}

fs::path Spool::store_file(const fs::path& source, const std::string& study_uid, const std::string& series_uid,
                           const std::string& sop_instance_uid) {
  prepare_series_dir(study_uid, series_uid);
  const fs::path final_path = instance_path(study_uid, series_uid, sop_instance_uid);
  const fs::path temp = temp_path_for(final_path);

  const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail("cannot read", source, errno);
  const int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    const int error = errno;
    ::close(in);
    fail("cannot create", temp, error);
  }
  char buffer[1 << 16];
  int error = 0;
  for (;;) {
    const ssize_t n = ::read(in, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buffer + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        error = errno;
        break;
      }
      done += w;
    }
    if (error) break;
  }
  if (!error && ::fsync(out) != 0) error = errno;
  ::close(in);
  if (::close(out) != 0 && !error) error = errno;
  if (error) {
    remove_quietly(temp);
    fail("cannot write", final_path, error);
  }
  commit_or_discard(temp, final_path);
  return final_path;
}

}  // namespace sij::sidecar
