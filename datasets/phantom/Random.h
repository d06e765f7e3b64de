// Deterministic randomness for the phantom: the same seed gives the same numbers on every
// machine and thread count. No <random> distributions (their output is implementation-defined):
// SplitMix64 for sequences, a stateless hash for per-voxel / per-ray values in parallel loops.
#pragma once

#include <cmath>
#include <cstdint>

namespace sij::phantom {

inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline std::uint64_t hash64(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0,
                            std::uint64_t d = 0) {
  return mix64(mix64(mix64(mix64(a) ^ b) ^ c) ^ d);
}

// Uniform in [0, 1) from 53 bits of a hash.
inline double hash_uniform(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// Standard normal from a hash (Box-Muller on two derived uniforms).
inline double hash_normal(std::uint64_t h) {
  const double u1 = (static_cast<double>(mix64(h) >> 11) + 0.5) * 0x1.0p-53;
  const double u2 = static_cast<double>(mix64(h ^ 0x5851f42d4c957f2dull) >> 11) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(hash64(seed, 0x5349'4a54'5241'434bull)) {}
  std::uint64_t next() { return mix64(state_ += 0x9e3779b97f4a7c15ull); }
  double uniform() { return hash_uniform(next()); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int integer(int lo, int hi_inclusive) {
    return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi_inclusive - lo + 1));
  }
  double normal() { return hash_normal(next()); }
  bool chance(double p) { return uniform() < p; }
  // A child generator for one component, so adding draws in one place does not shift another.
  Rng fork(std::uint64_t tag) { return Rng(hash64(next(), tag)); }

 private:
  std::uint64_t state_;
};

// Smooth 3D value noise in [-1, 1] with lattice spacing `cell_mm` (trilinear, smoothstep).
inline double value_noise(double x, double y, double z, double cell_mm, std::uint64_t seed) {
  const double fx = x / cell_mm, fy = y / cell_mm, fz = z / cell_mm;
  const double ix = std::floor(fx), iy = std::floor(fy), iz = std::floor(fz);
  double tx = fx - ix, ty = fy - iy, tz = fz - iz;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  tz = tz * tz * (3 - 2 * tz);
  const auto lat = [&](double a, double b, double c) {
    const auto h = hash64(seed, static_cast<std::uint64_t>(static_cast<std::int64_t>(a)),
                          static_cast<std::uint64_t>(static_cast<std::int64_t>(b)),
                          static_cast<std::uint64_t>(static_cast<std::int64_t>(c)));
    return 2.0 * hash_uniform(h) - 1.0;
  };
  const double c000 = lat(ix, iy, iz), c100 = lat(ix + 1, iy, iz);
  const double c010 = lat(ix, iy + 1, iz), c110 = lat(ix + 1, iy + 1, iz);
  const double c001 = lat(ix, iy, iz + 1), c101 = lat(ix + 1, iy, iz + 1);
  const double c011 = lat(ix, iy + 1, iz + 1), c111 = lat(ix + 1, iy + 1, iz + 1);
  const double x00 = c000 + (c100 - c000) * tx, x10 = c010 + (c110 - c010) * tx;
  const double x01 = c001 + (c101 - c001) * tx, x11 = c011 + (c111 - c011) * tx;
  const double y0 = x00 + (x10 - x00) * ty, y1 = x01 + (x11 - x01) * ty;
  return y0 + (y1 - y0) * tz;
}

}  // namespace sij::phantom
