#include "sidecar/outputs/IgtlMessages.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

namespace sij::sidecar {
namespace {

// A unit vector perpendicular to `axis` (unit): the cross product with whichever coordinate
// axis is least parallel to it, normalised.
std::array<double, 3> perpendicular(const std::array<double, 3>& axis) {
  const double ax = std::fabs(axis[0]), ay = std::fabs(axis[1]), az = std::fabs(axis[2]);
  std::array<double, 3> other{0, 0, 0};
  if (ax <= ay && ax <= az) other[0] = 1;
  else if (ay <= az) other[1] = 1;
  else other[2] = 1;
  std::array<double, 3> p{axis[1] * other[2] - axis[2] * other[1], axis[2] * other[0] - axis[0] * other[2],
                          axis[0] * other[1] - axis[1] * other[0]};
  const double norm = std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
  for (double& v : p) v /= norm;
  return p;
}

std::array<double, 3> cross(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

}  // namespace

std::array<double, 3> lps_to_ras(const double lps[3]) { return {-lps[0], -lps[1], lps[2]}; }

std::string needle_transform_device(int needle_id) { return "NeedleTip_" + std::to_string(needle_id); }
std::string needle_points_device(int needle_id) { return "Needle_" + std::to_string(needle_id); }

igtl::TransformMessage::Pointer make_needle_transform(const needle::NeedleFinding& needle) {
  // Directions convert like points without the origin: negate x and y.
  std::array<double, 3> z = lps_to_ras(needle.direction);
  const double norm = std::sqrt(z[0] * z[0] + z[1] * z[1] + z[2] * z[2]);
  if (norm > 0) {
    for (double& v : z) v /= norm;
  } else {
    z = {0, 0, 1};  // no direction known: identity rotation
  }
  const auto x = perpendicular(z);
  const auto y = cross(z, x);  // right-handed: x cross y = z
  const auto tip = lps_to_ras(needle.tip_mm);

  igtl::Matrix4x4 m;
  igtl::IdentityMatrix(m);
  for (int r = 0; r < 3; ++r) {
    m[r][0] = static_cast<float>(x[r]);
    m[r][1] = static_cast<float>(y[r]);
    m[r][2] = static_cast<float>(z[r]);
    m[r][3] = static_cast<float>(tip[r]);
  }
  auto msg = igtl::TransformMessage::New();
  msg->SetDeviceName(needle_transform_device(needle.id).c_str());
  msg->SetMatrix(m);
  msg->Pack();
  return msg;
}

igtl::PointMessage::Pointer make_needle_points(const needle::NeedleFinding& needle) {
  auto msg = igtl::PointMessage::New();
  msg->SetDeviceName(needle_points_device(needle.id).c_str());
  const auto add = [&](const char* name, const double lps[3], igtlUint8 r, igtlUint8 g, igtlUint8 b) {
    const auto ras = lps_to_ras(lps);
    auto point = igtl::PointElement::New();
    point->SetName(name);
    point->SetGroupName("sijtrack");
    point->SetRGBA(r, g, b, 255);
    point->SetPosition(static_cast<float>(ras[0]), static_cast<float>(ras[1]), static_cast<float>(ras[2]));
    point->SetRadius(static_cast<float>(std::max(needle.tip_uncertainty_mm, 0.5)));
    point->SetOwner(needle_transform_device(needle.id).c_str());
    msg->AddPointElement(point);
  };
  add("tip", needle.tip_mm, 255, 64, 64);
  add("entry", needle.entry_mm, 64, 160, 255);
  msg->Pack();
  return msg;
}

igtl::ImageMessage::Pointer make_gas_label_map(const analysis::ScanReport& report) {
  const auto& gas = report.gas;
  // The gas stage states its own grid; older reports only the volume's.
  const bool own_grid = gas.grid.voxel_count() > 0 && static_cast<std::int64_t>(gas.mask.size()) == gas.grid.voxel_count();
  const Grid& grid = own_grid ? gas.grid : report.grid;
  const Affine3& affine = own_grid ? gas.affine : report.affine;
  if (gas.mask.empty() || static_cast<std::int64_t>(gas.mask.size()) != grid.voxel_count()) return nullptr;

  double centre_index[3] = {(grid.nx - 1) / 2.0, (grid.ny - 1) / 2.0, (grid.nz - 1) / 2.0};
  double centre_lps[3];
  affine.index_to_physical(grid, centre_index, centre_lps);
  const auto centre = lps_to_ras(centre_lps);
  igtl::Matrix4x4 m;
  igtl::IdentityMatrix(m);
  for (int c = 0; c < 3; ++c) {
    const double column_lps[3] = {affine.direction[0 * 3 + c], affine.direction[1 * 3 + c], affine.direction[2 * 3 + c]};
    const auto column = lps_to_ras(column_lps);
    for (int r = 0; r < 3; ++r) m[r][c] = static_cast<float>(column[r]);
  }
  for (int r = 0; r < 3; ++r) m[r][3] = static_cast<float>(centre[r]);

  auto msg = igtl::ImageMessage::New();
  msg->SetDeviceName(kGasLabelMapDevice);
  msg->SetDimensions(grid.nx, grid.ny, grid.nz);
  msg->SetSpacing(grid.sx_mm, grid.sy_mm, grid.sz_mm);
  msg->SetScalarTypeToUint8();
  msg->SetCoordinateSystem(igtl::ImageMessage::COORDINATE_RAS);
  msg->SetEndian(igtl::ImageMessage::ENDIAN_LITTLE);
  msg->SetMatrix(m);
  msg->AllocateScalars();
  std::memcpy(msg->GetScalarPointer(), gas.mask.data(), gas.mask.size());
  msg->Pack();
  return msg;
}

igtl::StringMessage::Pointer make_verdict_string(const analysis::ScanReport& report) {
  auto msg = igtl::StringMessage::New();
  msg->SetDeviceName(kVerdictDevice);
  msg->SetString(report.verdict.line.empty() ? "no verdict" : report.verdict.line.c_str());
  msg->Pack();
  return msg;
}

std::vector<igtl::MessageBase::Pointer> make_needle_withdrawal(int needle_id) {
  auto status = igtl::StatusMessage::New();
  status->SetDeviceName(needle_transform_device(needle_id).c_str());
  status->SetCode(igtl::StatusMessage::STATUS_NOT_FOUND);
  status->SetErrorName("withdrawn");
  status->SetStatusString("no needle in this scan: the tip sent before is no longer valid");
  status->Pack();
  auto points = igtl::PointMessage::New();  // no elements: the markups are cleared
  points->SetDeviceName(needle_points_device(needle_id).c_str());
  points->Pack();
  return {igtl::MessageBase::Pointer(status.GetPointer()), igtl::MessageBase::Pointer(points.GetPointer())};
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<igtl::MessageBase::Pointer> make_scan_messages(const analysis::ScanReport& report, bool include_gas_image,
                                                           const std::vector<int>& withdrawn_ids, double timestamp_s) {
  std::vector<igtl::MessageBase::Pointer> messages;
  messages.push_back(igtl::MessageBase::Pointer(make_verdict_string(report).GetPointer()));
  for (const auto& entry : report.needles) {
    messages.push_back(igtl::MessageBase::Pointer(make_needle_transform(entry.needle).GetPointer()));
    messages.push_back(igtl::MessageBase::Pointer(make_needle_points(entry.needle).GetPointer()));
  }
  for (const int id : withdrawn_ids) {
    for (auto& m : make_needle_withdrawal(id)) messages.push_back(m);
  }
  if (include_gas_image) {
    if (auto image = make_gas_label_map(report)) messages.push_back(igtl::MessageBase::Pointer(image.GetPointer()));
  }
  // The header's timestamp, then packed again (Pack writes the header with it).
  auto stamp = igtl::TimeStamp::New();
  stamp->SetTime(timestamp_s > 0 ? timestamp_s : now_seconds());
  for (auto& m : messages) {
    m->SetTimeStamp(stamp);
    m->Pack();
  }
  return messages;
}

}  // namespace sij::sidecar
