// The one body of ball morphology, instantiated by MorphologyCPU.cpp and MorphologyCUDA.cu.
//
// A ball of radius r (plus kBallToleranceMm) around voxel p reaches a foreground voxel
// exactly when the squared distance from p to the foreground is <= (r + tol)^2, so
//   dilate(in) = [squared distance to foreground     <= (r + tol)^2]
//   erode(in)  = [squared distance to background     >  (r + tol)^2]
// with both distances taken over voxels inside the volume only: the outside neither dilates
// into the volume nor erodes it. The separable transform is cut off at (r + tol)^2, so
// anything farther is +infinity and never enters a parabola envelope: on sparse masks most
// columns then hold no site at all.
#pragma once

#include <cstdint>

#include "kernels/core/Buffer.h"
#include "kernels/core/Grid.h"
#include "kernels/core/Macros.h"
#include "kernels/edt/SeparableDistanceImpl.h"
#include "kernels/morphology/BallOp.h"
#include "kernels/morphology/Morphology.h"

namespace sij::detail {

struct StoreAtMost {
  std::uint8_t* out;
  float limit;
  SIJ_HD void operator()(std::int64_t i, float value) const { out[i] = value <= limit ? 1 : 0; }
};

struct StoreAbove {
  std::uint8_t* out;
  float limit;
  SIJ_HD void operator()(std::int64_t i, float value) const { out[i] = value > limit ? 1 : 0; }
};

// Squared reach of the ball, rounded once to the float the distances are stored in.
inline float ball_reach_sq_mm2(float radius_mm) {
  const double reach = static_cast<double>(radius_mm) + static_cast<double>(kBallToleranceMm);
  return static_cast<float>(reach * reach);
}

// One dilation or erosion; `work` is a grid-sized float array on the exec's backend.
template <class Exec>
void ball_step(const Exec& exec, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
               float reach_sq, bool dilate, float* work) {
  SeparableDistanceOptions options;
  options.target_is_zero = !dilate;  // erosion measures the distance to the background
  options.cutoff_mm2 = reach_sq;
  if (dilate) {
    separable_distance(exec, in, work, grid, options, StoreAtMost{out, reach_sq});
  } else {
    separable_distance(exec, in, work, grid, options, StoreAbove{out, reach_sq});
  }
}

template <class Exec>
void ball_morphology_impl(const Exec& exec, const std::uint8_t* in, std::uint8_t* out,
                          const Grid& grid, float radius_mm, BallOp op) {
  const std::int64_t n = grid.voxel_count();
  if (n == 0) return;
  const float reach_sq = ball_reach_sq_mm2(radius_mm);
  Buffer<float> work(Exec::backend, static_cast<std::size_t>(n));
  switch (op) {
    case BallOp::Dilate:
      ball_step(exec, in, out, grid, reach_sq, true, work.data());
      return;
    case BallOp::Erode:
      ball_step(exec, in, out, grid, reach_sq, false, work.data());
      return;
    case BallOp::Open:
    case BallOp::Close: {
      const bool dilate_first = op == BallOp::Close;
      Buffer<std::uint8_t> middle(Exec::backend, static_cast<std::size_t>(n));
      ball_step(exec, in, middle.data(), grid, reach_sq, dilate_first, work.data());
      ball_step(exec, middle.data(), out, grid, reach_sq, !dilate_first, work.data());
      return;
    }
  }
}

}  // namespace sij::detail
