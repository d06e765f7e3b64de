// OpenIGTLink (protocol 2, Debian's libopenigtlink 1.11) messages for 3D Slicer's OpenIGTLinkIF,
// built from a scan report. Slicer works in RAS; the report in DICOM LPS: x and y change sign.
//
//   TRANSFORM "NeedleTip_<id>": rotation whose third column (the transform's z axis) is the
//             needle direction (entry to tip) in RAS, translation = the tip in RAS mm
//   POINT     "Needle_<id>":    two points, "tip" and "entry", in RAS mm (group "sijtrack")
//   IMAGE     "GasLabelMap":    the uint8 GasClass mask (0 none, 1 injected, 2 pre-existing,
//             3 artifact); its matrix holds the unit IJK directions in RAS and, as the
//             OpenIGTLink image format defines it, the RAS position of the volume's centre
//             (voxel index (n-1)/2 on each axis), with the spacing separate
//   STRING    "Verdict":        the verdict line ("needle in the right joint ...; gas confirmed ...")
//   STATUS    "NeedleTip_<id>": code NOT_FOUND, for a needle sent before that this scan does not
//             show (withdrawn, or not found): its tip is no longer valid
//   POINT     "Needle_<id>":    with no points, for the same needle: clears its markups
// Every message carries the time it was made (wall clock, seconds since 1970 UTC, the
// OpenIGTLink header's timestamp).
#pragma once

#include <array>
#include <string>
#include <vector>

#include <igtlImageMessage.h>
#include <igtlMessageBase.h>
#include <igtlPointMessage.h>
#include <igtlStatusMessage.h>
#include <igtlStringMessage.h>
#include <igtlTransformMessage.h>

#include "pipeline/analysis/ScanReport.h"

namespace sij::sidecar {

inline constexpr const char* kGasLabelMapDevice = "GasLabelMap";
inline constexpr const char* kVerdictDevice = "Verdict";

std::array<double, 3> lps_to_ras(const double lps[3]);

std::string needle_transform_device(int needle_id);  // "NeedleTip_<id>"
std::string needle_points_device(int needle_id);     // "Needle_<id>"

// Packed messages, ready to send (GetPackPointer / GetPackSize).
igtl::TransformMessage::Pointer make_needle_transform(const needle::NeedleFinding& needle);
igtl::PointMessage::Pointer make_needle_points(const needle::NeedleFinding& needle);
// Null when the report carries no gas mask (empty, or not the size of its grid).
igtl::ImageMessage::Pointer make_gas_label_map(const analysis::ScanReport& report);

igtl::StringMessage::Pointer make_verdict_string(const analysis::ScanReport& report);
// The STATUS and the empty POINT message that withdraw needle `needle_id`.
std::vector<igtl::MessageBase::Pointer> make_needle_withdrawal(int needle_id);

// Seconds since 1970-01-01 UTC now (the timestamp of a scan's messages).
double now_seconds();

// All of a scan's messages in sending order: the verdict STRING, per needle TRANSFORM then
// POINT, the withdrawal of each needle in `withdrawn_ids`, then the IMAGE (when
// include_gas_image and the report has a gas mask); every one stamped `timestamp_s` (seconds
// since 1970 UTC; 0 or less: now).
std::vector<igtl::MessageBase::Pointer> make_scan_messages(const analysis::ScanReport& report,
                                                           bool include_gas_image = true,
                                                           const std::vector<int>& withdrawn_ids = {},
                                                           double timestamp_s = 0.0);

}  // namespace sij::sidecar
