#include "sidecar/outputs/StatusPage.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "pipeline/verdict/VerdictRules.h"

namespace sij::sidecar {
namespace {

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string local_clock(std::time_t when) {
  std::tm local{};
  localtime_r(&when, &local);
  char text[32];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

// "101502.25" -> "10:15:02"; empty when malformed.
std::string time_of_day(const std::string& dicom_time) {
  if (dicom_time.size() < 6) return {};
  for (int i = 0; i < 6; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(dicom_time[static_cast<std::size_t>(i)]))) return {};
  }
  return dicom_time.substr(0, 2) + ":" + dicom_time.substr(2, 2) + ":" + dicom_time.substr(4, 2);
}

// The words after the first ": " of a needle text ("needle outside the right joint: move ..."),
// the correction.
std::string correction_of(const std::string& needle_text) {
  const auto colon = needle_text.find(": ");
  return colon == std::string::npos ? std::string() : needle_text.substr(colon + 2);
}

std::pair<std::string, std::string> gas_phrase(const PageScan& s) {
  const std::string share = s.gas_injected_ml > 0
                                ? fixed(100.0 * s.gas_intra_articular_ml / s.gas_injected_ml, 0) + " % of " +
                                      fixed(s.gas_injected_ml, 1) + " mL in the joint"
                                : std::string();
  if (s.gas_call == "confirmed") return {"GAS CONFIRMED: " + share, "gas-confirmed"};
  if (s.gas_call == "partial") return {"GAS PARTIAL: " + share, "gas-partial"};
  if (s.gas_call == "not_confirmed") return {"GAS NOT CONFIRMED: " + share, "gas-not-confirmed"};
  return {s.gas_analysed ? "no injected gas" : "gas not analysed", "gas-none"};
}

const char* kStyle =
    "body{font-family:sans-serif;background:#111;color:#eee;margin:0;padding:12px}"
    ".wrap{display:flex;gap:16px}.left{flex:0 0 46%}.right{flex:1}"
    "#verdict{font-size:56px;font-weight:bold;line-height:1.1;padding:12px 16px;border-radius:8px;margin:0 0 10px}"
    ".verdict-in{background:#0a7d2c;color:#fff}.verdict-border{background:#e0a000;color:#000}"
    ".verdict-out{background:#c0141c;color:#fff}.verdict-none{background:#555;color:#fff}"
    ".stale{opacity:.45}"
    "#gas{font-size:30px;font-weight:bold;padding:6px 16px;border-radius:8px;margin:0 0 10px}"
    ".gas-confirmed{color:#3ddc6b}.gas-partial{color:#ffc400}.gas-not-confirmed{color:#ff5b5b}.gas-none{color:#aaa}"
    ".alert{font-size:24px;background:#7a0010;color:#fff;border-left:10px solid #ff3030;padding:6px 10px;margin:6px 0}"
    ".warning{font-size:22px;background:#6b4e00;color:#fff;padding:6px 10px;margin:6px 0}"
    "#banner{font-size:34px;font-weight:bold;background:#1e5aa8;color:#fff;padding:10px 16px;margin:0 0 10px;border-radius:8px}"
    "img.overlay{width:100%;border:1px solid #444}img.small{max-width:32%;margin:4px;border:1px solid #444}"
    "table{border-collapse:collapse;font-size:18px;margin-top:8px}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #333}"
    "tr.latest{background:#222}.muted{color:#999;font-size:15px}h2{font-size:20px;margin:14px 0 4px}";

void timeline_table(std::ostringstream& html, const std::vector<PageScan>& timeline) {
  html << "<h2>This session</h2>\n<table id=\"timeline\"><tr><th>scan</th><th>time</th><th>series</th><th>needle</th>"
       << "<th>tip to joint</th><th>injected gas</th></tr>\n";
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const auto& s = timeline[i];
    const auto [phrase, cls] = verdict_phrase(s);
    html << "<tr" << (i + 1 == timeline.size() ? " class=\"latest\"" : "") << "><td>" << s.number << "</td><td>"
         << html_escape(s.acquired_local.empty() ? s.analysed_local : s.acquired_local) << "</td><td>"
         << html_escape(s.series_description) << "</td><td class=\"" << cls << "-text\">"
         << html_escape(phrase.substr(0, phrase.find(':'))) << "</td><td>"
         << (s.tip_to_joint_mm ? fixed(*s.tip_to_joint_mm, 1) + " mm" : std::string("&ndash;")) << "</td><td>"
         << (s.gas_analysed ? fixed(s.gas_injected_ml, 2) + " mL" : std::string("&ndash;")) << "</td></tr>\n";
  }
  html << "</table>\n";
}

void needle_table(std::ostringstream& html, const LatestScan& s) {
  if (s.needles.empty()) return;
  html << "<h2>Needles</h2>\n<table><tr><th>needle</th><th>side</th><th>tip (LPS mm)</th><th>inserted</th>"
       << "<th>tip to joint</th></tr>\n";
  for (const auto& n : s.needles) {
    html << "<tr><td>" << n.id << "</td><td>" << html_escape(n.side) << "</td><td>" << fixed(n.tip_mm[0], 1) << ", "
         << fixed(n.tip_mm[1], 1) << ", " << fixed(n.tip_mm[2], 1) << " (&plusmn;" << fixed(n.tip_uncertainty_mm, 1)
         << ")</td><td>" << fixed(n.inserted_length_mm, 1) << " mm</td><td>";
    if (n.joint_found) {
      html << (n.tip_in_joint ? "in joint, " : "outside, ") << fixed(n.tip_to_joint_mm, 1) << " mm";
    } else {
      html << "no joint found";
    }
    html << "</td></tr>\n";
  }
  html << "</table>\n";
}

