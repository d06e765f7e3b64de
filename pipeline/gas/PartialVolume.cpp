#include "pipeline/gas/PartialVolume.h"

#include <algorithm>

namespace sij::gas {
namespace {

constexpr int kReach = 3;           // voxels around the bounding box: ring (1) + reference (2, 3)
constexpr std::uint8_t kFar = 255;  // farther than kReach

// Chebyshev distance (in voxels, capped) from every voxel of a box to the component's voxels:
// max-norm distance is separable, so three 1D passes of d'(x) = min over |k| <= kReach of
// max(|k|, d(x + k)).
void chebyshev_pass(std::vector<std::uint8_t>& d, const std::int32_t n[3], int axis) {
  const std::int64_t stride[3] = {1, n[0], static_cast<std::int64_t>(n[0]) * n[1]};
  std::vector<std::uint8_t> line(static_cast<std::size_t>(n[axis]));
  const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
  for (std::int32_t j = 0; j < n[a2]; ++j) {
    for (std::int32_t i = 0; i < n[a1]; ++i) {
      const std::int64_t base = i * stride[a1] + j * stride[a2];
      for (std::int32_t k = 0; k < n[axis]; ++k) line[static_cast<std::size_t>(k)] = d[static_cast<std::size_t>(base + k * stride[axis])];
      for (std::int32_t k = 0; k < n[axis]; ++k) {
        std::uint8_t best = line[static_cast<std::size_t>(k)];
        for (int o = -kReach; o <= kReach; ++o) {
          const std::int32_t kk = k + o;
          if (o == 0 || kk < 0 || kk >= n[axis]) continue;
          const std::uint8_t v = line[static_cast<std::size_t>(kk)];
          if (v == kFar) continue;
          const std::uint8_t candidate = std::max<std::uint8_t>(v, static_cast<std::uint8_t>(o < 0 ? -o : o));
          best = std::min(best, candidate);
        }
        d[static_cast<std::size_t>(base + k * stride[axis])] = best;
      }
    }
  }
}

// What the voxel would read without its air: the component's soft-tissue level, except beside
// bone (intra-articular gas lies between cortical plates), where the brightest non-gas
// 26-neighbour above bone_neighbour_hu is the level the blur mixed with the air.
float local_background(const Volume& volume, const std::vector<std::int32_t>& box_labels, const std::int32_t lo[3],
                       const std::int32_t n[3], std::int32_t x, std::int32_t y, std::int32_t z, float tissue_hu,
                       const GasOptions& options) {
  const Grid& g = volume.grid;
  float brightest = tissue_hu;
  for (int dz = -1; dz <= 1; ++dz)
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        if (!g.contains(x + dx, y + dy, z + dz)) continue;
        // Within the volume a neighbour of a ring voxel lies inside the box (bounding box + 3).
        const std::size_t local = (static_cast<std::size_t>(z + dz - lo[2]) * n[1] + (y + dy - lo[1])) * n[0] + (x + dx - lo[0]);
        if (box_labels[local] != 0) continue;
        const float hu = volume.hu[static_cast<std::size_t>(g.index(x + dx, y + dy, z + dz))];
        if (hu > options.bone_neighbour_hu && hu > brightest) brightest = hu;
      }
  return std::min(brightest, options.max_background_hu);
}

}  // namespace

