// The order of `--previous` scans (pipeline/analysis/ScanOrder): sorted by acquisition date and
// time whatever order they were given in; the scan itself, a later or simultaneous scan, another
// study and a duplicate refused; untimed files kept in the order given with a warning.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipeline/analysis/ScanOrder.h"

namespace {

using sij::VolumeMetadata;
using sij::analysis::order_previous_scans;
using sij::analysis::ScanOrderError;

VolumeMetadata scan(const std::string& series, const std::string& date, const std::string& time,
                    const std::string& study = "1.2.3") {
  VolumeMetadata m;
  m.source_path = "/scans/" + series;
  m.series_uid = "1.2.3." + series;
  m.study_uid = study;
  m.acquisition_date = date;
  m.acquisition_time = time;
  return m;
}

std::string refusal(const VolumeMetadata& now, const std::vector<VolumeMetadata>& previous) {
  try {
    order_previous_scans(now, previous);
  } catch (const ScanOrderError& e) {
    return e.what();
  }
  return "";
}

TEST(ScanOrder, ParsesDateAndTime) {
  EXPECT_DOUBLE_EQ(*sij::analysis::acquisition_seconds(scan("1", "19700102", "000001.5")), 86401.5);
  EXPECT_DOUBLE_EQ(*sij::analysis::acquisition_seconds(scan("1", "", "10:15:02")), 36902.0);
  EXPECT_FALSE(sij::analysis::acquisition_seconds(scan("1", "20261203", "")).has_value());
  EXPECT_FALSE(sij::analysis::acquisition_seconds(scan("1", "20261203", "25xx00")).has_value());
  EXPECT_EQ(sij::analysis::acquisition_label(scan("1", "20261203", "101502.25")), "2026-12-03 10:15:02");
}

TEST(ScanOrder, SortsByAcquisitionTimeNotByArgumentOrder) {
  const auto now = scan("4", "20261203", "103000");
  const std::vector<VolumeMetadata> given = {scan("3", "20261203", "102000"), scan("1", "20261203", "100000"),
                                             scan("2", "20261203", "101000.5")};
  const auto order = order_previous_scans(now, given);
  EXPECT_EQ(order.oldest_first, (std::vector<std::size_t>{1, 2, 0}));
  EXPECT_TRUE(order.warnings.empty());
}

TEST(ScanOrder, DateBreaksTiesOfTimeOfDay) {
  // 23:59 the day before comes before 00:01: the date counts, not only the time of day.
  const auto now = scan("3", "20261204", "000500");
  const auto order = order_previous_scans(now, {scan("2", "20261204", "000100"), scan("1", "20261203", "235900")});
  EXPECT_EQ(order.oldest_first, (std::vector<std::size_t>{1, 0}));
}

TEST(ScanOrder, RefusesTheScanItself) {
  const auto now = scan("4", "20261203", "103000");
  const auto message = refusal(now, {scan("1", "20261203", "100000"), now});
  EXPECT_NE(message.find("is the scan being analysed itself"), std::string::npos) << message;
  EXPECT_NE(message.find("/scans/4"), std::string::npos) << message;
  // The same folder, even when the metadata do not say so (no UIDs in a NIfTI file).
  VolumeMetadata file_now, file_again;
  file_now.source_path = file_again.source_path = "/tmp";
  EXPECT_NE(refusal(file_now, {file_again}).find("itself"), std::string::npos);
}

TEST(ScanOrder, RefusesALaterOrSimultaneousScan) {
  const auto now = scan("2", "20261203", "101000");
  auto message = refusal(now, {scan("1", "20261203", "100000"), scan("3", "20261203", "102000")});
  EXPECT_NE(message.find("/scans/3 was acquired at 2026-12-03 10:20:00, after the scan being analysed "
                         "(2026-12-03 10:10:00)"),
            std::string::npos)
      << message;
  message = refusal(now, {scan("3", "20261203", "101000")});
  EXPECT_NE(message.find("the same time as"), std::string::npos) << message;
}

TEST(ScanOrder, RefusesAnotherStudy) {
  const auto now = scan("2", "20261203", "101000");
  const auto message = refusal(now, {scan("1", "20261203", "100000", "9.9.9")});
  EXPECT_NE(message.find("belongs to another study (StudyInstanceUID 9.9.9, the scan's is 1.2.3)"), std::string::npos)
      << message;
}

TEST(ScanOrder, RefusesTheSameSeriesTwice) {
  const auto now = scan("3", "20261203", "103000");
  const auto message = refusal(now, {scan("1", "20261203", "100000"), scan("1", "20261203", "100000")});
  EXPECT_NE(message.find("the same scan twice"), std::string::npos) << message;
}

TEST(ScanOrder, UntimedFilesKeepTheGivenOrderWithAWarning) {
  VolumeMetadata now, a, b;
  now.source_path = "/n.nii";
  a.source_path = "/a.nii";
  b.source_path = "/b.nii";
  const auto order = order_previous_scans(now, {b, a});
  EXPECT_EQ(order.oldest_first, (std::vector<std::size_t>{0, 1}));
  ASSERT_EQ(order.warnings.size(), 1u);
  EXPECT_NE(order.warnings[0].find("in the order given"), std::string::npos);
  EXPECT_NE(order.warnings[0].find("/n.nii"), std::string::npos);
}

}  // namespace
