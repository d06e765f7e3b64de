#include "sidecar/outputs/StatusPage.h"

#include <cstdio>
#include <sstream>

namespace sij::sidecar {
namespace {

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
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

std::string render_status_page(const std::optional<LatestScan>& latest, const std::vector<std::string>& pngs,
                               int refresh_s) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
       << "<meta http-equiv=\"refresh\" content=\"" << refresh_s << "\">"
       << "<title>sijtrack</title><style>body{font-family:sans-serif;background:#111;color:#eee;margin:1em}"
       << "h1{font-size:1.6em}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}"
       << "img{max-width:48%;margin:4px;border:1px solid #444}.muted{color:#999}</style></head><body>\n";
  if (!latest) {
    html << "<h1>sijtrack: waiting for the first scan</h1>\n"
         << "<p class=\"muted\">Status as JSON: <a href=\"/status\">/status</a></p></body></html>\n";
    return html.str();
  }
  const auto& s = *latest;
  html << "<h1 id=\"verdict\">" << html_escape(s.verdict_line.empty() ? "(no verdict)" : s.verdict_line)
       << "</h1>\n<p class=\"muted\">scan " << s.scan_index << " of study " << html_escape(s.study_uid)
       << ", analysed in " << fixed(s.analysis_ms, 0) << " ms, received " << html_escape(s.received_utc)
       << "</p>\n";
  html << "<h2>Needles</h2>\n";
  if (s.needles.empty()) {
    html << "<p>no needle</p>\n";
  } else {
    html << "<table><tr><th>needle</th><th>side</th><th>tip (LPS mm)</th><th>inserted</th>"
         << "<th>tip to joint</th></tr>\n";
    for (const auto& n : s.needles) {
      html << "<tr><td>" << n.id << "</td><td>" << html_escape(n.side) << "</td><td>" << fixed(n.tip_mm[0], 1)
           << ", " << fixed(n.tip_mm[1], 1) << ", " << fixed(n.tip_mm[2], 1) << " (&plusmn;"
           << fixed(n.tip_uncertainty_mm, 1) << ")</td><td>" << fixed(n.inserted_length_mm, 1) << " mm</td><td>";
      if (n.joint_found) {
        html << (n.tip_in_joint ? "in joint, " : "outside, ") << fixed(n.tip_to_joint_mm, 1) << " mm";
      } else {
        html << "no joint found";
      }
      html << "</td></tr>\n";
    }
    html << "</table>\n";
  }
  html << "<h2>Gas</h2>\n";
  if (s.gas_analysed) {
    html << "<p>injected " << fixed(s.gas_injected_ml, 2) << " mL: intra-articular "
         << fixed(s.gas_intra_articular_ml, 2) << " mL, peri-articular " << fixed(s.gas_peri_articular_ml, 2)
         << " mL, distant " << fixed(s.gas_distant_ml, 2) << " mL</p>\n";
  } else {
    html << "<p>not analysed</p>\n";
  }
  for (const auto& name : pngs) {
    html << "<img src=\"/latest/" << html_escape(name) << "\" alt=\"" << html_escape(name) << "\">\n";
  }
  html << "<p class=\"muted\"><a href=\"/status\">/status</a> &middot; <a href=\"/latest.json\">/latest.json</a>"
       << " &middot; <a href=\"/health\">/health</a></p>\n</body></html>\n";
  return html.str();
}

}  // namespace sij::sidecar
