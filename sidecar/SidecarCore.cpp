#include "calib/ScanPreparation.h"
#include "sidecar/SidecarCore.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <spdlog/spdlog.h>

#include "pipeline/analysis/ReportJson.h"
#include "pipeline/analysis/ScanAnalyzer.h"
#include "pipeline/ingest/Ingest.h"
#include "sidecar/InstanceInfo.h"
#include "sidecar/SeriesAssembler.h"
#include "sidecar/SeriesCompleteness.h"
#include "sidecar/Session.h"
#include "sidecar/Spool.h"

namespace sij::sidecar {
namespace fs = std::filesystem;
using Clock = SeriesAssembler::Clock;

std::string_view status_name(AcceptResult::Status status) {
  switch (status) {
    case AcceptResult::Status::Stored: return "stored";
    case AcceptResult::Status::Refused: return "refused";
    case AcceptResult::Status::Malformed: return "malformed";
    case AcceptResult::Status::SpoolFailed: return "spool_failed";
  }
  return "unknown";
}

namespace {

// Moved aside at start: temp files of writes a crash interrupted (never acknowledged).
constexpr const char* kUnacknowledgedDir = ".unacknowledged";

std::string short_uid(const std::string& uid) {
  return uid.size() <= 24 ? uid : "..." + uid.substr(uid.size() - 20);
}

// Text written durably next to the scan (temp + fsync + rename), so a report on disk is whole.
void write_text_durably(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".partial";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + temp.string() + " (disk full or no permission?)");
  }
  const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  fs::rename(temp, path);
}

// A report.json an earlier attempt left, when this attempt has no verdict (failed or
// incomplete): renamed to report.superseded.json, so no stale verdict looks current.
void supersede_report(const fs::path& scan_dir, const std::string& why) {
  std::error_code ec;
  if (!fs::exists(scan_dir / kReportFileName, ec)) return;
  fs::rename(scan_dir / kReportFileName, scan_dir / kSupersededReportFileName, ec);
  if (ec)
    spdlog::error("cannot set the old report in {} aside ({}); it is stale: {}", scan_dir.string(), ec.message(), why);
  else
    spdlog::warn("the earlier report of {} is now {} ({})", scan_dir.string(), kSupersededReportFileName, why);
}

}  // namespace

struct SidecarCore::Impl {
  explicit Impl(SidecarConfig c)
      : config(std::move(c)),
        spool(config.spool_dir),
        assembler(std::chrono::milliseconds(static_cast<long long>(config.quiet_seconds * 1000.0))) {}

  SidecarConfig config;
  Spool spool;

  mutable std::mutex mutex;
  std::condition_variable work_ready;   // a job was queued, or stopping
  std::condition_variable work_done;    // an analysis finished
  std::condition_variable timer_wake;
  SeriesAssembler assembler;
  std::deque<CompleteSeries> queue;
  bool analysing = false;
  bool stopping = false;
  std::map<std::string, Session> sessions;  // by study UID
  std::vector<std::string> session_order;   // by first arrival
  // Sessions whose last report (with its volume, up to a few hundred MB) is kept in memory as
  // the next scan's comparison, most recent last. Two: two consoles at once. An evicted session
  // that gets another scan re-analyses its previous scan from the spool.
  std::deque<std::string> sessions_with_report;
  static constexpr size_t kSessionsWithReport = 2;
  std::vector<std::shared_ptr<ScanSink>> sinks;
  std::string last_verdict_line, last_study_uid, last_series_uid;
  std::int64_t received = 0, refused = 0;

  std::thread worker, timer;

  Session& session_locked(const std::string& study_uid) {
    auto it = sessions.find(study_uid);
    if (it != sessions.end()) return it->second;
    Session session(study_uid, config.output_dir / safe_path_component(study_uid));
    session.load_existing_scans();
    session_order.push_back(study_uid);
    return sessions.emplace(study_uid, std::move(session)).first->second;
  }

  void enqueue_locked(const CompleteSeries& series, const char* why) {
    spdlog::info("series complete: study {} series {}: {} instance(s) ({}); queued for analysis", short_uid(series.study_uid),
                 short_uid(series.series_uid), series.instances, why);
    queue.push_back(series);
    work_ready.notify_one();
  }

