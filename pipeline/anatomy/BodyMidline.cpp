#include "pipeline/anatomy/BodyMidline.h"

#include <algorithm>
#include <cmath>

namespace sij::anatomy {
namespace {

constexpr std::int16_t kSoftTissueMaxHu = 200;
constexpr double kEdgeFraction = 0.002;

}  // namespace

BodyMidline body_midline(const Volume& volume, std::int16_t body_threshold_hu) {
  BodyMidline mid;
  const Grid& g = volume.grid;
  if (g.voxel_count() == 0) return mid;
  const std::int32_t zstep = std::max(1, g.nz / 24);
  const std::int16_t thr = body_threshold_hu;
  // LPS x of index (x, y, z) is affine: x_lps = origin + a*x + b*y + c*z.
  const double* d = volume.affine.direction;
  const double ax = d[0] * g.sx_mm, ay = d[1] * g.sy_mm, az = d[2] * g.sz_mm;
  // The volume's own LPS x range (corners), to tell whether the body reaches its edges.
  double vmin = 1e300, vmax = -1e300;
  for (int corner = 0; corner < 8; ++corner) {
    const double x = volume.affine.origin_mm[0] + ax * ((corner & 1) ? g.nx - 1 : 0) +
                     ay * ((corner & 2) ? g.ny - 1 : 0) + az * ((corner & 4) ? g.nz - 1 : 0);
    vmin = std::min(vmin, x);
    vmax = std::max(vmax, x);
  }
  // Soft tissue only (the table's carbon skins, about 260 HU, and bone stay out), and the
  // count of it within a band at the volume's left and right edges.
  const double margin = 3.0 * std::max({g.sx_mm, g.sy_mm, g.sz_mm});
  double sum = 0;
  std::int64_t count = 0, at_edges = 0;
  for (std::int32_t z = 0; z < g.nz; z += zstep)
    for (std::int32_t y = 0; y < g.ny; y += 2)
      for (std::int32_t x = 0; x < g.nx; x += 2) {
        const std::int16_t v = volume.at(x, y, z);
        if (v <= thr || v > kSoftTissueMaxHu) continue;
        const double xl = volume.affine.origin_mm[0] + ax * x + ay * y + az * z;
        sum += xl;
        ++count;
        if (xl < vmin + margin || xl > vmax - margin) ++at_edges;
      }
  if (count == 0) return mid;
  mid.x_mm = sum / static_cast<double>(count);
  mid.estimated = true;
  // Scattered noise voxels of the table may fall in the range; a body cut by the field of
  // view puts whole columns there.
  mid.known = static_cast<double>(at_edges) < kEdgeFraction * static_cast<double>(count);
  return mid;
}

}  // namespace sij::anatomy
