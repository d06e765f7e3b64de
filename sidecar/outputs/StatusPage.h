// The status page for the room (GET / of the HTTP status server), read from two metres:
//   - the verdict as one large colour-coded phrase, element id "verdict" with the class of its
//     state: verdict-in ("IN THE JOINT", green), verdict-border ("AT THE BORDER: ...", amber),
//     verdict-out ("OUTSIDE: move ...", red), verdict-none ("NO NEEDLE" / "NO JOINT FOUND", grey);
//     the gas call below it (class gas-confirmed / gas-partial / gas-not-confirmed / gas-none);
//   - each alert as words in its own red box (class alert), not codes;
//   - a banner (id "banner") while a scan is being received or analysed; the verdict below it
//     is then dimmed (class stale) because it belongs to the scan before;
//   - the axial overlay big, beside the verdict;
//   - the session's timeline: scans numbered from 1, their local acquisition time, series
//     description, needle call, tip-to-joint distance and injected gas.
// Every patient or scanner string is HTML-escaped. The page reloads itself every refresh_s.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sidecar/ScanSink.h"
#include "sidecar/outputs/LatestScan.h"

namespace sij::sidecar {

// One analysed scan as the room reads it (copied in ScanSink::on_scan).
struct PageScan {
  std::string study_uid, series_uid;
  int number = 1;                        // 1-based, in the session
  std::string acquired_local;            // "14:05:12" (acquisition time of day, as the scanner gave it)
  std::string analysed_local;            // when the sidecar saw it, local time "14:05:40"
  std::string series_description;
  std::string needle_call, gas_call;     // verdict::needle_call_name / gas_call_name
  std::string needle_text, gas_text, verdict_line;
  std::vector<std::string> alerts;       // the gas alerts' messages, in words
  std::vector<std::string> warnings;     // input warnings (e.g. not CT)
  std::optional<double> tip_to_joint_mm; // first needle, signed (negative inside)
  bool gas_analysed = false;
  double gas_injected_ml = 0, gas_intra_articular_ml = 0;
};

PageScan page_scan_from(const ScanEvent& event);

// What the sidecar is doing now (from /status: open_series, queued_series, analysing).
struct PageActivity {
  int receiving = 0;
  int queued = 0;
  bool analysing = false;
};

struct RoomPage {
  std::vector<PageScan> timeline;        // the current session's scans, oldest first; last = latest
  std::optional<LatestScan> latest;      // needle and gas numbers of the latest scan
  PageActivity activity;
  std::vector<std::string> pngs;         // PNG names in the latest scan folder, the axial overlay first
  int refresh_s = 5;
  std::string token;                     // appended to the page's own links when the server needs one
};

// The big phrase and its class for a needle call: {"IN THE JOINT", "verdict-in"}, ...
std::pair<std::string, std::string> verdict_phrase(const PageScan& scan);

std::string render_status_page(const RoomPage& page);

// Text made safe for HTML element content and attribute values.
std::string html_escape(const std::string& text);

}  // namespace sij::sidecar
