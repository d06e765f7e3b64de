#include "pipeline/ingest/SliceStack.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "pipeline/ingest/IngestError.h"

namespace sij::ingest {
namespace {

using Vec3 = std::array<double, 3>;

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
Vec3 sub(const double* a, const double* b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
  char buf[200];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

// Every tag the geometry needs is named when absent, so one message says all that is wrong
// (e.g. a Secondary Capture of a CT slice lacks all three). The ingest does not guess a
// pixel spacing or a position: distances in millimetres would be invented.
// Positions beyond a kilometre and pixel spacings above 10 m or below 0.1 um are malformed.
constexpr double kMaxPositionMm = 1e6;
bool plausible_position(const double* p) {
  return std::abs(p[0]) <= kMaxPositionMm && std::abs(p[1]) <= kMaxPositionMm &&
         std::abs(p[2]) <= kMaxPositionMm;
}
bool plausible_spacing(const double* ps) {
  return ps[0] >= 1e-4 && ps[0] <= 1e4 && ps[1] >= 1e-4 && ps[1] <= 1e4;
}

void require_tags(const DicomSliceHeader& s) {
  std::vector<std::string> missing;
  if (!s.has_position || !plausible_position(s.position)) missing.push_back("ImagePositionPatient (0020,0032)");
  if (!s.has_orientation) missing.push_back("ImageOrientationPatient (0020,0037)");
  if (!s.has_spacing || !plausible_spacing(s.pixel_spacing)) missing.push_back("PixelSpacing (0028,0030)");
  if (s.rows <= 0 || s.columns <= 0) missing.push_back("Rows/Columns (0028,0010/0011)");
  if (missing.empty()) return;
  std::string list;
  for (std::size_t i = 0; i < missing.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + missing[i];
  }
  const std::string where = s.functional_groups ? " (nor in its functional groups)" : "";
  throw IngestError(IngestReason::MissingTag,
                    list + (missing.size() == 1 ? " is" : " are") + " missing or malformed in " +
                        s.name() + where +
                        ": the geometry cannot be known (no spacing or position is assumed); "
                        "re-export the series from the console as CT images",
                    s.file);
}

}  // namespace

SliceStack build_slice_stack(const std::vector<DicomSliceHeader>& slices,
                             const IngestOptions& options) {
  const DicomSliceHeader& ref = slices.front();
  for (const auto& s : slices) require_tags(s);

  // Orientation: unit, orthogonal row and column cosines.
  Vec3 row{ref.orientation[0], ref.orientation[1], ref.orientation[2]};
  Vec3 col{ref.orientation[3], ref.orientation[4], ref.orientation[5]};
  if (std::abs(norm(row) - 1) > 1e-3 || std::abs(norm(col) - 1) > 1e-3 ||
      std::abs(dot(row, col)) > 1e-3) {
    throw IngestError(IngestReason::MissingTag,
                      "ImageOrientationPatient (0020,0037) in " + ref.name() +
                          " is not two orthogonal unit vectors: re-export the series",
                      ref.file);
  }
  for (auto& v : row) v /= norm(Vec3{ref.orientation[0], ref.orientation[1], ref.orientation[2]});
  // Gram-Schmidt the column against the row so the direction matrix is orthonormal.
  {
    const double d = dot(row, col);
    for (int i = 0; i < 3; ++i) col[i] -= d * row[i];
    const double n = norm(col);
    for (auto& v : col) v /= n;
  }
  const Vec3 normal = cross(row, col);

  // Consistency with the first slice.
  for (const auto& s : slices) {
    double dmax = 0;
    for (int i = 0; i < 6; ++i) dmax = std::max(dmax, std::abs(s.orientation[i] - ref.orientation[i]));
    std::string what;
    if (dmax > 1e-3) what = "ImageOrientationPatient (0020,0037)";
    else if (s.rows != ref.rows || s.columns != ref.columns) what = "Rows/Columns (0028,0010/0011)";
    else if (std::abs(s.pixel_spacing[0] - ref.pixel_spacing[0]) > 1e-4 * ref.pixel_spacing[0] + 1e-5 ||
             std::abs(s.pixel_spacing[1] - ref.pixel_spacing[1]) > 1e-4 * ref.pixel_spacing[1] + 1e-5)
      what = "PixelSpacing (0028,0030)";
    if (!what.empty()) {
      throw IngestError(IngestReason::MixedGeometry,
                        what + " of " + s.name() + " differs from " + ref.name() +
                            ": the files are not one stack; pick one series or re-export it",
                        s.file);
    }
  }

  // Order along the normal (ties broken by file name, so the result is deterministic).
  const std::size_t n = slices.size();
  std::vector<double> along(n);
  for (std::size_t i = 0; i < n; ++i) {
    along[i] = dot(Vec3{slices[i].position[0], slices[i].position[1], slices[i].position[2]}, normal);
  }
  SliceStack stack;
  stack.order.resize(n);
  std::iota(stack.order.begin(), stack.order.end(), std::size_t{0});
  std::sort(stack.order.begin(), stack.order.end(), [&](std::size_t a, std::size_t b) {
    if (along[a] != along[b]) return along[a] < along[b];
    return slices[a].file < slices[b].file;
  });

  // Duplicates: two files at one position.
  for (std::size_t k = 1; k < n; ++k) {
    const auto& a = slices[stack.order[k - 1]];
    const auto& b = slices[stack.order[k]];
    if (std::abs(along[stack.order[k]] - along[stack.order[k - 1]]) < 0.01) {
      const bool same = a.frame < 0 && !a.sop_instance_uid.empty() && a.sop_instance_uid == b.sop_instance_uid;
      throw IngestError(IngestReason::DuplicateSlices,
                        std::string(same ? "the same SOPInstanceUID (0008,0018) twice: "
                                         : "two slices at one position: ") +
                            a.name() + " and " + b.name() + fmt(" (%.3f mm along the normal)", along[stack.order[k]]) +
                            ": remove one of them (or pick one acquisition) and try again",
                        b.file);
    }
  }

  // Gantry tilt: the step from slice to slice must run along the normal.
  if (n >= 2) {
    const auto& first = slices[stack.order.front()];
    const auto& last = slices[stack.order.back()];
    const Vec3 d = sub(last.position, first.position);
    const double a = dot(d, normal);
    const Vec3 perp{d[0] - a * normal[0], d[1] - a * normal[1], d[2] - a * normal[2]};
    stack.measured_tilt_deg = std::atan2(norm(perp), std::abs(a)) * 180.0 / M_PI;
    const double tan_tol = std::tan(options.tilt_tolerance_deg * M_PI / 180.0);
    bool sheared = stack.measured_tilt_deg > options.tilt_tolerance_deg;
    for (std::size_t k = 1; k < n && !sheared; ++k) {
      const Vec3 s = sub(slices[stack.order[k]].position, slices[stack.order[k - 1]].position);
      const double sa = dot(s, normal);
      const Vec3 sp{s[0] - sa * normal[0], s[1] - sa * normal[1], s[2] - sa * normal[2]};
      if (norm(sp) > tan_tol * std::abs(sa) + 0.02) {
        throw IngestError(IngestReason::MixedGeometry,
                          "slice " + slices[stack.order[k]].name() +
                              fmt(" is shifted %.2f mm sideways from the previous slice", norm(sp)) +
                              ": the positions do not form one stack; re-export the series",
                          slices[stack.order[k]].file);
      }
    }
    if (sheared) {
      std::string stated;
      if (first.gantry_tilt_deg != 0.0) stated = fmt(", GantryDetectorTilt (0018,1120) %.1f deg", first.gantry_tilt_deg);
      throw IngestError(IngestReason::GantryTilt,
                        "gantry tilt: slices of " + first.name() +
                            fmt(" are sheared %.1f deg from the slice normal", stack.measured_tilt_deg) +
                            stated +
                            "; resampling is not supported: rescan with 0 deg tilt or reconstruct "
                            "an orthogonal (axial) series at the console",
                        first.file);
    }
  }

  // Spacing: uniform within tolerance; whole-slice gaps are missing slices.
  double sz = 0;
  if (n >= 2) {
    std::vector<double> gaps(n - 1);
    for (std::size_t k = 1; k < n; ++k) gaps[k - 1] = along[stack.order[k]] - along[stack.order[k - 1]];
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    const double tol = options.spacing_tolerance * median + 0.01;
    std::size_t missing_at = 0;
    for (std::size_t k = 0; k + 1 < n; ++k) {
      const double g = gaps[k];
      if (std::abs(g - median) <= tol) continue;
      const double multiple = std::round(g / median);
      if (multiple >= 2 && std::abs(g - multiple * median) <= tol) {
        if (missing_at == 0) missing_at = k + 1;
        continue;
      }
      double gmin = *std::min_element(gaps.begin(), gaps.end());
      double gmax = *std::max_element(gaps.begin(), gaps.end());
      throw IngestError(IngestReason::NonUniformSpacing,
                        "non-uniform slice spacing: " + slices[stack.order[k]].name() + " to " +
                            slices[stack.order[k + 1]].name() + fmt(" is %.3f mm, the median is %.3f mm", g, median) +
                            fmt(" (range %.3f-%.3f mm)", gmin, gmax) +
                            "; reconstruct the series with a fixed increment at the console",
                        slices[stack.order[k + 1]].file);
    }
    if (missing_at != 0) {
      const std::size_t k = missing_at - 1;
      const int count = static_cast<int>(std::round(gaps[k] / median)) - 1;
      throw IngestError(IngestReason::MissingSlices,
                        std::to_string(count) + " slice(s) missing between " +
                            slices[stack.order[k]].name() + " and " + slices[stack.order[k + 1]].name() +
                            fmt(" (gap %.3f mm, spacing %.3f mm)", gaps[k], median) +
                            ": resend the complete series",
                        slices[stack.order[k + 1]].file);
    }
    sz = (along[stack.order.back()] - along[stack.order.front()]) / static_cast<double>(n - 1);
  } else {
    auto usable = [](double mm) { return mm > 0 && mm <= 1e4; };
    sz = usable(ref.spacing_between_slices_mm) ? ref.spacing_between_slices_mm
         : usable(ref.slice_thickness_mm)      ? ref.slice_thickness_mm
                                               : 1.0;
  }

  stack.grid.nx = ref.columns;
  stack.grid.ny = ref.rows;
  stack.grid.nz = static_cast<std::int32_t>(n);
  stack.grid.sx_mm = static_cast<float>(ref.pixel_spacing[1]);  // between columns
  stack.grid.sy_mm = static_cast<float>(ref.pixel_spacing[0]);  // between rows
  stack.grid.sz_mm = static_cast<float>(sz);
  const auto& origin = slices[stack.order.front()].position;
  for (int r = 0; r < 3; ++r) {
    stack.affine.origin_mm[r] = origin[r];
    stack.affine.direction[r * 3 + 0] = row[r];
    stack.affine.direction[r * 3 + 1] = col[r];
    stack.affine.direction[r * 3 + 2] = normal[r];
  }
  return stack;
}

}  // namespace sij::ingest
