// Every kernel of kernels/ on the CPU and on a device backend, on one volume: masks and
// labels must be identical, floats within a stated tolerance (CUDA contracts multiply-adds;
// the emulated device must match exactly).
#pragma once

#include <vector>

#include "datasets/SmokeVolume.h"
#include "kernels/core/Backend.h"
#include "tools/gpu-check/CheckResult.h"

namespace sij::gpucheck {

std::vector<CheckResult> check_kernels(const datasets::SmokeVolume& volume, Backend device,
                                       int repeat);

}  // namespace sij::gpucheck
