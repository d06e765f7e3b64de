// The separable exact distance transform, templated on the execution backend: a row pass
// along x (two sweeps per row), then lower-envelope passes along y and along z. The last
// pass hands each final squared distance to a `Sink`, so distances, signed distances and
// morphology thresholds are written without another sweep over the volume.
//
// Shared by DistanceTransformImpl.h and MorphologyImpl.h; included by *CPU.cpp and *CUDA.cu.
#pragma once

#include <cstdint>

#include "kernels/core/Buffer.h"
#include "kernels/core/Grid.h"
#include "kernels/core/Macros.h"
#include "kernels/edt/LineDistance.h"
#include "kernels/edt/WorkSharing.h"

namespace sij::detail {

struct SeparableDistanceOptions {
  bool signed_values = false;   // both distances, encoded by sign (see LineDistance.h)
  bool target_is_zero = false;  // unsigned only: distances to mask == 0 instead of != 0
  float cutoff_mm2 = kNoCutoff;  // squared distances above it may be reported as +infinity
};

// The last pass's writer: sink(voxel_index, squared_distance_encoded).
struct StoreFloat {
  float* out;
  SIJ_HD void operator()(std::int64_t i, float value) const { out[i] = value; }
};

struct RowPassBody {
  const std::uint8_t* mask;
  float* values;
  std::int32_t nx;
  double weight;
  SeparableDistanceOptions options;
  WorkPlan plan;
  SIJ_HD void operator()(std::int64_t worker) const {
    plan.for_each_item(worker, [&](std::int64_t row) {
      row_distance(mask + row * nx, values + row * nx, nx, weight, options.cutoff_mm2,
                   options.signed_values, options.target_is_zero);
    });
  }
};

// Which voxels one column pass walks. Columns lie side by side in `span` contiguous
// positions (x for the y pass; the whole xy plane for the z pass), `outer_count` times
// (z slices for the y pass; once for the z pass).
struct ColumnGeometry {
  std::int64_t span;
  std::int64_t outer_count;
  std::int64_t outer_stride;  // voxels between two groups of columns
  std::int64_t step;          // voxels between two consecutive elements of a column
  std::int32_t length;        // elements per column
  double weight;              // squared spacing along the column (mm^2)
};

// A tile is up to `tile_width` neighbouring columns, gathered into scratch, transformed and
// written back. On the CPU 16 columns, so every cache line of the strided y and z walks is
// read once and used whole (a 512x512 float slice is a 1 MiB power-of-two stride, which
// would otherwise thrash the caches); on the GPU one column per thread, so neighbouring
// threads read neighbouring addresses.
template <class Exec>
constexpr std::int32_t tile_width() {
  return Exec::gpu_configuration ? 1 : 16;
}

// Workers (each with its own scratch) per pass. The GPU count bounds scratch memory (about
// 36 bytes per column element per worker: 32768 workers on 512-long columns take 600 MB)
// while still filling the device; on the CPU the workers share chunks through a counter, so
// a count above any core count costs nothing but untouched address space.
template <class Exec>
constexpr std::int64_t max_workers() {
  return Exec::gpu_configuration ? 32768 : 64;
}

struct ColumnScratch {
  float* tiles;               // workers * max_length * tile_width: the gathered columns
  std::int32_t* site_pos;     // workers * 2 * max_length each: two envelopes per worker
  float* site_height;
  double* site_from;
  std::int32_t max_length;
  std::int32_t tile_width;

  SIJ_HD Envelope envelope(std::int64_t worker, int which) const {
    const std::int64_t offset = (worker * 2 + which) * max_length;
    return Envelope{site_pos + offset, site_height + offset, site_from + offset, -1, 0};
  }
};

template <class Sink, bool kSinkIsInPlace>
struct ColumnPassBody {
  float* values;
  Sink sink;
  ColumnGeometry geometry;
  std::int64_t tiles_per_outer;
  WorkPlan plan;
  ColumnScratch scratch;
  float cutoff;
  bool signed_values;

  SIJ_HD void operator()(std::int64_t worker) const {
    plan.for_each_item(worker, [&](std::int64_t tile) { process_tile(worker, tile); });
  }

