#include "pipeline/joint/SmoothedField.h"

#include <algorithm>
#include <cstdint>

namespace sij::joint {
namespace {

constexpr float kBinomial[5] = {1.f / 16, 4.f / 16, 6.f / 16, 4.f / 16, 1.f / 16};

// One 5-tap pass along x or y, clamped at the edges. Rows are contiguous, so both passes run
// along x in the inner loop: the y pass combines five whole rows. Each sum is formed in the
// same order (taps -2..2), so the result does not depend on how the loops vectorise.
void blur_x(const std::vector<float>& in, std::vector<float>& out, const Grid& g) {
  const std::int32_t n = g.nx;
#pragma omp parallel for schedule(static)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      const float* r = in.data() + g.index(0, y, z);
      float* o = out.data() + g.index(0, y, z);
      const auto tap = [&](std::int32_t x, int k) { return r[std::clamp(x + k, 0, n - 1)]; };
      const auto edge = [&](std::int32_t x) {
        o[x] = kBinomial[0] * tap(x, -2) + kBinomial[1] * tap(x, -1) + kBinomial[2] * tap(x, 0) +
               kBinomial[3] * tap(x, 1) + kBinomial[4] * tap(x, 2);
      };
      for (std::int32_t x = 0; x < std::min(2, n); ++x) edge(x);
      for (std::int32_t x = 2; x < n - 2; ++x) {
        o[x] = kBinomial[0] * r[x - 2] + kBinomial[1] * r[x - 1] + kBinomial[2] * r[x] + kBinomial[3] * r[x + 1] +
               kBinomial[4] * r[x + 2];
      }
      for (std::int32_t x = std::max(2, n - 2); x < n; ++x) edge(x);
    }
  }
}

void blur_y(const std::vector<float>& in, std::vector<float>& out, const Grid& g) {
  const std::int32_t n = g.ny;
#pragma omp parallel for schedule(static)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < n; ++y) {
      const float* r[5];
      for (int k = -2; k <= 2; ++k) r[k + 2] = in.data() + g.index(0, std::clamp(y + k, 0, n - 1), z);
      float* o = out.data() + g.index(0, y, z);
      for (std::int32_t x = 0; x < g.nx; ++x) {
        o[x] = kBinomial[0] * r[0][x] + kBinomial[1] * r[1][x] + kBinomial[2] * r[2][x] + kBinomial[3] * r[3][x] +
               kBinomial[4] * r[4][x];
      }
    }
  }
}

}  // namespace

std::vector<float> smoothed_in_plane(const std::vector<float>& field, const Grid& grid, int passes) {
  std::vector<float> out = field, scratch(field.size());
  for (int p = 0; p < passes; ++p) {
    blur_x(out, scratch, grid);
    blur_y(scratch, out, grid);
  }
  return out;
}

}  // namespace sij::joint
