// The ingested volume as the kernels see it on a backend: the host array itself for the CPU,
// one upload for CUDA. Sampling helpers return host vectors whatever the backend.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/Backend.h"
#include "kernels/core/Buffer.h"
#include "pipeline/Volume.h"
#include "pipeline/needle/Vec.h"

namespace sij::needle {

class VolumeOnBackend {
 public:
  VolumeOnBackend(const Volume& volume, Backend backend);
  const Volume& host() const { return volume_; }
  Backend backend() const { return backend_; }
  const std::int16_t* hu() const { return device_.empty() ? volume_.hu.data() : device_.data(); }

  // Trilinear samples at LPS points (x,y,z triples); outside the volume: `outside`.
  std::vector<float> sample(const std::vector<float>& points_mm, float outside) const;
  // ray_profile from `start` along unit `direction`, `count` samples `step_mm` apart.
  std::vector<float> profile(const V3& start, const V3& direction, double step_mm,
                             std::int32_t count, float outside) const;

  // Continuous voxel index of an LPS point, and whether it lies inside the voxel-centre box
  // shrunk by `margin_voxels`.
  V3 to_index(const V3& p) const;
  bool inside(const V3& p, double margin_voxels = 0.0) const;

 private:
  const Volume& volume_;
  Backend backend_;
  Buffer<std::int16_t> device_;  // empty on the CPU backend
};

}  // namespace sij::needle