  void note_arrival(const InstanceInfo& info, const std::string& source, Clock::time_point when) {
    InstanceArrival arrival{info.study_uid, info.series_uid, info.sop_instance_uid, info.expected_count(),
                            info.acquisition_key};
    std::lock_guard lock(mutex);
    ++received;
    const int before = assembler.open_series();
    if (auto done = assembler.add(arrival, when)) {
      enqueue_locked(*done, "expected count reached");
    } else if (assembler.open_series() > before) {
      spdlog::info("series started: study {} series {} from {}{}", short_uid(info.study_uid), short_uid(info.series_uid),
                   source.empty() ? "unknown source" : source,
                   arrival.expected_count > 0 ? fmt::format(" (expecting {} instance(s))", arrival.expected_count)
                                              : std::string(" (complete after the quiet period)"));
    }
  }

  AcceptResult refuse(AcceptResult result, AcceptResult::Status status, std::string message) {
    result.status = status;
    result.message = std::move(message);
    std::lock_guard lock(mutex);
    ++refused;
    return result;
  }

  // Checks the identity an instance needs before it may enter the spool.
  std::optional<AcceptResult> check(const InstanceInfo& info, const std::string& what, AcceptResult& result) {
    result.study_uid = info.study_uid;
    result.series_uid = info.series_uid;
    result.sop_instance_uid = info.sop_instance_uid;
    result.sop_class_uid = info.sop_class_uid;
    if (!is_accepted_sop_class(info.sop_class_uid))
      return refuse(result, AcceptResult::Status::Refused,
                    "refused " + what + ": " + describe_sop_class(info.sop_class_uid) +
                        " is not taken; sijtrack accepts CT Image Storage and Enhanced CT Image Storage only");
    if (info.study_uid.empty() || info.series_uid.empty() || info.sop_instance_uid.empty())
      return refuse(result, AcceptResult::Status::Malformed,
                    "refused " + what + ": StudyInstanceUID, SeriesInstanceUID or SOPInstanceUID is missing");
    return std::nullopt;
  }

  void resume_from_spool();
  void restore_latest_locked();
  void worker_loop();
  void timer_loop();
  void analyse(const CompleteSeries& series);
  void write_journal(const CompleteSeries& series, const ScanEvent& event, bool outputs_done);
  void record_incomplete(const CompleteSeries& series, const ScanEvent& event, Session& session,
                         const Completeness& completeness);
  std::shared_ptr<const analysis::ScanReport> previous_report(Session& session, const std::string& series_uid);
};

// --- restart ---------------------------------------------------------------------------------

void SidecarCore::Impl::resume_from_spool() {
  std::error_code ec;
  const auto system_now = fs::file_time_type::clock::now();
  const auto steady_now = Clock::now();
  std::vector<CompleteSeries> complete;
  int resumed_series = 0;
  for (const auto& study : fs::directory_iterator(spool.root(), ec)) {
    if (!study.is_directory() || study.path().filename().string().front() == '.') continue;
    for (const auto& series : fs::directory_iterator(study.path(), ec)) {
      if (!series.is_directory()) continue;
      std::vector<InstanceInfo> instances;
      fs::file_time_type newest = fs::file_time_type::min();
      bool done_already = false;
      for (const auto& file : fs::directory_iterator(series.path(), ec)) {
        if (!file.is_regular_file()) continue;
        if (is_spool_temp_file(file.path())) {
          // A write a crash interrupted: never acknowledged, incomplete. Kept, but aside.
          const fs::path aside = spool.root() / kUnacknowledgedDir;
          fs::create_directories(aside, ec);
          fs::rename(file.path(), aside / file.path().filename(), ec);
          spdlog::warn("spool: moved the interrupted, unacknowledged write {} to {}", file.path().string(), aside.string());
          continue;
        }
        DcmFileFormat ff;
        if (ff.loadFileUntilTag(file.path().c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                                DCM_PixelData).bad()) {
          spdlog::warn("spool: {} is not readable DICOM; left in place", file.path().string());
          continue;
        }
        instances.push_back(read_instance_info(*ff.getDataset()));
        newest = std::max(newest, file.last_write_time(ec));
        if (instances.size() == 1) {
          // A series with a result is done: no need to read the rest of its headers.
          std::lock_guard lock(mutex);
          done_already = session_locked(instances[0].study_uid).has_result(instances[0].series_uid);
          if (done_already) break;
        }
      }
      if (instances.empty() || done_already) continue;
      ++resumed_series;
      // The quiet period continues from the newest file's time, as if the process had run on.
      const auto age = std::max(std::chrono::duration_cast<Clock::duration>(system_now - newest), Clock::duration::zero());
      std::lock_guard lock(mutex);
      for (const auto& info : instances) {
        InstanceArrival arrival{info.study_uid, info.series_uid, info.sop_instance_uid, info.expected_count(),
                                info.acquisition_key};
        if (auto done = assembler.add(arrival, steady_now - age)) complete.push_back(*done);
      }
    }
  }
  std::sort(complete.begin(), complete.end(),
            [](const CompleteSeries& a, const CompleteSeries& b) { return a.acquisition_key < b.acquisition_key; });
  std::lock_guard lock(mutex);
  if (resumed_series > 0)
    spdlog::info("resume: {} series in the spool {} have no report: {} complete now, {} wait for their quiet period",
                 resumed_series, spool.root().string(), complete.size(), assembler.open_series());
  for (const auto& series : complete) enqueue_locked(series, "resumed from the spool");
  restore_latest_locked();
}

