// The benchmark input: the smoke pelvis at clinical size, 512x512x300 at 0.7x0.7x1.25 mm
// (body-shaped masks, not random noise), built once per process and shared by all benchmarks.
#pragma once

#include "datasets/SmokeVolume.h"

namespace sij::bench {

inline const datasets::SmokeVolume& pelvis_volume() {
  static const datasets::SmokeVolume volume =
      datasets::make_smoke_volume(Grid{512, 512, 300, 0.7f, 0.7f, 1.25f});
  return volume;
}

}  // namespace sij::bench
