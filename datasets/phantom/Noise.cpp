#include "datasets/phantom/Noise.h"

#include <algorithm>
#include <cmath>

#include "datasets/phantom/Random.h"

namespace sij::phantom {
namespace {

std::vector<float> gaussian_kernel(double sigma_px) {
  const int r = std::max(1, static_cast<int>(std::ceil(3.0 * sigma_px)));
  std::vector<float> k(2 * r + 1);
  double sum = 0;
  for (int i = -r; i <= r; ++i) {
    const double v = std::exp(-0.5 * i * i / (sigma_px * sigma_px));
    k[i + r] = static_cast<float>(v);
    sum += v;
  }
  for (float& v : k) v = static_cast<float>(v / sum);
  return k;
}

// Separable in-plane convolution of one slice (clamped edges); tmp has nx*ny floats.
void blur_slice(float* s, float* tmp, int nx, int ny, const std::vector<float>& kx, const std::vector<float>& ky) {
  const int rx = static_cast<int>(kx.size() / 2), ry = static_cast<int>(ky.size() / 2);
  for (int y = 0; y < ny; ++y) {
    for (int x = 0; x < nx; ++x) {
      float acc = 0;
      for (int d = -rx; d <= rx; ++d) acc += kx[d + rx] * s[y * nx + std::clamp(x + d, 0, nx - 1)];
      tmp[y * nx + x] = acc;
    }
  }
  for (int y = 0; y < ny; ++y) {
    for (int x = 0; x < nx; ++x) {
      float acc = 0;
      for (int d = -ry; d <= ry; ++d) acc += ky[d + ry] * tmp[std::clamp(y + d, 0, ny - 1) * nx + x];
      s[y * nx + x] = acc;
    }
  }
}

}  // namespace

void apply_psf(std::vector<float>& hu, const Grid& g, double sigma_mm) {
  const auto kx = gaussian_kernel(sigma_mm / g.sx_mm), ky = gaussian_kernel(sigma_mm / g.sy_mm);
  const std::size_t plane = static_cast<std::size_t>(g.nx) * g.ny;
#pragma omp parallel
  {
    std::vector<float> tmp(plane);
#pragma omp for schedule(static)
    for (int k = 0; k < g.nz; ++k) blur_slice(&hu[k * plane], tmp.data(), g.nx, g.ny, kx, ky);
  }
}

void add_correlated_noise(std::vector<float>& hu, const Grid& g, double sigma_hu, std::uint64_t seed) {
  const std::size_t plane = static_cast<std::size_t>(g.nx) * g.ny;
  std::vector<float> white(hu.size()), band(hu.size());
  const auto k1 = gaussian_kernel(0.8), k2 = gaussian_kernel(2.0);
  std::vector<double> sum2(g.nz, 0.0);
#pragma omp parallel
  {
    std::vector<float> tmp(plane), low(plane);
#pragma omp for schedule(static)
    for (int k = 0; k < g.nz; ++k) {
      float* s = &white[k * plane];
      for (std::size_t p = 0; p < plane; ++p) {
        s[p] = static_cast<float>(hash_normal(hash64(seed, static_cast<std::uint64_t>(k), p)));
      }
      blur_slice(s, tmp.data(), g.nx, g.ny, k1, k1);
      std::copy(s, s + plane, low.begin());
      blur_slice(low.data(), tmp.data(), g.nx, g.ny, k2, k2);
      for (std::size_t p = 0; p < plane; ++p) s[p] -= 0.6f * low[p];
    }
#pragma omp for schedule(static)
    for (int k = 0; k < g.nz; ++k) {
      const float* c = &white[k * plane];
      const float* lo = &white[std::max(k - 1, 0) * plane];
      const float* hi = &white[std::min(k + 1, g.nz - 1) * plane];
      float* b = &band[k * plane];
      double acc = 0;
      for (std::size_t p = 0; p < plane; ++p) {
        b[p] = 0.8f * c[p] + 0.3f * (lo[p] + hi[p]);
        acc += static_cast<double>(b[p]) * b[p];
      }
      sum2[k] = acc;
    }
  }
  double total = 0;
  for (double s : sum2) total += s;
  const double sd = std::sqrt(total / static_cast<double>(hu.size()));
  const float scale = static_cast<float>(sd > 0 ? sigma_hu / sd : 0.0);
#pragma omp parallel for schedule(static)
  for (std::int64_t v = 0; v < static_cast<std::int64_t>(hu.size()); ++v) hu[v] += scale * band[v];
}

}  // namespace sij::phantom
