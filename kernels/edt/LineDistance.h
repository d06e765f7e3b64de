// The two one-dimensional steps of the separable exact distance transform, as plain SIJ_HD
// functions on one line of voxels, so the CPU loop and the CUDA kernel run the same code.
//
// One float per voxel carries both the voxel's class and its partial squared distance (mm^2)
// to the nearest voxel of the other class, over the axes processed so far:
//   value <= 0  a "target", what distances are measured to (the foreground, or for erosion
//               the background);
//   value >  0  a query: squared distance to the nearest target (+infinity when none is
//               known yet, or when it exceeds the cutoff).
// The signed transform keeps both distances in the same float: foreground voxels store
// -(squared distance to the background), background voxels +(squared distance to the
// foreground). No voxel holds exactly 0 except a target of the unsigned transform, so the
// class survives every pass and no separate mask is read after the first.
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/core/Macros.h"

namespace sij::detail {

inline constexpr float kInfinity = std::numeric_limits<float>::infinity();
inline constexpr double kMinusInfinityD = -std::numeric_limits<double>::infinity();
// "No cutoff": every finite squared distance lies below it, +infinity does not.
inline constexpr float kNoCutoff = std::numeric_limits<float>::max();

// Squared distance (mm^2) for a 1D distance of `d` voxels, `d` >= line length meaning none:
// one rounding from an exact double; +infinity above the cutoff.
SIJ_HD inline float row_squared(std::int32_t d, std::int32_t n, double weight, float cutoff) {
  if (d >= n) return kInfinity;
  const float sq = static_cast<float>(weight * d * d);
  return sq <= cutoff ? sq : kInfinity;
}

// First pass, along a contiguous row of the mask: for each run of one class, every voxel's
// distance to the voxels of the other class just outside the run (the nearest along the
// row), encoded as above. `weight` is the squared spacing along the row (mm^2).
//  - signed_values: foreground (mask != 0) stores -d^2, background +d^2;
//  - otherwise targets ((mask != 0) != target_is_zero) store 0 and the others +d^2.
SIJ_HD inline void row_distance(const std::uint8_t* mask, float* out, std::int32_t n,
                                double weight, float cutoff, bool signed_values,
                                bool target_is_zero) {
  std::int32_t start = 0;
  while (start < n) {
    const bool target = (mask[start] != 0) != target_is_zero;
    std::int32_t end = start + 1;
    while (end < n && ((mask[end] != 0) != target_is_zero) == target) ++end;
    if (target && !signed_values) {
      for (std::int32_t x = start; x < end; ++x) out[x] = 0.f;
    } else {
      // The other class sits at start - 1 and at end, when those lie inside the row; a
      // side without one is 2n away, which row_squared reads as "none".
      const std::int32_t left = start > 0 ? start - 1 : -2 * n;
      const std::int32_t right = end < n ? end : 3 * n;
      const std::int32_t middle = left + (right - left) / 2;  // nearer to `left` up to here
      const float sign = target ? -1.f : 1.f;
      const std::int32_t split = middle + 1 < end ? (middle + 1 > start ? middle + 1 : start) : end;
      for (std::int32_t x = start; x < split; ++x) {
        out[x] = sign * row_squared(x - left, n, weight, cutoff);
      }
      for (std::int32_t x = split; x < end; ++x) {
        out[x] = sign * row_squared(right - x, n, weight, cutoff);
      }
    }
    start = end;
  }
}

// One lower envelope of parabolas, in per-line scratch at least the line's length long.
struct Envelope {
  std::int32_t* site_pos;  // apex position of each parabola
  float* site_height;      // its height (mm^2): the squared distance from earlier passes
  double* site_from;       // where it becomes the lowest (double: ties are common)
  std::int32_t top;        // index of the last parabola; -1 when empty
  std::int32_t current;    // evaluation cursor