void gas_numbers(std::ostringstream& html, const LatestScan& s) {
  if (!s.gas_analysed) return;
  html << "<p>injected " << fixed(s.gas_injected_ml, 2) << " mL: intra-articular " << fixed(s.gas_intra_articular_ml, 2)
       << " mL, peri-articular " << fixed(s.gas_peri_articular_ml, 2) << " mL, distant " << fixed(s.gas_distant_ml, 2)
       << " mL</p>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

PageScan page_scan_from(const ScanEvent& event) {
  PageScan s;
  s.study_uid = event.study_uid;
  s.series_uid = event.series_uid;
  s.number = event.scan_index + 1;
  s.analysed_local = local_clock(std::time(nullptr));
  if (event.report == nullptr) return s;
  const auto& r = *event.report;
  s.acquired_local = time_of_day(r.source.acquisition_time);
  s.series_description = r.source.series_description;
  s.needle_call = std::string(verdict::needle_call_name(r.verdict.needle));
  s.gas_call = std::string(verdict::gas_call_name(r.verdict.gas));
  s.needle_text = r.verdict.needle_text;
  s.gas_text = r.verdict.gas_text;
  s.verdict_line = r.verdict.line;
  for (const auto& alert : r.gas.alerts) s.alerts.push_back(alert.message);
  s.warnings = r.input_warnings;
  if (!r.needles.empty() && r.needles.front().relation.joint_found) s.tip_to_joint_mm = r.needles.front().relation.tip_to_joint_mm;
  s.gas_analysed = r.gas.analysed;
  s.gas_injected_ml = r.gas.injected_ml;
  s.gas_intra_articular_ml = r.gas.intra_articular_ml;
  return s;
}

std::pair<std::string, std::string> verdict_phrase(const PageScan& s) {
  if (s.needle_call == "in_joint") return {"IN THE JOINT", "verdict-in"};
  if (s.needle_call == "at_posterior_border") {
    const auto how = correction_of(s.needle_text);
    return {"AT THE BORDER" + (how.empty() ? std::string() : ": " + how), "verdict-border"};
  }
  if (s.needle_call == "outside") {
    const auto how = correction_of(s.needle_text);
    return {"OUTSIDE" + (how.empty() ? std::string() : ": " + how), "verdict-out"};
  }
  if (s.needle_call == "no_joint") return {"NO JOINT FOUND", "verdict-none"};
  return {"NO NEEDLE", "verdict-none"};
}

std::string render_status_page(const RoomPage& page) {
  const std::string query = page.token.empty() ? std::string() : "?token=" + html_escape(page.token);
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
       << "<meta http-equiv=\"refresh\" content=\"" << page.refresh_s << "\">"
       << "<title>sijtrack</title><style>" << kStyle << "</style></head><body>\n";
  const auto& a = page.activity;
  const bool busy = a.receiving > 0 || a.analysing || a.queued > 0;
  if (busy) {
    html << "<div id=\"banner\">"
         << (a.receiving > 0 ? "RECEIVING A NEW SCAN" : "ANALYSING A NEW SCAN")
         << (page.timeline.empty() ? "" : " &mdash; the verdict below is the previous scan's") << "</div>\n";
  }
  if (page.timeline.empty()) {
    html << "<h1 id=\"verdict\" class=\"verdict-none\">WAITING FOR THE FIRST SCAN</h1>\n"
         << "<p class=\"muted\">sijtrack: waiting for the first scan &middot; status as JSON: <a href=\"/status" << query
         << "\">/status</a> &middot; page at " << local_clock(std::time(nullptr)) << " local time</p></body></html>\n";
    return html.str();
  }
  const PageScan& s = page.timeline.back();
  const auto [phrase, cls] = verdict_phrase(s);
  const auto [gas_words, gas_cls] = gas_phrase(s);
  html << "<div class=\"wrap\"><div class=\"left\">\n"
       << "<h1 id=\"verdict\" class=\"" << cls << (busy ? " stale" : "") << "\">" << html_escape(phrase) << "</h1>\n"
       << "<div id=\"gas\" class=\"" << gas_cls << (busy ? " stale" : "") << "\">" << html_escape(gas_words) << "</div>\n";
  for (const auto& alert : s.alerts) html << "<div class=\"alert\">" << html_escape(alert) << "</div>\n";
  for (const auto& warning : s.warnings) html << "<div class=\"warning\">" << html_escape(warning) << "</div>\n";
  html << "<p class=\"muted\" id=\"scan\">scan " << s.number << " &middot; " << html_escape(s.series_description)
       << " &middot; acquired " << html_escape(s.acquired_local.empty() ? "?" : s.acquired_local) << ", analysed "
       << html_escape(s.analysed_local) << " (local time)</p>\n"
       << "<p class=\"muted\" id=\"line\">" << html_escape(s.verdict_line) << "</p>\n";
  timeline_table(html, page.timeline);
  if (page.latest) {
    needle_table(html, *page.latest);
    gas_numbers(html, *page.latest);
  }
  html << "</div><div class=\"right\">\n";
  for (std::size_t i = 0; i < page.pngs.size(); ++i) {
    html << "<img class=\"" << (i == 0 ? "overlay" : "small") << "\" src=\"/latest/" << html_escape(page.pngs[i]) << query
         << "\" alt=\"" << html_escape(page.pngs[i]) << "\">\n";
  }
  html << "</div></div>\n<p class=\"muted\">study " << html_escape(s.study_uid) << " &middot; <a href=\"/status" << query
       << "\">/status</a> &middot; <a href=\"/latest.json" << query << "\">/latest.json</a> &middot; <a href=\"/health"
       << query << "\">/health</a> &middot; page at " << local_clock(std::time(nullptr)) << " local time</p>\n</body></html>\n";
  return html.str();
}

}  // namespace sij::sidecar
