#include "sidecar/replay/ReplayTable.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace sij::sidecar {
namespace {

std::string fixed(double v, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

std::string in_joint_text(const ReplayedScan& s) {
  if (!s.score || !s.score->in_joint_correct) return "-";
  return *s.score->in_joint_correct ? "right" : "WRONG";
}

std::string tip_text(const ReplayedScan& s) {
  if (!s.score) return "-";
  if (!s.score->needle_expected) return s.score->needles_reported == 0 ? "(none, right)" : "FALSE NEEDLE";
  if (!s.score->needle_matched) return "NOT FOUND";
  return fixed(s.score->tip_error_mm, 2);
}

// Injected gas: reported minus true mL, on scans after the injection.
std::string gas_error_text(const ReplayedScan& s) {
  if (!s.score || !s.score->gas_analysed || !s.score->gas_injected_truth) return "-";
  return fixed(s.score->gas_injected_error_ml, 2);
}

std::string dice_text(const ReplayedScan& s) {
  if (!s.score || !s.score->gas_dice) return "-";
  return fixed(*s.score->gas_dice, 2);
}

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string replay_table(const ReplayResult& result) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-24s %4s %-16s %7s %10s %8s %8s %8s %10s %5s %9s  %s\n", "session", "scan",
                "kind", "needles", "tip err mm", "lateral", "depth", "in-joint", "gas err mL", "Dice", "ms", "verdict");
  out << line;
  std::vector<double> tips, ms, gas_errors, dices;
  int needle_scans = 0, matched = 0, in_joint_answers = 0, in_joint_right = 0, scored = 0;
  for (const auto& s : result.scans) {
    const bool matched_needle = s.score && s.score->needle_matched;
    std::snprintf(line, sizeof line, "%-24.24s %4d %-16.16s %7d %10s %8s %8s %8s %10s %5s %9.0f  %s\n",
                  s.session.c_str(), s.scan_index, s.kind.c_str(), s.needles_reported, tip_text(s).c_str(),
                  matched_needle ? fixed(s.score->tip_lateral_error_mm, 2).c_str() : "-",
                  matched_needle ? fixed(s.score->tip_depth_error_mm, 2).c_str() : "-", in_joint_text(s).c_str(),
                  gas_error_text(s).c_str(), dice_text(s).c_str(), s.analysis_ms, s.verdict_line.c_str());
    out << line;
    ms.push_back(s.analysis_ms);
    if (!s.score) continue;
    ++scored;
    if (s.score->needle_expected) {
      ++needle_scans;
      if (s.score->needle_matched) {
        ++matched;
        tips.push_back(s.score->tip_error_mm);
      }
    }
    if (s.score->gas_analysed && s.score->gas_injected_truth) gas_errors.push_back(std::fabs(s.score->gas_injected_error_ml));
    if (s.score->gas_dice) dices.push_back(*s.score->gas_dice);
    if (s.score->in_joint_correct) {
      ++in_joint_answers;
      in_joint_right += *s.score->in_joint_correct ? 1 : 0;
    }
  }
  out << "\n" << result.scans.size() << " scan(s) analysed, " << scored << " scored against ground truth; "
      << result.files_fed << " file(s) fed, " << result.files_refused << " refused; " << fixed(result.wall_s, 1)
      << " s\n";
  if (needle_scans > 0) {
    out << "needle found " << matched << "/" << needle_scans << "; tip error median "
        << fixed(median(tips), 2) << " mm, max "
        << (tips.empty() ? std::string("-") : fixed(*std::max_element(tips.begin(), tips.end()), 2))
        << " mm; in/out of joint correct " << in_joint_right << "/" << in_joint_answers << "\n";
  }
  if (!gas_errors.empty()) {
    out << "injected gas: |volume error| median " << fixed(median(gas_errors), 2) << " mL over " << gas_errors.size()
        << " scan(s)";
    if (!dices.empty()) out << ", Dice median " << fixed(median(dices), 2);
    out << "\n";
  }
  if (!ms.empty()) out << "analysis time median " << fixed(median(ms), 0) << " ms\n";
  return out.str();
}

void write_replay_csv(const ReplayResult& result, const std::filesystem::path& path) {
  std::ofstream csv(path);
  if (!csv) throw ReplayError("cannot write " + path.string());
  csv << "session,scan_index,kind,series_uid,needles_reported,needle_expected,needle_matched,tip_error_mm,"
         "tip_lateral_error_mm,tip_depth_error_mm,direction_error_deg,side_correct,in_joint_correct,"
         "tip_to_joint_error_mm,gas_injected_truth_ml,gas_injected_ml,gas_injected_error_ml,gas_intra_error_ml,gas_dice,"
         "analysis_ms,verdict,scan_dir\n";
  for (const auto& s : result.scans) {
    csv << csv_field(s.session) << ',' << s.scan_index << ',' << csv_field(s.kind) << ',' << s.series_uid << ','
        << s.needles_reported << ',';
    if (s.score) {
      const auto& c = *s.score;
      csv << c.needle_expected << ',' << c.needle_matched << ',';
      if (c.needle_matched) {
        csv << c.tip_error_mm << ',' << c.tip_lateral_error_mm << ',' << c.tip_depth_error_mm << ','
            << c.direction_error_deg << ',' << c.side_correct << ',';
      } else {
        csv << ",,,,,";
      }
      csv << (c.in_joint_correct ? std::to_string(*c.in_joint_correct) : "") << ','
          << (c.tip_to_joint_error_mm ? fixed(*c.tip_to_joint_error_mm, 3) : "") << ',';
      if (c.gas_analysed) {
        csv << c.gas_injected_truth_ml << ',' << c.gas_injected_ml << ',' << c.gas_injected_error_ml << ','
            << c.gas_intra_error_ml << ',';
      } else {
        csv << ",,,,";
      }
      csv << (c.gas_dice ? fixed(*c.gas_dice, 4) : "") << ',';
    } else {
      csv << ",,,,,,,,,,,,,,";
    }
    csv << s.analysis_ms << ',' << csv_field(s.verdict_line) << ',' << csv_field(s.scan_dir) << '\n';
  }
  if (!csv) throw ReplayError("cannot write " + path.string() + " (disk full?)");
}

}  // namespace sij::sidecar
