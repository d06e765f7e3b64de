// Decides when a series being received is complete: when its expected instance count has
// arrived (when the sender says it: Images in Acquisition, or one multi-frame Enhanced CT
// object), or after a quiet period with no new instance. Instances may come in any order and
// several series (from two consoles) interleave. Not thread-safe: SidecarCore guards it.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sij::sidecar {

struct InstanceArrival {
  std::string study_uid, series_uid, sop_instance_uid;
  int expected_count = 0;          // 0: unknown
  std::string acquisition_key;     // sortable acquisition date+time (orders scans in a session)
};

struct CompleteSeries {
  std::string study_uid, series_uid;
  int instances = 0;
  int expected_count = 0;          // 0: unknown
  std::string acquisition_key;
  bool by_count = false;           // complete because the expected count arrived (else quiet/flush)
};

class SeriesAssembler {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SeriesAssembler(std::chrono::milliseconds quiet_period) : quiet_(quiet_period) {}

  // Records one instance (a repeated SOP Instance UID counts once). Returns the series when
  // this instance completed it by count. An instance for a series that was already handed out
  // reopens it (it will complete again, with every instance so far).
  std::optional<CompleteSeries> add(const InstanceArrival& arrival, Clock::time_point now);

  // Series whose last instance arrived at least the quiet period before `now`.
  std::vector<CompleteSeries> take_quiet(Clock::time_point now);
  // Every open series, complete or not (flush, shutdown).
  std::vector<CompleteSeries> take_all();

  int open_series() const { return static_cast<int>(open_.size()); }

 private:
  using Key = std::pair<std::string, std::string>;  // study, series
  struct Series {
    std::set<std::string> sops;
    int expected_count = 0;
    std::string acquisition_key;
    Clock::time_point last_arrival;
  };
  CompleteSeries close(std::map<Key, Series>::iterator it, bool by_count);

  std::chrono::milliseconds quiet_;
  std::map<Key, Series> open_;
  std::map<Key, std::set<std::string>> closed_;  // instances of series already handed out
};

}  // namespace sij::sidecar
