// Plain warnings about what a scan's analysis can and cannot claim:
//   - an input that does not look like CT in Hounsfield units (the ingest refuses a DICOM
//     series whose Modality is not CT; a NIfTI/NRRD/MetaImage file carries no modality, so its
//     values are checked instead: CT of a pelvis has air or fat below -200 HU, and steel or bone
//     above 3000 HU occupies a tiny share of the voxels, where an MR volume's intensities run
//     from 0 to tens of thousands);
//   - injected gas that reaches the first or last slice: the gas continues outside the scanned
//     range, so its volume and spread are lower bounds.
#pragma once

#include <string>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/gas/GasFinding.h"

namespace sij::analysis {

// Thresholds of the CT plausibility check (see above).
inline constexpr double kCtAirFatBelowHu = -200.0;      // some voxels must lie below this
inline constexpr double kCtDenseAboveHu = 3000.0;       // metal, dense cortical bone
inline constexpr double kCtMaxDenseFraction = 0.005;    // at most this share of the voxels above it

// One line per reason why `volume` may not be CT in HU; empty for a plausible CT.
std::vector<std::string> ct_plausibility_warnings(const Volume& volume);

// True when a voxel classified as injected gas lies in the first or last slice of the grid.
bool injected_gas_reaches_scan_edge(const gas::GasFinding& finding);

}  // namespace sij::analysis