// After a restart the status shows what the last run showed: the latest verdict is that of
// the scan whose report.json (or incomplete.json) was written last.
void SidecarCore::Impl::restore_latest_locked() {
  fs::file_time_type newest = fs::file_time_type::min();
  std::error_code ec;
  for (const auto& [study, session] : sessions)
    for (const auto& scan : session.scans())
      for (const char* name : {kReportFileName, kIncompleteFileName}) {
        if (!session.is_newest(scan.series_uid)) continue;
        const auto when = fs::last_write_time(fs::path(scan.scan_dir) / name, ec);
        if (ec || when <= newest) continue;
        newest = when;
        last_verdict_line = scan.verdict_line;
        last_study_uid = study;
        last_series_uid = scan.series_uid;
      }
}

// --- analysis --------------------------------------------------------------------------------

void SidecarCore::Impl::worker_loop() {
  for (;;) {
    CompleteSeries job;
    {
      std::unique_lock lock(mutex);
      work_ready.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping) return;  // queued series stay in the spool; the next start resumes them
      job = queue.front();
      queue.pop_front();
      analysing = true;
    }
    analyse(job);
    {
      std::lock_guard lock(mutex);
      analysing = false;
    }
    work_done.notify_all();
  }
}

void SidecarCore::Impl::timer_loop() {
  std::unique_lock lock(mutex);
  while (!stopping) {
    timer_wake.wait_for(lock, std::chrono::milliseconds(100));
    if (stopping) break;
    for (const auto& series : assembler.take_quiet(Clock::now())) enqueue_locked(series, "quiet period elapsed");
  }
}

std::shared_ptr<const analysis::ScanReport> SidecarCore::Impl::previous_report(Session& session,
                                                                               const std::string& series_uid) {
  // The comparison is the scan acquired just before this one (not the one analysed last: a
  // late or resent older scan is compared with what came before it).
  std::string earlier_series;
  int earlier_index = 0;
  {
    std::lock_guard lock(mutex);
    const ScanStatus* earlier = session.analysed_scan_before(series_uid);
    if (!earlier) return nullptr;
    earlier_series = earlier->series_uid;
    earlier_index = earlier->scan_index;
  }
  if (session.last_report && session.last_report_series == earlier_series) return session.last_report;
  // Not in memory (a restart, or an older scan arriving late): re-analyse it from the spool
  // (its report on disk stays as it was) so that this scan is still compared with it.
  const fs::path folder = spool.series_dir(session.study_uid(), earlier_series);
  try {
    ingest::IngestOptions options;
    // Kept in the report (shared): the gas stage of the next scan compares with this volume.
    Volume ingested = ingest::ingest(folder.string(), options);
    analysis::AnalyzeOptions analyze_options = config.analyze;
    calib::prepare_scan(ingested, analyze_options, config.profiles);
    auto volume = std::make_shared<const Volume>(std::move(ingested));
    auto report = std::make_shared<analysis::ScanReport>(analysis::analyze_scan(volume, analyze_options, nullptr));
    spdlog::info("session {}: re-analysed earlier scan {} from the spool as the comparison", short_uid(session.study_uid()),
                 earlier_index);
    return report;
  } catch (const std::exception& e) {
    spdlog::warn("session {}: earlier scan {} could not be re-read for comparison ({}); analysing without it",
                 short_uid(session.study_uid()), earlier_index, e.what());
    return nullptr;
  }
}

