// The one body of RANSAC + weighted-PCA line fitting, instantiated by LineFitCPU.cpp and
// LineFitCUDA.cu.
//
// Determinism: hypotheses draw their point pairs from a counter-based RNG (CounterRng.h), so
// each depends only on (seed, index); inlier counts are integers; and every floating-point sum
// that is reported is taken over a FIXED number of chunks (each summed in index order) whose
// partials the host adds in chunk order. The result is therefore bit-identical whatever the
// thread count, and CPU and CUDA differ only by the GPU's fused multiply-adds.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/core/Buffer.h"
#include "kernels/core/Macros.h"
#include "kernels/core/Memory.h"
#include "kernels/linefit/CounterRng.h"
#include "kernels/linefit/InlierMoments.h"
#include "kernels/linefit/Line3.h"
#include "kernels/linefit/LineFit.h"

namespace sij::detail {

// Chunks per hypothesis when counting support: enough parallel work for a GPU even with few
// hypotheses. Chunks for the refinement sums: fixed so the summation order never varies.
inline constexpr std::int64_t kScoreChunks = 32;
inline constexpr std::int64_t kMomentChunks = 256;
// Refinement passes after the RANSAC line; the loop stops as soon as the inlier set no longer
// changes. With a threshold of about the needle's noise that takes 1-2 passes; with a
// threshold well inside the noise (0.35 mm on 0.2 mm per-axis noise) up to about 11 were seen
// in tests, hence the generous cap. A pass costs one read of the points.
inline constexpr int kMaxRefinementPasses = 32;

SIJ_HD inline void load_point(const float* points_mm, std::int64_t i, double p[3]) {
  p[0] = points_mm[3 * i];
  p[1] = points_mm[3 * i + 1];
  p[2] = points_mm[3 * i + 2];
}

// Non-negative weights; a negative or NaN weight counts as 0 so it cannot break the PCA.
SIJ_HD inline double load_weight(const float* weights, std::int64_t i) {
  if (weights == nullptr) return 1.0;
  const double w = weights[i];
  return w > 0.0 ? w : 0.0;
}

// [begin, end) of chunk `chunk` out of `chunks` over `count` items.
SIJ_HD inline void chunk_range(std::int64_t chunk, std::int64_t chunks, std::int64_t count,
                               std::int64_t& begin, std::int64_t& end) {
  const std::int64_t base = count / chunks, extra = count % chunks;
  begin = chunk * base + (chunk < extra ? chunk : extra);
  end = begin + base + (chunk < extra ? 1 : 0);
}

SIJ_HD inline bool hypothesis_line(const float* points_mm, std::int64_t count, std::uint64_t seed,
                                   std::int64_t hypothesis, Line3& line) {
  std::int64_t i, j;
  hypothesis_pair(seed, hypothesis, count, i, j);
  double a[3], b[3];
  load_point(points_mm, i, a);
  load_point(points_mm, j, b);
  return line_through(a, b, line);
}

// The same line as hypothesis_line, built on the host: the two points of the pair are copied
// down from `backend` (points_mm is device memory there; the host may not read it).
inline bool hypothesis_line_from_device(Backend backend, const float* points_mm,
                                        std::int64_t count, std::uint64_t seed,
                                        std::int64_t hypothesis, Line3& line) {
  std::int64_t i, j;
  hypothesis_pair(seed, hypothesis, count, i, j);
  float pair[6];
  backend_copy(Backend::Cpu, pair, backend, points_mm + 3 * i, 3 * sizeof(float));
  backend_copy(Backend::Cpu, pair + 3, backend, points_mm + 3 * j, 3 * sizeof(float));
  double a[3], b[3];
  load_point(pair, 0, a);
  load_point(pair, 1, b);
  return line_through(a, b, line);
}

// Work item (hypothesis, chunk): how many points of the chunk lie within reach of the line.
struct ScoreChunkBody {
  const float* points_mm;
  std::int64_t count;
  std::uint64_t seed;
  double max_distance2;
  std::int64_t* chunk_support;
  SIJ_HD void operator()(std::int64_t item) const {
    const std::int64_t hypothesis = item / kScoreChunks, chunk = item % kScoreChunks;
    Line3 line;
    std::int64_t support = 0;
    if (hypothesis_line(points_mm, count, seed, hypothesis, line)) {
      std::int64_t begin, end;
      chunk_range(chunk, kScoreChunks, count, begin, end);
      for (std::int64_t i = begin; i < end; ++i) {
        double p[3];
        load_point(points_mm, i, p);
        support += line_offset(line, p).distance2 <= max_distance2 ? 1 : 0;
      }
    } else {
      support = -1;  // coincident pair: no line
    }
    chunk_support[item] = support;
  }
};

struct SumSupportBody {
  const std::int64_t* chunk_support;
  std::int64_t* support;
  SIJ_HD void operator()(std::int64_t hypothesis) const {
    const std::int64_t* row = chunk_support + hypothesis * kScoreChunks;
    if (row[0] < 0) {
      support[hypothesis] = -1;
      return;
    }
    std::int64_t total = 0;
    for (std::int64_t c = 0; c < kScoreChunks; ++c) total += row[c];
    support[hypothesis] = total;
  }
};

// One refinement pass over chunk `chunk`: marks the inliers of `line` and sums their moments.
struct InlierPassBody {
  const float* points_mm;
  const float* weights;
  std::int64_t count;
  Line3 line;
  double max_distance2;
  bool count_changes;  // false on the first pass, when the mask holds no earlier set
  std::uint8_t* mask;
  InlierMoments* partials;
  SIJ_HD void operator()(std::int64_t chunk) const {
    InlierMoments acc;
    std::int64_t begin, end;
    chunk_range(chunk, kMomentChunks, count, begin, end);
    for (std::int64_t i = begin; i < end; ++i) {
      double p[3];
      load_point(points_mm, i, p);
      const LineOffset o = line_offset(line, p);
      const std::uint8_t inside = o.distance2 <= max_distance2 ? 1 : 0;
      if (count_changes && mask[i] != inside) ++acc.changed;
      mask[i] = inside;
      if (inside) acc.add(o, load_weight(weights, i));
    }
    partials[chunk] = acc;
  }
};

struct FillBytesBody {
  std::uint8_t* bytes;
  std::uint8_t value;
  SIJ_HD void operator()(std::int64_t i) const { bytes[i] = value; }
};

// Index of the hypothesis with the most support, the lowest index on ties; -1 when none is
// valid.
inline std::int64_t best_hypothesis(const std::vector<std::int64_t>& support) {
  std::int64_t best = -1;
  for (std::int64_t h = 0; h < static_cast<std::int64_t>(support.size()); ++h) {
    if (support[h] >= 0 && (best < 0 || support[h] > support[best])) best = h;
  }
  return best;
}

// RANSAC: the line through a pair of points that the most points lie close to.
template <class Exec>
bool ransac_line(const Exec& exec, const float* points_mm, std::int64_t count,
                 const LineFitParams& params, double max_distance2, Line3& line) {
  const std::int64_t hypotheses = params.iterations;
  Buffer<std::int64_t> chunk_support(Exec::backend, hypotheses * kScoreChunks);
  Buffer<std::int64_t> support(Exec::backend, hypotheses);
  exec.parallel_for(hypotheses * kScoreChunks,
                    ScoreChunkBody{points_mm, count, params.seed, max_distance2, chunk_support.data()});
  exec.parallel_for(hypotheses, SumSupportBody{chunk_support.data(), support.data()});
  exec.synchronize();
  const std::vector<std::int64_t> host_support = support.to_host();
  const std::int64_t best = best_hypothesis(host_support);
  // A line is worth refining only when more than its own two points support it.
  if (best < 0 || host_support[best] <= 2) return false;
  return hypothesis_line_from_device(Exec::backend, points_mm, count, params.seed, best, line);
}

// One pass: marks the inliers of `line` in `mask` and returns their moments, merged in order.
template <class Exec>
InlierMoments inlier_pass(const Exec& exec, const float* points_mm, const float* weights,
                          std::int64_t count, const Line3& line, double max_distance2,
                          bool count_changes, std::uint8_t* mask,
                          Buffer<InlierMoments>& partials) {
  exec.parallel_for(kMomentChunks, InlierPassBody{points_mm, weights, count, line, max_distance2,
                                                  count_changes, mask, partials.data()});
  exec.synchronize();
  InlierMoments total;
  for (const InlierMoments& chunk : partials.to_host()) total.merge(chunk);
  return total;
}

template <class Exec>
LineFitResult fit_line_impl(const Exec& exec, const float* points_mm, const float* weights,
                            std::int64_t count, const LineFitParams& params,
                            std::uint8_t* inlier_mask) {
  const auto no_line = [&] {
    if (inlier_mask != nullptr && count > 0) {
      exec.parallel_for(count, FillBytesBody{inlier_mask, 0});
      exec.synchronize();
    }
    return LineFitResult{};
  };
  if (count < 2 || count < params.min_inliers || params.iterations <= 0) return no_line();

  const double max_distance = params.inlier_distance_mm;
  const double max_distance2 = max_distance * max_distance;
  Line3 line;
  if (!ransac_line(exec, points_mm, count, params, max_distance2, line)) return no_line();

  // Refinement: inliers of the current line -> weighted PCA -> new line, until the inlier set
  // is a fixed point (the line is then exactly the PCA line of its own inliers) or the passes
  // run out (the result then describes the last line measured, with the eigenvalues and
  // centroid of the inlier set before it).
  Buffer<std::uint8_t> scratch_mask;
  std::uint8_t* mask = inlier_mask;
  if (mask == nullptr) {
    scratch_mask = Buffer<std::uint8_t>(Exec::backend, static_cast<std::size_t>(count));
    mask = scratch_mask.data();
  }
  Buffer<InlierMoments> partials(Exec::backend, kMomentChunks);
  PcaLine fitted{};
  bool have_pca = false;
  InlierMoments moments;
  for (int pass = 0;; ++pass) {
    moments = inlier_pass(exec, points_mm, weights, count, line, max_distance2, pass > 0, mask,
                          partials);
    const bool converged = have_pca && moments.changed == 0;
    if (converged || pass == kMaxRefinementPasses) break;
    PcaLine next;
    if (!pca_line(moments, line, next)) return no_line();
    fitted = next;
    have_pca = true;
    line = fitted.line;
  }
  if (!have_pca || moments.count < params.min_inliers || !(moments.weight > 0.0)) return no_line();

  LineFitResult result;
  result.found = true;
  for (int c = 0; c < 3; ++c) {
    result.point_mm[c] = line.point[c];
    result.direction[c] = line.direction[c];
    result.eigenvalues_mm2[c] = fitted.eigenvalues_mm2[c];
  }
  result.inlier_count = moments.count;
  result.rms_distance_mm = std::sqrt(moments.weighted_distance2 / moments.weight);
  result.extent_min_mm = moments.along_min;
  result.extent_max_mm = moments.along_max;
  return result;
}

}  // namespace sij::detail
