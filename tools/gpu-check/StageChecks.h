// The pipeline stages that take a backend (needle, joint) and the whole analyze_scan (with the
// gas stage and the verdict) on the CPU and on a device backend. Reports are compared field by
// field: strings and counts identical, numbers within 1e-6 relative (CUDA's fused
// multiply-adds) or identical on the emulated device.
#pragma once

#include <vector>

#include "kernels/core/Backend.h"
#include "pipeline/Volume.h"
#include "tools/gpu-check/CheckResult.h"

namespace sij::gpucheck {

std::vector<CheckResult> check_stages(const Volume& volume, Backend device, int repeat);

}  // namespace sij::gpucheck