  SIJ_HD void process_tile(std::int64_t worker, std::int64_t tile) const {
    const std::int32_t width_max = scratch.tile_width;
    const std::int64_t outer = tile / tiles_per_outer;
    const std::int64_t first_column = (tile % tiles_per_outer) * width_max;
    const std::int64_t columns_left = geometry.span - first_column;
    const std::int32_t width =
        columns_left < width_max ? static_cast<std::int32_t>(columns_left) : width_max;
    const std::int64_t base = outer * geometry.outer_stride + first_column;
    const std::int32_t n = geometry.length;
    float* tile_values = scratch.tiles + worker * scratch.max_length * width_max;

    // Gather: element q of column c goes to tile_values[q * width_max + c].
    for (std::int32_t q = 0; q < n; ++q) {
      const float* src = values + base + q * geometry.step;
      float* dst = tile_values + q * width_max;
      for (std::int32_t c = 0; c < width; ++c) dst[c] = src[c];
    }
    bool changed = false;
    for (std::int32_t c = 0; c < width; ++c) {
      changed |= lower_envelope_line(tile_values + c, width_max, n, geometry.weight, cutoff,
                                     signed_values, scratch.envelope(worker, 0),
                                     scratch.envelope(worker, 1));
    }
    // Writing back what was read is a no-op for an in-place sink: skip it.
    if (kSinkIsInPlace && !changed) return;
    for (std::int32_t q = 0; q < n; ++q) {
      const std::int64_t row = base + q * geometry.step;
      const float* src = tile_values + q * width_max;
      for (std::int32_t c = 0; c < width; ++c) sink(row + c, src[c]);
    }
  }
};

// Squared distances of `mask` (encoded per `options`) for every voxel, through `values`
// (grid-sized, on the exec's backend; overwritten), each final value handed to `sink`.
// `sink` may write back into `values`: every tile is gathered before it is written.
template <class Exec, class Sink>
void separable_distance(const Exec& exec, const std::uint8_t* mask, float* values,
                        const Grid& grid, const SeparableDistanceOptions& options,
                        const Sink& sink) {
  if (grid.voxel_count() == 0) return;
  constexpr bool kGpu = Exec::gpu_configuration;
  const double sx = grid.sx_mm, sy = grid.sy_mm, sz = grid.sz_mm;
  const std::int64_t plane = static_cast<std::int64_t>(grid.nx) * grid.ny;
  const ColumnGeometry passes[2] = {
      {grid.nx, grid.nz, plane, grid.nx, grid.ny, sy * sy},  // along y, slice by slice
      {plane, 1, 0, plane, grid.nz, sz * sz},                // along z, the whole plane at once
  };
  constexpr std::int32_t width = tile_width<Exec>();
  std::int64_t tiles_per_outer[2], tile_count[2];
  for (int i = 0; i < 2; ++i) {
    tiles_per_outer[i] = (passes[i].span + width - 1) / width;
    tile_count[i] = tiles_per_outer[i] * passes[i].outer_count;
  }
  const std::int64_t rows = static_cast<std::int64_t>(grid.ny) * grid.nz;

  // One counter per pass for the CPU's chunked sharing (unused on the GPU).
  Buffer<std::int64_t> counters(Exec::backend, 3);
  counters.fill_bytes(0);
  auto plan_for = [&](std::int64_t items, int pass) {
    return kGpu ? interleaved_plan(items, max_workers<Exec>())
                : chunked_plan(items, max_workers<Exec>(), counters.data() + pass);
  };
  const WorkPlan row_plan = kGpu ? interleaved_plan(rows, rows) : plan_for(rows, 0);
  const WorkPlan column_plans[2] = {plan_for(tile_count[0], 1), plan_for(tile_count[1], 2)};

  const std::int32_t max_length = grid.ny > grid.nz ? grid.ny : grid.nz;
  const std::int64_t workers =
      column_plans[0].workers > column_plans[1].workers ? column_plans[0].workers
                                                        : column_plans[1].workers;
  const auto elements = static_cast<std::size_t>(workers) * static_cast<std::size_t>(max_length);
  Buffer<float> tiles(Exec::backend, elements * width);
  Buffer<std::int32_t> site_pos(Exec::backend, 2 * elements);
  Buffer<float> site_height(Exec::backend, 2 * elements);
  Buffer<double> site_from(Exec::backend, 2 * elements);
  const ColumnScratch scratch{tiles.data(), site_pos.data(), site_height.data(),
                              site_from.data(), max_length, width};

  exec.parallel_for(row_plan.workers,
                    RowPassBody{mask, values, grid.nx, sx * sx, options, row_plan});
  // A one-voxel column is already final: skip the y pass of a single-row grid. The z pass
  // always runs, since it is the one that writes through the sink.
  if (grid.ny > 1) {
    exec.parallel_for(column_plans[0].workers,
                      ColumnPassBody<StoreFloat, true>{values, StoreFloat{values}, passes[0],
                                                       tiles_per_outer[0], column_plans[0],
                                                       scratch, options.cutoff_mm2,
                                                       options.signed_values});
  }
  exec.parallel_for(column_plans[1].workers,
                    ColumnPassBody<Sink, false>{values, sink, passes[1], tiles_per_outer[1],
                                                column_plans[1], scratch, options.cutoff_mm2,
                                                options.signed_values});
  exec.synchronize();  // the scratch is freed on return
}

}  // namespace sij::detail