void SidecarCore::Impl::analyse(const CompleteSeries& series) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path folder = spool.series_dir(series.study_uid, series.series_uid);
  ScanEvent event;
  event.study_uid = series.study_uid;
  event.series_uid = series.series_uid;
  Session* session = nullptr;
  {
    std::lock_guard lock(mutex);
    session = &session_locked(series.study_uid);
    ScanStatus& scan = session->scan_for(series.series_uid);
    scan.instances = series.instances;
    if (!series.acquisition_key.empty()) scan.acquisition_key = series.acquisition_key;
    event.scan_index = scan.scan_index;
    event.session_dir = session->session_dir();
    event.scan_dir = scan.scan_dir;
  }
  write_journal(series, event, false);  // outputs_done once every sink has been called
  // Half a scan never gets a verdict: the slices must be the whole scan first.
  const Completeness completeness = check_completeness(read_slice_headers(folder));
  if (!completeness.complete) {
    record_incomplete(series, event, *session, completeness);
    return;
  }
  spdlog::info("analysing: study {} scan {:02d} series {} ({} instance(s), {})", short_uid(series.study_uid),
               event.scan_index, short_uid(series.series_uid), series.instances, completeness.summary);
  // Only this thread touches the session's reports, so no lock is held during the analysis.
  std::string verdict_line, error;
  try {
    fs::create_directories(event.scan_dir);
    const auto previous = previous_report(*session, series.series_uid);
    ingest::IngestOptions options;
    options.series_uid = series.series_uid;
    // The scanner profile (chosen by the scan's DICOM tags) corrects the HU and sets the
    // thresholds. The volume is kept in the report (shared): the outputs draw on it, and the
    // next scan's gas stage aligns to it and looks up the gas that was already there.
    Volume ingested = ingest::ingest(folder.string(), options);
    analysis::AnalyzeOptions analyze_options = config.analyze;
    const calib::ProfileChoice profile = calib::prepare_scan(ingested, analyze_options, config.profiles);
    auto volume = std::make_shared<const Volume>(std::move(ingested));
    auto report = std::make_shared<analysis::ScanReport>(analysis::analyze_scan(volume, analyze_options, previous.get()));
    report->scanner_profile = profile.profile.name;
    report->scanner_profile_rule = profile.rule;
    // This report supersedes what an earlier, incomplete or failed, attempt left: those go
    // first, so report.json never stands beside an error.json or incomplete.json (a crash in
    // between leaves neither; the journal then says the scan is not done).
    std::error_code ec;
    fs::remove(event.scan_dir / kIncompleteFileName, ec);
    fs::remove(event.scan_dir / kErrorFileName, ec);
    write_text_durably(event.scan_dir / kReportFileName, analysis::to_json(*report).dump(2) + "\n");
    verdict_line = report->verdict.line;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    spdlog::info("scan analysed: study {} scan {:02d} series {} ({} instance(s), {:.0f} ms){}{}; report {}",
                 short_uid(series.study_uid), event.scan_index, short_uid(series.series_uid), series.instances, ms,
                 verdict_line.empty() ? "" : ": ", verdict_line, (event.scan_dir / kReportFileName).string());
    spdlog::debug("summary of scan {:02d}:\n{}", event.scan_index, analysis::console_summary(*report));
    {
      std::lock_guard lock(mutex);
      ScanStatus& scan = session->scan_for(series.series_uid);
      scan.verdict_line = verdict_line;
      scan.error.clear();
      scan.incomplete.clear();
      scan.analysis_ms = ms;
      // Only the session's newest scan is the next scan's comparison and the "latest": an
      // older scan analysed late is reported, but does not replace either.
      event.latest_in_session = session->is_newest(series.series_uid);
      if (event.latest_in_session) {
        session->last_report = report;
        session->last_report_series = series.series_uid;
        std::erase(sessions_with_report, series.study_uid);
        sessions_with_report.push_back(series.study_uid);
        while (sessions_with_report.size() > kSessionsWithReport) {
          sessions.at(sessions_with_report.front()).last_report.reset();
          sessions_with_report.pop_front();
        }
        last_verdict_line = verdict_line;
        last_study_uid = series.study_uid;
        last_series_uid = series.series_uid;
      } else {
        spdlog::info("scan {:02d} of study {} was acquired before the session's newest scan: not the latest",
                     event.scan_index, short_uid(series.study_uid));
      }
    }
    event.report = report.get();
    std::vector<std::shared_ptr<ScanSink>> to_call;
    {
      std::lock_guard lock(mutex);
      to_call = sinks;
    }
    for (const auto& sink : to_call) sink->on_scan(event);
    // Only now is the scan done: a crash before this line (report written, overlays, SC,
    // sends not all made) is redone from the spool at the next start.
    write_journal(series, event, true);
    return;
  } catch (const ingest::IngestError& e) {
    error = std::string("ingest refused the series (") + std::string(ingest::reason_name(e.reason())) + "): " + e.what();
  } catch (const std::exception& e) {
    error = std::string("analysis failed: ") + e.what();
  }
  spdlog::error("scan not analysed: study {} series {}: {}; its {} file(s) stay in {}", short_uid(series.study_uid),
                short_uid(series.series_uid), error, series.instances, folder.string());
  supersede_report(event.scan_dir, "the re-analysis failed");
  std::error_code ec;
  fs::remove(event.scan_dir / kIncompleteFileName, ec);
  try {
    nlohmann::json j{{"study_uid", series.study_uid}, {"series_uid", series.series_uid}, {"error", error},
                     {"spool_dir", folder.string()}, {"instances", series.instances}};
    write_text_durably(event.scan_dir / kErrorFileName, j.dump(2) + "\n");
  } catch (const std::exception& e) {
    spdlog::error("cannot record the failure in {}: {}", event.scan_dir.string(), e.what());
  }
  std::lock_guard lock(mutex);
  ScanStatus& scan = session->scan_for(series.series_uid);
  scan.error = error;
  scan.verdict_line.clear();
  scan.incomplete.clear();
}

