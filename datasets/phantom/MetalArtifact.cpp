#include "datasets/phantom/MetalArtifact.h"

#include <algorithm>
#include <cmath>

#include "datasets/phantom/Materials.h"
#include "datasets/phantom/Random.h"

namespace sij::phantom {
namespace {

// A 120 kVp spectrum after filtration, sampled at 10 keV steps (relative fluence), with the
// linear attenuation of water and of stainless steel (7.9 g/cm3) at those energies, per mm
// (NIST XCOM mass attenuation coefficients).
constexpr int kBins = 7;
constexpr double kWeight[kBins] = {0.08, 0.16, 0.20, 0.19, 0.15, 0.12, 0.10};
constexpr double kMuWater[kBins] = {0.0268, 0.0227, 0.0206, 0.0193, 0.0184, 0.0177, 0.0171};
constexpr double kMuSteel[kBins] = {2.867, 1.547, 0.952, 0.669, 0.470, 0.371, 0.294};

double polychromatic_intensity(double water_mm, double steel_mm) {
  double wsum = 0, s = 0;
  for (int e = 0; e < kBins; ++e) {
    wsum += kWeight[e];
    s += kWeight[e] * std::exp(-kMuWater[e] * water_mm - kMuSteel[e] * steel_mm);
  }
  return s / wsum;
}

}  // namespace

void add_metal_artifacts(float* slice, int nx, int ny, double ps, const std::vector<SteelVoxel>& steel,
                         const MetalArtifactParams& prm, std::uint64_t seed) {
  if (steel.empty()) return;
  const double mu_w = kWaterMuPerMm;
  const double mu_s = mu_w * (1.0 + kSteelHu / 1000.0);
  const int npix = nx * ny;
  // Attenuation map without the steel, and the steel fractions.
  std::vector<float> steel_frac(static_cast<std::size_t>(npix), 0.f);
  for (const SteelVoxel& s : steel) steel_frac[s.pixel] += s.fraction;
  std::vector<float> mu(static_cast<std::size_t>(npix));
  for (int p = 0; p < npix; ++p) {
    const double m = mu_w * (1.0 + slice[p] / 1000.0) - steel_frac[p] * mu_s;
    mu[p] = static_cast<float>(std::max(0.0, m));
  }
  const double cx = 0.5 * (nx - 1), cy = 0.5 * (ny - 1);
  int nb = static_cast<int>(std::ceil(std::sqrt(double(nx) * nx + double(ny) * ny))) + 4;
  if (nb % 2 == 0) ++nb;
  const double cb = 0.5 * (nb - 1);
  const int na = prm.angles;
  const double half_len = 0.5 * std::sqrt(double(nx) * nx + double(ny) * ny) + 1.0;

  const auto bilinear = [&](double x, double y) -> double {
    if (x < 0 || y < 0 || x > nx - 1 || y > ny - 1) return 0.0;
    const int x0 = std::min(static_cast<int>(x), nx - 2), y0 = std::min(static_cast<int>(y), ny - 2);
    const double tx = x - x0, ty = y - y0;
    const float* r0 = &mu[static_cast<std::size_t>(y0) * nx + x0];
    const float* r1 = r0 + nx;
    return (r0[0] * (1 - tx) + r0[1] * tx) * (1 - ty) + (r1[0] * (1 - tx) + r1[1] * tx) * ty;
  };

  std::vector<double> filtered(static_cast<std::size_t>(na) * nb, 0.0);
  std::vector<double> steel_sino(static_cast<std::size_t>(nb));
  std::vector<double> layer_sino(prm.layered ? static_cast<std::size_t>(nb) * kSteelLayers : 0);
  std::vector<int> rays;
  std::vector<double> delta;
  for (int a = 0; a < na; ++a) {
    const double th = kPi * a / na;
    const double c = std::cos(th), s = std::sin(th);
    // Steel line integrals by pixel-driven projection (linear split between two bins).
    std::fill(steel_sino.begin(), steel_sino.end(), 0.0);
    std::fill(layer_sino.begin(), layer_sino.end(), 0.0);
    for (const SteelVoxel& sv : steel) {
      const int px = sv.pixel % nx, py = sv.pixel / nx;
      const double t = (px - cx) * c + (py - cy) * s + cb;
      const int b0 = static_cast<int>(std::floor(t));
      const double w = t - b0;
      const double val = sv.fraction * mu_s * ps;
      if (b0 >= 0 && b0 < nb) steel_sino[b0] += (1 - w) * val;
      if (b0 + 1 >= 0 && b0 + 1 < nb) steel_sino[b0 + 1] += w * val;
      if (prm.layered) {
        for (int l = 0; l < kSteelLayers; ++l) {
          const double lv = sv.layer[l] * mu_s * ps;
          if (b0 >= 0 && b0 < nb) layer_sino[static_cast<std::size_t>(b0) * kSteelLayers + l] += (1 - w) * lv;
          if (b0 + 1 >= 0 && b0 + 1 < nb) layer_sino[static_cast<std::size_t>(b0 + 1) * kSteelLayers + l] += w * lv;
        }
      }
    }
    rays.clear();
    delta.clear();
    for (int b = 0; b < nb; ++b) {
      const double p_s = steel_sino[b];
      if (p_s < 1e-5) continue;
      // The rest of the slice along this ray (unit steps, bilinear).
      const double t = b - cb;
      double p_o = 0;
      for (double u = -half_len; u <= half_len; u += 1.0) {
        p_o += bilinear(cx + t * c - u * s, cy + t * s + u * c);
      }
      p_o *= ps;
      const double water_mm = p_o / mu_w, steel_mm = p_s / mu_s;
      double i_poly = 0;
      if (prm.layered) {
        // The detector row averages the intensity across the slice, layer by layer.
        for (int l = 0; l < kSteelLayers; ++l) {
          i_poly += polychromatic_intensity(water_mm, layer_sino[static_cast<std::size_t>(b) * kSteelLayers + l] / mu_s);
        }
        i_poly /= kSteelLayers;
      } else {
        i_poly = polychromatic_intensity(water_mm, steel_mm);
      }
      const double i_water = polychromatic_intensity(water_mm, 0.0);
      // The scanner's water correction maps -ln(i_water) back to p_o; apply the same shift.
      const double n_mean = prm.photons_per_ray * i_poly;
      const double n_meas = std::max(1.0, n_mean + std::sqrt(n_mean + prm.electronic_noise * prm.electronic_noise) *
                                                       hash_normal(hash64(seed, static_cast<std::uint64_t>(a),
                                                                          static_cast<std::uint64_t>(b))));
      // Counting noise beyond what the same ray without steel has (that part is in the
      // image-domain noise already).
      const double n_water = prm.photons_per_ray * i_water;
      const double excess = std::sqrt(std::max(0.0, 1.0 - n_mean / n_water));
      const double p_clean = -std::log(std::max(n_mean, 1.0) / prm.photons_per_ray);
      const double p_noisy = -std::log(n_meas / prm.photons_per_ray);
      const double p_meas = p_clean + (p_noisy - p_clean) * excess;
      const double p_corr = p_meas + std::log(i_water) + p_o;
      const double d = p_corr - (p_o + p_s);
      if (d != 0.0) {
        rays.push_back(b);
        delta.push_back(d);
      }
    }
    // Shepp-Logan ramp filter: h(n) = -2 / (pi^2 tau^2 (4 n^2 - 1)), times tau for the sum.
    double* row = &filtered[static_cast<std::size_t>(a) * nb];
    for (std::size_t r = 0; r < rays.size(); ++r) {
      const int b0 = rays[r];
      const double d = delta[r] * (-2.0 / (kPi * kPi * ps));
      for (int b = 0; b < nb; ++b) {
        const double m = b - b0;
        row[b] += d / (4.0 * m * m - 1.0);
      }
    }
  }
  // Back-projection of the filtered difference (view by view, rows streamed); mu per mm -> HU.
  std::vector<float> acc(static_cast<std::size_t>(npix), 0.f);
  std::vector<float> rowf(static_cast<std::size_t>(nb) + 1);
  for (int a = 0; a < na; ++a) {
    const double* row = &filtered[static_cast<std::size_t>(a) * nb];
    double peak = 0;
    for (int b = 0; b < nb; ++b) peak = std::max(peak, std::fabs(row[b]));
    if (peak == 0) continue;
    for (int b = 0; b < nb; ++b) rowf[b] = static_cast<float>(row[b]);
    rowf[nb] = 0.f;
    const double c = std::cos(kPi * a / na), sn = std::sin(kPi * a / na);
    const float fc = static_cast<float>(c);
    for (int y = 0; y < ny; ++y) {
      const float t0 = static_cast<float>(-cx * c + (y - cy) * sn + cb);
      float* out = &acc[static_cast<std::size_t>(y) * nx];
      for (int x = 0; x < nx; ++x) {
        const float t = t0 + x * fc;
        const int b0 = static_cast<int>(t);
        const float w = t - static_cast<float>(b0);
        out[x] += rowf[b0] + w * (rowf[b0 + 1] - rowf[b0]);
      }
    }
  }
  const double scale = kPi / na * 1000.0 / mu_w;
  for (int p = 0; p < npix; ++p) slice[p] += static_cast<float>(acc[p] * scale);
}

}  // namespace sij::phantom
