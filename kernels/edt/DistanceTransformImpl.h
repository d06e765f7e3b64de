// The one body of the public distance transforms, instantiated by DistanceTransformCPU.cpp
// and DistanceTransformCUDA.cu. All three run the same separable transform in the output
// array itself; they differ only in the encoding and in how the last pass writes.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/core/Grid.h"
#include "kernels/core/Macros.h"
#include "kernels/edt/SeparableDistanceImpl.h"

namespace sij::detail {

struct StoreSqrt {
  float* out;
  SIJ_HD void operator()(std::int64_t i, float squared) const { out[i] = sqrtf(squared); }
};

// Foreground arrives as -(squared distance to background), background as +(squared distance
// to foreground); neither is ever 0.
struct StoreSignedSqrt {
  float* out;
  SIJ_HD void operator()(std::int64_t i, float encoded) const {
    out[i] = encoded < 0.f ? -sqrtf(-encoded) : sqrtf(encoded);
  }
};

template <class Exec>
void distance_to_foreground_sq_impl(const Exec& exec, const std::uint8_t* mask, float* dist_sq,
                                    const Grid& grid) {
  separable_distance(exec, mask, dist_sq, grid, SeparableDistanceOptions{}, StoreFloat{dist_sq});
}

template <class Exec>
void distance_to_foreground_impl(const Exec& exec, const std::uint8_t* mask, float* dist,
                                 const Grid& grid) {
  separable_distance(exec, mask, dist, grid, SeparableDistanceOptions{}, StoreSqrt{dist});
}

template <class Exec>
void signed_distance_impl(const Exec& exec, const std::uint8_t* mask, float* signed_dist,
                          const Grid& grid) {
  SeparableDistanceOptions options;
  options.signed_values = true;
  separable_distance(exec, mask, signed_dist, grid, options, StoreSignedSqrt{signed_dist});
}

}  // namespace sij::detail
