// The scanner's blur and noise, applied after the metal artifacts: an in-plane Gaussian point
// spread function, then correlated (band-pass, grainy) noise with a target standard deviation.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/Grid.h"

namespace sij::phantom {

// In-plane Gaussian blur of width sigma_mm (x and y spacing from the grid).
void apply_psf(std::vector<float>& hu, const Grid& g, double sigma_mm);

// Adds noise of standard deviation sigma_hu: white Gaussian noise, band-passed in-plane (a
// difference of Gaussians, like a ramp-filtered reconstruction) and mildly correlated across
// neighbouring slices, then scaled so its measured standard deviation is sigma_hu.
void add_correlated_noise(std::vector<float>& hu, const Grid& g, double sigma_hu, std::uint64_t seed);

}  // namespace sij::phantom
