// Overlay 2: a curved reformat along one joint, showing the craniocaudal spread of the gas.
// The joint's mid-surface (from the joint analysis) is flattened: the horizontal axis runs
// along the joint from its posterior opening (axis_anterior), the vertical axis along the
// slice normal with cranial at the top, both in mm at square pixels. The CT is sampled on the
// mid-surface (so the joint space shows as a dark band between bright bone); gas within
// reformat_slab_mm of the surface is projected onto it (injected over pre-existing over
// artifact); the joint-space outline, the tip (when within the slab) and a panel with the
// spread are drawn.
#pragma once

#include <optional>

#include <opencv2/core.hpp>

#include "pipeline/Volume.h"
#include "pipeline/analysis/ScanReport.h"
#include "pipeline/report/OverlayStyle.h"

namespace sij::report {

// The reformat of joint `joint_index` (into report.joints); nullopt when the report has no
// joint analysis or that joint has no voxels.
std::optional<cv::Mat> render_joint_reformat(const analysis::ScanReport& report, const Volume& volume,
                                             std::size_t joint_index, const OverlayOptions& options = {});

}  // namespace sij::report
