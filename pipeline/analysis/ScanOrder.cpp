#include "pipeline/analysis/ScanOrder.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>

namespace sij::analysis {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Seconds since midnight from "HHMMSS.frac", "HHMM", "HH" or "HH:MM:SS.frac".
std::optional<double> time_of_day_seconds(std::string t) {
  t.erase(std::remove(t.begin(), t.end(), ':'), t.end());
  while (!t.empty() && t.back() == ' ') t.pop_back();
  const std::string whole = t.substr(0, t.find('.'));
  if (!all_digits(whole) || whole.size() < 2 || whole.size() > 6 || whole.size() % 2 != 0) return std::nullopt;
  const int hh = std::stoi(whole.substr(0, 2));
  const int mm = whole.size() >= 4 ? std::stoi(whole.substr(2, 2)) : 0;
  const int ss = whole.size() >= 6 ? std::stoi(whole.substr(4, 2)) : 0;
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  double frac = 0.0;
  if (const auto dot = t.find('.'); dot != std::string::npos) {
    const std::string digits = t.substr(dot + 1);
    if (!digits.empty() && !all_digits(digits)) return std::nullopt;
    if (!digits.empty()) frac = std::strtod(("0." + digits).c_str(), nullptr);
  }
  return hh * 3600.0 + mm * 60.0 + ss + frac;
}

std::optional<long> date_days(const std::string& d) {
  if (d.size() != 8 || !all_digits(d)) return std::nullopt;
  const int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(4, 2)), day = std::stoi(d.substr(6, 2));
  if (m < 1 || m > 12 || day < 1 || day > 31) return std::nullopt;
  return days_from_civil(y, m, day);
}

bool same_path(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec)) return true;
  return std::filesystem::weakly_canonical(a, ec) == std::filesystem::weakly_canonical(b, ec) && !ec;
}

std::string name_of(const VolumeMetadata& meta) { return meta.source_path.empty() ? "(unnamed scan)" : meta.source_path; }

void refuse_itself_or_other_study(const VolumeMetadata& scan, const VolumeMetadata& earlier) {
  const bool same_series = !scan.series_uid.empty() && scan.series_uid == earlier.series_uid;
  if (same_series || same_path(scan.source_path, earlier.source_path)) {
    throw ScanOrderError("--previous " + name_of(earlier) + " is the scan being analysed itself" +
                         (same_series ? " (same SeriesInstanceUID " + scan.series_uid + ")" : "") +
                         ": give only earlier scans of the procedure");
  }
  if (!scan.study_uid.empty() && !earlier.study_uid.empty() && scan.study_uid != earlier.study_uid) {
    throw ScanOrderError("--previous " + name_of(earlier) + " belongs to another study (StudyInstanceUID " +
                         earlier.study_uid + ", the scan's is " + scan.study_uid +
                         "): previous scans must come from the same procedure");
  }
}

void refuse_duplicates(const std::vector<VolumeMetadata>& previous) {
  for (std::size_t i = 0; i < previous.size(); ++i) {
    for (std::size_t j = i + 1; j < previous.size(); ++j) {
      const bool same_series = !previous[i].series_uid.empty() && previous[i].series_uid == previous[j].series_uid;
      if (same_series || same_path(previous[i].source_path, previous[j].source_path)) {
        throw ScanOrderError("--previous names the same scan twice (" + name_of(previous[i]) + " and " +
                             name_of(previous[j]) + "): give each earlier scan once");
      }
    }
  }
}

}  // namespace

std::optional<double> acquisition_seconds(const VolumeMetadata& meta) {
  const auto tod = time_of_day_seconds(meta.acquisition_time);
  if (!tod) return std::nullopt;
  if (meta.acquisition_date.empty()) return *tod;
  const auto days = date_days(meta.acquisition_date);
  if (!days) return std::nullopt;
  return static_cast<double>(*days) * 86400.0 + *tod;
}

std::string acquisition_label(const VolumeMetadata& meta) {
  const auto tod = time_of_day_seconds(meta.acquisition_time);
  if (!tod) return "no acquisition time";
  const int s = static_cast<int>(*tod);
  char buf[48];
  const std::string& d = meta.acquisition_date;
  if (d.size() == 8) {
    std::snprintf(buf, sizeof buf, "%s-%s-%s %02d:%02d:%02d", d.substr(0, 4).c_str(), d.substr(4, 2).c_str(),
                  d.substr(6, 2).c_str(), s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
  return buf;
}

PreviousOrder order_previous_scans(const VolumeMetadata& scan, const std::vector<VolumeMetadata>& previous) {
  for (const auto& earlier : previous) refuse_itself_or_other_study(scan, earlier);
  refuse_duplicates(previous);

  PreviousOrder order;
  order.oldest_first.resize(previous.size());
  std::iota(order.oldest_first.begin(), order.oldest_first.end(), std::size_t{0});
  if (previous.empty()) return order;

  // A date on some and not on others would compare days with times of day: treat as untimed.
  const bool scan_dated = !scan.acquisition_date.empty();
  const auto comparable = [&](const VolumeMetadata& m) {
    return acquisition_seconds(m).has_value() && !m.acquisition_date.empty() == scan_dated;
  };
  const auto scan_time = acquisition_seconds(scan);
  bool all_timed = scan_time.has_value();
  for (const auto& earlier : previous) all_timed = all_timed && comparable(earlier);
  if (!all_timed) {
    std::string untimed = scan_time ? "" : name_of(scan);
    for (const auto& earlier : previous) {
      if (!comparable(earlier)) untimed += (untimed.empty() ? "" : ", ") + name_of(earlier);
    }
    order.warnings.push_back("cannot check the order of the scans (" + untimed +
                             " carries no comparable acquisition time): they are compared in the order given");
    return order;
  }
  for (const auto& earlier : previous) {
    const double t = *acquisition_seconds(earlier);
    if (t >= *scan_time) {
      throw ScanOrderError("--previous " + name_of(earlier) + " was acquired at " + acquisition_label(earlier) +
                           (t == *scan_time ? ", the same time as" : ", after") + " the scan being analysed (" +
                           acquisition_label(scan) + "): give only scans acquired before it");
    }
  }
  std::stable_sort(order.oldest_first.begin(), order.oldest_first.end(), [&](std::size_t a, std::size_t b) {
    return *acquisition_seconds(previous[a]) < *acquisition_seconds(previous[b]);
  });
  return order;
}

}  // namespace sij::analysis
