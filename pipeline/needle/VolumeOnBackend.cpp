#include "pipeline/needle/VolumeOnBackend.h"

#include "kernels/sampling/Sampling.h"

namespace sij::needle {

VolumeOnBackend::VolumeOnBackend(const Volume& volume, Backend backend)
    : volume_(volume), backend_(backend) {
  if (backend != Backend::Cpu) device_ = Buffer<std::int16_t>::from_host(backend, volume.hu);
}

std::vector<float> VolumeOnBackend::sample(const std::vector<float>& points_mm, float outside) const {
  const std::int64_t count = static_cast<std::int64_t>(points_mm.size() / 3);
  if (count == 0) return {};
  Buffer<float> points = Buffer<float>::from_host(backend_, points_mm);
  Buffer<float> values(backend_, static_cast<std::size_t>(count));
  sample_trilinear(backend_, hu(), volume_.grid, volume_.affine, points.data(), count,
                   values.data(), outside);
  return values.to_host();
}

std::vector<float> VolumeOnBackend::profile(const V3& start, const V3& direction, double step_mm,
                                            std::int32_t count, float outside) const {
  if (count <= 0) return {};
  Buffer<float> values(backend_, static_cast<std::size_t>(count));
  ray_profile(backend_, hu(), volume_.grid, volume_.affine, start.data(), direction.data(), step_mm,
              count, values.data(), outside);
  return values.to_host();
}

V3 VolumeOnBackend::to_index(const V3& p) const {
  V3 index;
  volume_.affine.physical_to_index(volume_.grid, p.data(), index.data());
  return index;
}

bool VolumeOnBackend::inside(const V3& p, double margin_voxels) const {
  const V3 i = to_index(p);
  const double n[3] = {double(volume_.grid.nx), double(volume_.grid.ny), double(volume_.grid.nz)};
  for (int c = 0; c < 3; ++c) {
    const double m = n[c] > 1 ? margin_voxels : 0.0;
    if (i[c] < m - 1e-6 || i[c] > n[c] - 1 - m + 1e-6) return false;
  }
  return true;
}

}  // namespace sij::needle
