#include "pipeline/joint/SmoothedField.h"

#include <algorithm>
#include <cstdint>

namespace sij::joint {
namespace {

constexpr float kBinomial[5] = {1.f / 16, 4.f / 16, 6.f / 16, 4.f / 16, 1.f / 16};

// One 5-tap pass along axis 0 (x) or 1 (y), clamped at the edges.
void blur_along(const std::vector<float>& in, std::vector<float>& out, const Grid& g, int axis) {
  const std::int32_t n = axis == 0 ? g.nx : g.ny;
  const std::int64_t stride = axis == 0 ? 1 : g.nx;
#pragma omp parallel for schedule(static)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      for (std::int32_t x = 0; x < g.nx; ++x) {
        const std::int32_t c = axis == 0 ? x : y;
        const std::int64_t i = g.index(x, y, z);
        float s = 0.f;
        for (int k = -2; k <= 2; ++k) {
          const std::int32_t q = std::clamp(c + k, 0, n - 1);
          s += kBinomial[k + 2] * in[static_cast<std::size_t>(i + (q - c) * stride)];
        }
        out[static_cast<std::size_t>(i)] = s;
      }
    }
  }
}

}  // namespace

std::vector<float> smoothed_in_plane(const std::vector<float>& field, const Grid& grid, int passes) {
  std::vector<float> out = field, scratch(field.size());
  for (int p = 0; p < passes; ++p) {
    blur_along(out, scratch, grid, 0);
    blur_along(scratch, out, grid, 1);
  }
  return out;
}

}  // namespace sij::joint
