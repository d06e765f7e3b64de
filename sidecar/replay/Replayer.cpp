#include "sidecar/replay/Replayer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "sidecar/SidecarCore.h"
#include "sidecar/outputs/ReportFilesSink.h"

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct TimelineEntry {
  double at_s;
  const RecordedSession* session;
  const RecordedScan* scan;
};

std::vector<TimelineEntry> timeline_of(const std::vector<RecordedSession>& sessions) {
  std::vector<TimelineEntry> entries;
  for (const auto& session : sessions) {
    for (const auto& scan : session.scans) entries.push_back({scan.seconds_from_start, &session, &scan});
  }
  // Stable: at equal times, sessions in the order given and scans in recorded order.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.at_s < b.at_s; });
  return entries;
}

// Realtime: waits until the entry's time, reporting the countdown about once a second.
void wait_until(Clock::time_point start, double at_s, ReplayProgress& p, const ReplayProgressCallback& progress) {
  const auto due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at_s));
  while (Clock::now() < due) {
    p.wait_s = std::chrono::duration<double>(due - Clock::now()).count();
    if (progress) progress(p);
    std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), std::chrono::seconds(1)));
  }
  p.wait_s = 0;
}

}  // namespace

ReplayResult replay_sessions(const std::vector<RecordedSession>& sessions, const ReplayOptions& options,
                             const ReplayProgressCallback& progress) {
  if (sessions.empty()) throw ReplayError("no session to replay");
  const auto started = Clock::now();
  ReplayResult result;
  ReplayProgress p;
  for (const auto& s : sessions) {
    p.files_total += s.file_count();
    p.scans_total += static_cast<int>(s.scans.size());
  }
  const auto timeline = timeline_of(sessions);

  std::unique_ptr<SidecarCore> core;
  auto scoring = std::make_shared<ReplayScoringSink>();
  std::optional<DicomStoreClient> client;
  if (options.send) {
    client.emplace(*options.send, options.store);
  } else {
    if (options.out_dir.empty()) throw ReplayError("replay in process needs an output folder");
    SidecarConfig config;
    config.spool_dir = options.out_dir / "spool";
    config.output_dir = options.out_dir / "sessions";
    // Each scan is closed by flush() once its files are in; the quiet period only matters if a
    // scan were split, and must not close one while it is being fed.
    config.quiet_seconds = 3600.0;
    config.analyze = options.analyze;
    try {
      core = std::make_unique<SidecarCore>(config);
    } catch (const std::exception& e) {
      throw ReplayError(std::string("cannot start the in-process sidecar: ") + e.what());
    }
    for (const auto& s : sessions) scoring->expect(s);
    if (options.report_files) core->add_sink(std::make_shared<ReportFilesSink>());
    core->add_sink(scoring);
    for (const auto& sink : options.extra_sinks) core->add_sink(sink);
    result.sessions_dir = config.output_dir;
  }

  for (const auto& entry : timeline) {
    p.session = entry.session->name;
    p.kind = entry.scan->kind;
    if (options.speed == ReplaySpeed::Realtime) wait_until(started, entry.at_s, p, progress);
    if (client) {
      const StoreResult sent = client->send(entry.scan->files);
      for (const auto& f : sent.files) {
        if (f.stored) {
          ++result.files_fed;
        } else {
          ++result.files_refused;
          result.problems.push_back(entry.session->name + " " + entry.scan->kind + ": " + f.file.filename().string() +
                                    ": " + f.message);
        }
      }
      p.files_done += entry.scan->files.size();
      if (progress) progress(p);
    } else {
      for (const auto& file : entry.scan->files) {
        const AcceptResult accepted = core->accept_file(file);
        if (accepted.stored()) {
          ++result.files_fed;
        } else {
          ++result.files_refused;
          result.problems.push_back(entry.session->name + " " + entry.scan->kind + ": " +
                                    std::string(status_name(accepted.status)) + ": " + accepted.message);
        }
        ++p.files_done;
        if (progress && (p.files_done % 8 == 0 || p.files_done == p.files_total)) progress(p);
      }
      core->flush();  // the scan is in: analyse it now, as the quiet period would
    }
    ++p.scans_done;
    if (progress) progress(p);
  }
  if (core) {
    core->flush();
    result.scans = scoring->scans();
  }
  result.wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace sij::sidecar
