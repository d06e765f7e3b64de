#include "sidecar/SeriesAssembler.h"

#include <algorithm>

namespace sij::sidecar {

std::optional<CompleteSeries> SeriesAssembler::add(const InstanceArrival& arrival, Clock::time_point now) {
  const Key key{arrival.study_uid, arrival.series_uid};
  auto it = open_.find(key);
  if (it == open_.end()) {
    it = open_.emplace(key, Series{}).first;
    // A late instance of a series handed out before: keep counting from what it had.
    auto closed = closed_.find(key);
    if (closed != closed_.end()) {
      it->second.sops = std::move(closed->second);
      closed_.erase(closed);
    }
  }
  Series& series = it->second;
  series.sops.insert(arrival.sop_instance_uid);
  series.last_arrival = now;
  if (arrival.expected_count > 0) series.expected_count = arrival.expected_count;
  if (series.acquisition_key.empty() || (!arrival.acquisition_key.empty() && arrival.acquisition_key < series.acquisition_key))
    series.acquisition_key = arrival.acquisition_key;
  if (series.expected_count > 0 && static_cast<int>(series.sops.size()) >= series.expected_count)
    return close(it, true);
  return std::nullopt;
}

CompleteSeries SeriesAssembler::close(std::map<Key, Series>::iterator it, bool by_count) {
  CompleteSeries done;
  done.study_uid = it->first.first;
  done.series_uid = it->first.second;
  done.instances = static_cast<int>(it->second.sops.size());
  done.expected_count = it->second.expected_count;
  done.acquisition_key = it->second.acquisition_key;
  done.by_count = by_count;
  closed_[it->first] = std::move(it->second.sops);
  open_.erase(it);
  return done;
}

std::vector<CompleteSeries> SeriesAssembler::take_quiet(Clock::time_point now) {
  std::vector<CompleteSeries> due;
  for (auto it = open_.begin(); it != open_.end();) {
    auto next = std::next(it);
    if (now - it->second.last_arrival >= quiet_) due.push_back(close(it, false));
    it = next;
  }
  // Earlier acquisitions first, so a session's scans are analysed in order.
  std::stable_sort(due.begin(), due.end(),
                   [](const CompleteSeries& a, const CompleteSeries& b) { return a.acquisition_key < b.acquisition_key; });
  return due;
}

std::vector<CompleteSeries> SeriesAssembler::take_all() {
  return take_quiet(Clock::time_point::max());
}

}  // namespace sij::sidecar
