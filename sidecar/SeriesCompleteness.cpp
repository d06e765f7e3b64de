#include "sidecar/SeriesCompleteness.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <fmt/format.h>

namespace sij::sidecar {
namespace fs = std::filesystem;
namespace {

constexpr double kGapFactor = 1.5;      // a step this much longer than the median is a gap
constexpr size_t kMaxListedMissing = 20;

struct Placed {
  double along_mm;  // position along the slice normal
  double z_mm;      // patient z, for the message
};

std::vector<Placed> placed_slices(const std::vector<SliceHeader>& slices) {
  std::vector<Placed> out;
  const SliceHeader* reference = nullptr;
  for (const auto& s : slices)
    if (s.has_geometry) {
      reference = &s;
      break;
    }
  if (!reference) return out;
  const auto& o = reference->orientation;
  const std::array<double, 3> normal{o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
  for (const auto& s : slices)
    if (s.has_geometry)
      out.push_back({s.position_mm[0] * normal[0] + s.position_mm[1] * normal[1] + s.position_mm[2] * normal[2],
                     s.position_mm[2]});
  std::sort(out.begin(), out.end(), [](const Placed& a, const Placed& b) { return a.along_mm < b.along_mm; });
  return out;
}

std::vector<SliceGap> position_gaps(const std::vector<SliceHeader>& slices) {
  const std::vector<Placed> placed = placed_slices(slices);
  std::vector<SliceGap> gaps;
  if (placed.size() < 3) return gaps;  // two slices define the spacing; nothing to compare
  std::vector<double> steps;
  for (size_t i = 1; i < placed.size(); ++i) {
    const double step = placed[i].along_mm - placed[i - 1].along_mm;
    if (step > 1e-3) steps.push_back(step);  // a repeated position (same slice twice) is no step
  }
  if (steps.empty()) return gaps;
  std::vector<double> sorted = steps;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double median = sorted[sorted.size() / 2];
  for (size_t i = 1; i < placed.size(); ++i)
    if (placed[i].along_mm - placed[i - 1].along_mm > kGapFactor * median)
      gaps.push_back({placed[i - 1].z_mm, placed[i].z_mm});
  return gaps;
}

std::vector<int> missing_numbers(const std::vector<SliceHeader>& slices) {
  std::set<int> numbers;
  for (const auto& s : slices)
    if (s.instance_number > 0) numbers.insert(s.instance_number);
  std::vector<int> missing;
  if (numbers.size() < 2) return missing;
  for (int n = *numbers.begin(); n < *numbers.rbegin() && missing.size() < kMaxListedMissing; ++n)
    if (!numbers.count(n)) missing.push_back(n);
  return missing;
}

std::string describe_gaps(const std::vector<SliceGap>& gaps) {
  std::string out;
  for (size_t i = 0; i < gaps.size() && i < 3; ++i)
    out += fmt::format("{}gap between z = {:.1f} and {:.1f} mm", i ? ", " : "", gaps[i].from_z_mm, gaps[i].to_z_mm);
  if (gaps.size() > 3) out += fmt::format(" and {} more gap(s)", gaps.size() - 3);
  return out;
}

}  // namespace

Completeness check_completeness(const std::vector<SliceHeader>& slices) {
  Completeness c;
  c.received = static_cast<int>(slices.size());
  for (const auto& s : slices) c.expected = std::max(c.expected, s.images_in_acquisition);
  if (slices.size() == 1 && slices[0].number_of_frames > 1) {
    c.complete = true;  // one Enhanced CT object: the whole volume
    c.summary = fmt::format("complete: 1 multi-frame object, {} frames", slices[0].number_of_frames);
    return c;
  }
  c.gaps = position_gaps(slices);
  c.missing_instance_numbers = missing_numbers(slices);
  std::vector<std::string> reasons;
  if (c.expected > 0 && c.received < c.expected) reasons.push_back(fmt::format("{} announced", c.expected));
  if (!c.gaps.empty()) reasons.push_back(describe_gaps(c.gaps));
  if (c.missing_instance_numbers.size() > 0 && c.gaps.empty())
    reasons.push_back(fmt::format("instance number(s) {} missing", fmt::join(c.missing_instance_numbers, ", ")));
  if (c.received < 2) reasons.push_back("one slice is not a volume");
  c.complete = reasons.empty();
  c.summary = c.complete ? fmt::format("complete: {} slices", c.received)
                         : fmt::format("incomplete: {} slice{} received, {}", c.received, c.received == 1 ? "" : "s",
                                       fmt::join(reasons, "; "));
  return c;
}

std::vector<SliceHeader> read_slice_headers(const fs::path& series_dir) {
  std::vector<SliceHeader> out;
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(series_dir, ec)) {
    if (!file.is_regular_file(ec) || file.path().extension() != ".dcm") continue;
    DcmFileFormat ff;
    if (ff.loadFileUntilTag(file.path().c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                            DCM_PixelData)
            .bad())
      continue;
    DcmDataset& d = *ff.getDataset();
    SliceHeader h;
    Float64 value = 0;
    bool geometry = true;
    for (unsigned long i = 0; i < 3; ++i) {
      geometry = geometry && d.findAndGetFloat64(DCM_ImagePositionPatient, value, i).good();
      h.position_mm[i] = value;
    }
    for (unsigned long i = 0; i < 6; ++i) {
      geometry = geometry && d.findAndGetFloat64(DCM_ImageOrientationPatient, value, i).good();
      h.orientation[i] = value;
    }
    h.has_geometry = geometry;
    Sint32 n = 0;
    if (d.findAndGetSint32(DCM_InstanceNumber, n).good()) h.instance_number = n;
    if (d.findAndGetSint32(DCM_NumberOfFrames, n).good() && n > 1) h.number_of_frames = n;
    if (d.findAndGetSint32(DCM_ImagesInAcquisition, n).good() && n > 0) h.images_in_acquisition = n;
    out.push_back(h);
  }
  return out;
}

}  // namespace sij::sidecar