  // Adds the parabola weight * (x - q)^2 + height, popping those it hides entirely
  // (Felzenszwalb & Huttenlocher). Sites arrive in increasing q.
  SIJ_HD void push(std::int32_t q, float height, double weight) {
    double from = kMinusInfinityD;
    while (top >= 0) {
      const std::int32_t p = site_pos[top];
      // The new parabola lies below parabola p from x = mid + rise / span on. Compare
      // before dividing: only the survivor needs the division. (Measured: this beats a
      // division-free, fully cross-multiplied form, which needs more scratch traffic.)
      const double mid = 0.5 * (p + q);
      const double rise = static_cast<double>(height) - site_height[top];
      const double span = 2.0 * weight * (q - p);
      if (rise <= (site_from[top] - mid) * span) {
        --top;  // hidden: the new parabola is lower wherever p was the lowest
      } else {
        from = mid + rise / span;
        break;
      }
    }
    ++top;
    site_pos[top] = q;
    site_height[top] = height;
    site_from[top] = from;
  }

  // The envelope's squared distance (mm^2) at q (queries in increasing q); +infinity when
  // empty.
  SIJ_HD float evaluate(std::int32_t q, double weight) {
    if (top < 0) return kInfinity;
    while (current < top && site_from[current + 1] < q) ++current;
    const double dq = static_cast<double>(q - site_pos[current]);
    return static_cast<float>(weight * dq * dq + site_height[current]);
  }
};

// Later passes: one line of encoded values (element q at line[q * stride]) becomes, for every
// query voxel, min over sites p of weight * (q - p)^2 + value(p): the exact squared distance
// over the axes processed so far. Targets are sites of height 0; inside a run of targets only
// the two ends can be nearest to a query outside the run, so interior targets are skipped
// (the envelope stays short on solid masks). Results above `cutoff` become +infinity.
// With signed_values, the background's distances to the foreground (envelope `to_target`)
// and the foreground's distances to the background (envelope `to_other`) are found in the
// same two sweeps. Returns whether any value changed.
SIJ_HD inline bool lower_envelope_line(float* line, std::int32_t stride, std::int32_t n,
                                       double weight, float cutoff, bool signed_values,
                                       Envelope to_target, Envelope to_other) {
  to_target.top = to_other.top = -1;
  to_target.current = to_other.current = 0;

  // Build both envelopes in one sweep. A voxel is a target when its value is <= 0.
  bool previous_target = false, any_query = false;
  float value = line[0];
  for (std::int32_t q = 0; q < n; ++q) {
    const float next = q + 1 < n ? line[(q + 1) * stride] : value;
    const bool target = value <= 0.f;
    const bool next_target = q + 1 < n ? next <= 0.f : !target;  // the line's end ends a run
    const bool run_end = !(previous_target == target && next_target == target);
    if (target) {
      if (run_end) to_target.push(q, 0.f, weight);
      if (signed_values) {
        any_query = true;
        if (-value <= cutoff) to_other.push(q, -value, weight);
      }
    } else {
      any_query = true;
      if (value <= cutoff) to_target.push(q, value, weight);
      if (signed_values && run_end) to_other.push(q, 0.f, weight);
    }
    previous_target = target;
    value = next;
  }
  if (!any_query) return false;
  if (to_target.top < 0 && (!signed_values || to_other.top < 0)) {
    // No site at all: every query is (and may already be) +infinity.
    bool changed = false;
    for (std::int32_t q = 0; q < n; ++q) {
      float& slot = line[q * stride];
      if (slot > 0.f && slot != kInfinity) slot = kInfinity, changed = true;
      else if (signed_values && slot < 0.f && slot != -kInfinity) slot = -kInfinity, changed = true;
    }
    return changed;
  }

  // Evaluate: each voxel reads the envelope of the class it is not.
  for (std::int32_t q = 0; q < n; ++q) {
    float& slot = line[q * stride];
    if (slot > 0.f) {
      const float d = to_target.evaluate(q, weight);
      slot = d <= cutoff ? d : kInfinity;
    } else if (signed_values) {
      const float d = to_other.evaluate(q, weight);
      slot = d <= cutoff ? -d : -kInfinity;
    }
  }
  return true;
}

}  // namespace sij::detail