void SidecarCore::Impl::record_incomplete(const CompleteSeries& series, const ScanEvent& event, Session& session,
                                          const Completeness& completeness) {
  spdlog::warn("scan incomplete: study {} scan {:02d} series {}: {}; no verdict until the missing slices arrive",
               short_uid(series.study_uid), event.scan_index, short_uid(series.series_uid), completeness.summary);
  nlohmann::json gaps = nlohmann::json::array();
  for (const auto& gap : completeness.gaps) gaps.push_back({{"from_z_mm", gap.from_z_mm}, {"to_z_mm", gap.to_z_mm}});
  const nlohmann::json j{{"schema", "sijtrack.sidecar.incomplete/1"},
                         {"study_uid", series.study_uid},
                         {"series_uid", series.series_uid},
                         {"summary", completeness.summary},
                         {"received", completeness.received},
                         {"expected", completeness.expected},
                         {"gaps", gaps},
                         {"missing_instance_numbers", completeness.missing_instance_numbers},
                         {"spool_dir", spool.series_dir(series.study_uid, series.series_uid).string()}};
  supersede_report(event.scan_dir, "the series is incomplete now");
  try {
    fs::create_directories(event.scan_dir);
    write_text_durably(event.scan_dir / kIncompleteFileName, j.dump(2) + "\n");
  } catch (const std::exception& e) {
    spdlog::error("cannot record the incomplete series in {}: {}", event.scan_dir.string(), e.what());
  }
  std::lock_guard lock(mutex);
  ScanStatus& scan = session.scan_for(series.series_uid);
  scan.incomplete = scan.verdict_line = completeness.summary;
  scan.error.clear();
  if (!session.is_newest(series.series_uid)) return;
  last_verdict_line = completeness.summary;
  last_study_uid = series.study_uid;
  last_series_uid = series.series_uid;
}

void SidecarCore::Impl::write_journal(const CompleteSeries& series, const ScanEvent& event, bool outputs_done) {
  const nlohmann::json j{{"schema", "sijtrack.sidecar.scan/1"},
                         {"study_uid", series.study_uid},
                         {"series_uid", series.series_uid},
                         {"acquisition_key", series.acquisition_key},
                         {"instances", series.instances},
                         {"outputs_done", outputs_done},
                         {"spool_dir", spool.series_dir(series.study_uid, series.series_uid).string()}};
  try {
    fs::create_directories(event.scan_dir);
    write_text_durably(event.scan_dir / kScanJournalFileName, j.dump(2) + "\n");
  } catch (const std::exception& e) {
    spdlog::error("cannot write the scan journal in {}: {}", event.scan_dir.string(), e.what());
  }
}

// --- public ----------------------------------------------------------------------------------