void measure_partial_volume(GasComponent& c, const Volume& volume, const AirComponents& air,
                            const std::vector<std::uint8_t>& body, const GasOptions& options) {
  const Grid& g = volume.grid;
  const std::int32_t vn[3] = {g.nx, g.ny, g.nz};
  std::int32_t lo[3], n[3];
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::max(0, c.stats.min_index[a] - kReach);
    const std::int32_t hi = std::min(vn[a] - 1, c.stats.max_index[a] + kReach);
    n[a] = hi - lo[a] + 1;
  }
  const auto local = [&](std::int32_t x, std::int32_t y, std::int32_t z) {
    return (static_cast<std::size_t>(z) * n[1] + y) * n[0] + x;
  };
  const std::vector<std::int32_t> labels = air.labels_in_box(lo, n);  // over the box, like d
  std::vector<std::uint8_t> d(static_cast<std::size_t>(n[0]) * n[1] * n[2], kFar);
  double centroid_index[3] = {0, 0, 0};
  std::int64_t own = 0;
  std::int32_t z_min = vn[2], z_max = -1;
  for (std::int32_t z = 0; z < n[2]; ++z)
    for (std::int32_t y = 0; y < n[1]; ++y)
      for (std::int32_t x = 0; x < n[0]; ++x) {
        if (labels[local(x, y, z)] != c.label) continue;
        d[local(x, y, z)] = 0;
        centroid_index[0] += lo[0] + x;
        centroid_index[1] += lo[1] + y;
        centroid_index[2] += lo[2] + z;
        ++own;
        z_min = std::min(z_min, lo[2] + z);
        z_max = std::max(z_max, lo[2] + z);
      }
  for (int axis = 0; axis < 3; ++axis) chebyshev_pass(d, n, axis);

  // Reference tissue: soft-tissue voxels two or three voxels away, not gas.
  std::vector<std::int16_t> reference;
  for (std::int32_t z = 0; z < n[2]; ++z)
    for (std::int32_t y = 0; y < n[1]; ++y)
      for (std::int32_t x = 0; x < n[0]; ++x) {
        const std::uint8_t dist = d[local(x, y, z)];
        if (dist < 2 || dist > kReach) continue;
        const std::int64_t i = g.index(lo[0] + x, lo[1] + y, lo[2] + z);
        const std::int16_t hu = volume.hu[static_cast<std::size_t>(i)];
        if (!body[static_cast<std::size_t>(i)] || labels[local(x, y, z)] != 0) continue;
        if (hu < options.soft_low_hu || hu > options.soft_high_hu) continue;
        reference.push_back(hu);
      }
  c.reference_voxels = static_cast<int>(reference.size());
  if (c.reference_voxels >= options.min_reference_voxels) {
    const auto mid = reference.begin() + static_cast<std::ptrdiff_t>(reference.size() / 2);
    std::nth_element(reference.begin(), mid, reference.end());
    c.tissue_hu = *mid;
  } else {
    c.tissue_hu = options.default_tissue_hu;
    c.reference_voxels = 0;
  }

  // The component and its ring (ring voxels of other components are theirs, not ours).
  const double voxel_ml = static_cast<double>(g.sx_mm) * g.sy_mm * g.sz_mm / 1000.0;
  c.voxels.clear();
  c.fractions.clear();
  double sum = 0.0;
  for (std::int32_t z = 0; z < n[2]; ++z)
    for (std::int32_t y = 0; y < n[1]; ++y)
      for (std::int32_t x = 0; x < n[0]; ++x) {
        const std::uint8_t dist = d[local(x, y, z)];
        if (dist > 1) continue;
        const std::int64_t i = g.index(lo[0] + x, lo[1] + y, lo[2] + z);
        if (dist == 1 && (!body[static_cast<std::size_t>(i)] || labels[local(x, y, z)] != 0)) continue;
        const float background = local_background(volume, labels, lo, n, lo[0] + x, lo[1] + y, lo[2] + z, c.tissue_hu, options);
        const float f = air_fraction(volume.hu[static_cast<std::size_t>(i)], background, options.air_hu);
        if (f <= 0.f) continue;
        c.voxels.push_back(i);
        c.fractions.push_back(f);
        sum += f;
      }
  c.volume_ml = sum * voxel_ml;
  c.slices = z_max >= z_min ? z_max - z_min + 1 : 0;
  if (own > 0) {
    const double idx[3] = {centroid_index[0] / own, centroid_index[1] / own, centroid_index[2] / own};
    volume.affine.index_to_physical(g, idx, c.centroid_mm);
  }
}

}  // namespace sij::gas
