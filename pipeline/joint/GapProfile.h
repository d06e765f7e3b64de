// Width of the joint gap from the intensity profile across it (sub-voxel).
//
// The profile runs through a mid-surface point along the local normal (sacrum to ilium). The
// gap is the dip between the two cortical walls; its edges are where the profile crosses the
// level half-way between each wall's peak and the soft-tissue level of the joint space
// (`gap_hu`), found by linear interpolation between 0.1 mm samples. A blurred narrow gap does
// not reach `gap_hu`; the deficit-area estimate (area of the dip below the walls divided by
// the wall-to-gap contrast) keeps its width, since blur moves intensity but keeps its sum.
#pragma once

#include <cstdint>

#include "kernels/core/Grid.h"

namespace sij::joint {

struct GapProfile {
  bool ok = false;
  double width_mm = 0.0;         // the reported estimate
  double centre_mm = 0.0;        // offset of the gap centre from the start point, along n
  double width_half_mm = 0.0;    // between the absolute half-level crossings
  double width_area_mm = 0.0;    // deficit area / contrast
  double wall_hu[2] = {0, 0};    // peaks of the two walls
  double min_hu = 0.0;
};

struct GapProfileOptions {
  double step_mm = 0.1;
  double search_mm = 3.0;        // the dip's lowest point lies within this of the start point
  double reach_mm = 6.0;         // walls are looked for this far from the dip
  double wall_min_hu = 600.0;    // a wall must peak at least this high
  double gap_hu = 50.0;          // soft tissue of the joint space
  // Where between gap_hu (0) and the wall's peak (1) an edge lies. A thin cortex (0.9-1.6 mm)
  // blurred by the scanner peaks below cortical bone, so the half-way level of the measured
  // peak sits inside the gap; 0.6 is calibrated on the phantom (docs/report.md, "Joint").
  double edge_level = 0.6;
};

// p_index: continuous box index of the start point; n_mm: unit normal in grid millimetres
// (index axes scaled by spacing).
GapProfile measure_gap(const std::int16_t* hu, const Grid& grid, const double p_index[3],
                       const double n_mm[3], const GapProfileOptions& options);

}  // namespace sij::joint
