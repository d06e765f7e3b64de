#include "pipeline/joint/KernelCalls.h"

#include "kernels/core/Buffer.h"
#include "kernels/edt/DistanceTransform.h"
#include "kernels/morphology/HoleFilling.h"
#include "kernels/morphology/Morphology.h"

namespace sij::joint {
namespace {

// Runs f(in_ptr, out_ptr) on `backend` with host vectors; out is resized to in.size().
template <class In, class Out, class F>
void on_backend(Backend backend, const std::vector<In>& in, std::vector<Out>& out, F f) {
  out.resize(in.size());
  if (backend == Backend::Cpu) {
    f(in.data(), out.data());
    return;
  }
  const Buffer<In> device_in = Buffer<In>::from_host(backend, in);
  Buffer<Out> device_out(backend, out.size());
  f(device_in.data(), device_out.data());
  device_out.copy_to_host(out.data());
}

}  // namespace

void k_threshold(Backend backend, const std::vector<std::int16_t>& hu, std::vector<std::uint8_t>& mask,
                 HuRange range) {
  on_backend(backend, hu, mask, [&](const std::int16_t* in, std::uint8_t* out) {
    threshold_mask(backend, in, out, static_cast<std::int64_t>(hu.size()), range);
  });
}

void k_dilate(Backend backend, const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out,
              const Grid& grid, float radius_mm) {
  on_backend(backend, in, out, [&](const std::uint8_t* a, std::uint8_t* b) {
    dilate_ball(backend, a, b, grid, radius_mm);
  });
}

void k_erode(Backend backend, const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out,
             const Grid& grid, float radius_mm) {
  on_backend(backend, in, out, [&](const std::uint8_t* a, std::uint8_t* b) {
    erode_ball(backend, a, b, grid, radius_mm);
  });
}

void k_fill_holes_per_slice(Backend backend, const std::vector<std::uint8_t>& in,
                            std::vector<std::uint8_t>& out, const Grid& grid) {
  on_backend(backend, in, out, [&](const std::uint8_t* a, std::uint8_t* b) {
    fill_holes_per_slice(backend, a, b, grid);
  });
}

std::int32_t k_label(Backend backend, const std::vector<std::uint8_t>& mask, std::vector<std::int32_t>& labels,
                     const Grid& grid, Connectivity connectivity) {
  std::int32_t count = 0;
  on_backend(backend, mask, labels, [&](const std::uint8_t* a, std::int32_t* b) {
    count = label_components(backend, a, b, grid, connectivity);
  });
  return count;
}

std::int32_t k_label_stats(Backend backend, const std::vector<std::uint8_t>& mask,
                           std::vector<std::int32_t>& labels, const Grid& grid,
                           Connectivity connectivity, std::vector<ComponentStats>& stats) {
  std::int32_t count = 0;
  on_backend(backend, mask, labels, [&](const std::uint8_t* a, std::int32_t* b) {
    count = label_components(backend, a, b, grid, connectivity);
    stats = component_stats(backend, b, nullptr, grid, count);
  });
  return count;
}

std::vector<ComponentStats> k_stats(Backend backend, const std::vector<std::int32_t>& labels, const Grid& grid,
                                    std::int32_t count) {
  if (backend == Backend::Cpu) return component_stats(backend, labels.data(), nullptr, grid, count);
  const Buffer<std::int32_t> device = Buffer<std::int32_t>::from_host(backend, labels);
  return component_stats(backend, device.data(), nullptr, grid, count);
}

void k_distance(Backend backend, const std::vector<std::uint8_t>& mask, std::vector<float>& dist_mm,
                const Grid& grid) {
  on_backend(backend, mask, dist_mm, [&](const std::uint8_t* a, float* b) {
    distance_to_foreground(backend, a, b, grid);
  });
}

void k_signed_distance(Backend backend, const std::vector<std::uint8_t>& mask, std::vector<float>& dist_mm,
                       const Grid& grid) {
  on_backend(backend, mask, dist_mm, [&](const std::uint8_t* a, float* b) {
    signed_distance(backend, a, b, grid);
  });
}

}  // namespace sij::joint