SidecarCore::SidecarCore(SidecarConfig config) {
  if (config.spool_dir.empty()) throw std::runtime_error("sidecar: no spool folder given");
  if (config.output_dir.empty()) throw std::runtime_error("sidecar: no output folder given");
  try {
    impl_ = std::make_unique<Impl>(std::move(config));
  } catch (const SpoolError& e) {
    throw std::runtime_error(e.what());
  }
  std::error_code ec;
  fs::create_directories(impl_->config.output_dir, ec);
  if (ec) throw std::runtime_error("sidecar: cannot create the output folder " + impl_->config.output_dir.string() + ": " + ec.message());
  impl_->resume_from_spool();
  impl_->worker = std::thread([this] { impl_->worker_loop(); });
  impl_->timer = std::thread([this] { impl_->timer_loop(); });
}

SidecarCore::~SidecarCore() { shutdown(); }

void SidecarCore::shutdown() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) return;
    impl_->stopping = true;
    if (!impl_->queue.empty())
      spdlog::info("shutdown: {} complete series not analysed yet stay in the spool and are resumed at the next start",
                   impl_->queue.size());
  }
  impl_->work_ready.notify_all();
  impl_->work_done.notify_all();  // a flush() waiting elsewhere returns
  impl_->timer_wake.notify_all();
  if (impl_->timer.joinable()) impl_->timer.join();
  if (impl_->worker.joinable()) impl_->worker.join();  // the analysis in progress finishes
}

void SidecarCore::add_sink(std::shared_ptr<ScanSink> sink) {
  if (!sink) return;
  std::lock_guard lock(impl_->mutex);
  impl_->sinks.push_back(std::move(sink));
}

AcceptResult SidecarCore::accept_file(const fs::path& dicom_file) {
  AcceptResult result;
  const std::string what = dicom_file.string();
  DcmFileFormat ff;
  const OFCondition cond = ff.loadFile(dicom_file.c_str());
  if (cond.bad())
    return impl_->refuse(result, AcceptResult::Status::Malformed,
                         "refused " + what + ": not a readable DICOM file (" + cond.text() + ")");
  InstanceInfo info = read_instance_info(*ff.getDataset());
  if (info.sop_class_uid.empty()) {
    OFString media_class;
    if (ff.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, media_class).good())
      info.sop_class_uid = media_class.c_str();
  }
  if (auto refusal = impl_->check(info, what, result)) return *refusal;
  try {
    result.spooled_path = impl_->spool.store_file(dicom_file, info.study_uid, info.series_uid, info.sop_instance_uid);
  } catch (const SpoolError& e) {
    return impl_->refuse(result, AcceptResult::Status::SpoolFailed, e.what());
  }
  impl_->note_arrival(info, "file " + what, Clock::now());
  return result;
}

AcceptResult SidecarCore::accept_dataset(DcmDataset& dataset, const std::string& transfer_syntax_uid,
                                         const std::string& source) {
  AcceptResult result;
  const InstanceInfo info = read_instance_info(dataset);
  const std::string what = "instance " + info.sop_instance_uid + (source.empty() ? "" : " from " + source);
  if (auto refusal = impl_->check(info, what, result)) return *refusal;
  try {
    result.spooled_path =
        impl_->spool.store_dataset(dataset, info.study_uid, info.series_uid, info.sop_instance_uid, transfer_syntax_uid);
  } catch (const SpoolError& e) {
    return impl_->refuse(result, AcceptResult::Status::SpoolFailed, e.what());
  }
  impl_->note_arrival(info, source, Clock::now());
  return result;
}

void SidecarCore::flush() {
  std::unique_lock lock(impl_->mutex);
  for (const auto& series : impl_->assembler.take_all()) impl_->enqueue_locked(series, "flush");
  impl_->work_done.wait(lock, [&] { return impl_->stopping || (impl_->queue.empty() && !impl_->analysing); });
}

SessionStatus SidecarCore::status() const {
  std::lock_guard lock(impl_->mutex);
  SessionStatus s;
  for (const auto& study : impl_->session_order) {
    const Session& session = impl_->sessions.at(study);
    s.sessions.push_back({study, session.session_dir().string(), session.scans_by_acquisition()});
  }
  s.last_verdict_line = impl_->last_verdict_line;
  s.last_study_uid = impl_->last_study_uid;
  s.last_series_uid = impl_->last_series_uid;
  s.open_series = impl_->assembler.open_series();
  s.queued_series = static_cast<int>(impl_->queue.size());
  s.analysing = impl_->analysing;
  s.instances_received = impl_->received;
  s.instances_refused = impl_->refused;
  return s;
}

const SidecarConfig& SidecarCore::config() const { return impl_->config; }

}  // namespace sij::sidecar
