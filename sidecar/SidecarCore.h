// The sidecar's in-process entry point: instances come in (from the DICOM listener, the watch
// folder, replay or a test), are spooled durably, assembled into series, and every complete
// series is analysed in its session (one per StudyInstanceUID) against the earlier scans; the
// report is written and every registered ScanSink is called.
//
// Before any analysis the series must be the whole scan (sidecar/SeriesCompleteness): an
// incomplete one gets incomplete.json and no verdict, and is checked again when slices arrive.
// Scans are ordered by acquisition time: each is compared with the scan acquired just before
// it, and only a session's newest scan is its "latest". Each scan folder keeps a journal
// (scan.json) whose outputs_done is set after every sink was called; a start finishes any scan
// without it.
//
// Threads: accept_* may be called from any number of threads at once. Analyses run one at a
// time on the core's own worker thread, in order of completion; a timer thread closes series
// after their quiet period. The destructor stops taking work, lets the analysis in progress
// finish, and leaves whatever is still queued in the spool for the next start (which resumes it).
//
// Data guarantee: when accept_* returns Stored, the instance is in the spool and synced to disk
// (file and directory); nothing received is ever deleted by the sidecar.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "sidecar/ScanSink.h"
#include "sidecar/SessionStatus.h"
#include "sidecar/SidecarConfig.h"

class DcmDataset;

namespace sij::sidecar {

struct AcceptResult {
  enum class Status {
    Stored,       // spooled and synced (also for a repeated SOP Instance UID: replaced)
    Refused,      // not CT Image Storage / Enhanced CT Image Storage (message says what it was)
    Malformed,    // not a readable DICOM file, or the UIDs the spool needs are missing
    SpoolFailed,  // the spool write or sync failed (disk full, permissions): not stored
  };
  Status status = Status::Stored;
  std::string message;                  // one line, for the log; empty when Stored
  std::filesystem::path spooled_path;   // when Stored
  std::string study_uid, series_uid, sop_instance_uid, sop_class_uid;

  bool stored() const { return status == Status::Stored; }
};

std::string_view status_name(AcceptResult::Status status);  // "stored", "refused", ...

class SidecarCore {
 public:
  // Creates the spool and output folders and resumes from the spool: complete series without
  // a report are queued for analysis, incomplete ones wait for their quiet period. Throws
  // std::runtime_error when a folder cannot be created.
  explicit SidecarCore(SidecarConfig config);
  ~SidecarCore();
  SidecarCore(const SidecarCore&) = delete;
  SidecarCore& operator=(const SidecarCore&) = delete;

  // Sinks are called in registration order after each scan's report is written.
  void add_sink(std::shared_ptr<ScanSink> sink);

  // A DICOM file on disk (watch folder, replay): a copy is spooled; the original is untouched.
  AcceptResult accept_file(const std::filesystem::path& dicom_file);

  // A dataset received over the network (the SCP calls this before it answers the C-STORE;
  // the answer's status follows the result). transfer_syntax_uid: how it arrived (empty: the
  // dataset's original transfer syntax). source: who sent it, for the log (calling AE title).
  AcceptResult accept_dataset(DcmDataset& dataset, const std::string& transfer_syntax_uid = {},
                              const std::string& source = {});

  // Treats every open series as complete now and waits until every queued analysis is done.
  void flush();

  // Stops taking work and waits for the analysis in progress (its sinks are called); queued
  // and open series stay in the spool for the next start. accept_* refuse nothing afterwards
  // but nothing more is analysed; status() stays valid. The destructor calls it.
  void shutdown();

  // A snapshot; safe to call from any thread (the HTTP endpoint does).
  SessionStatus status() const;

  const SidecarConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sij::sidecar
