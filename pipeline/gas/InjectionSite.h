// Where gas was injected: a needle tip (with its axis when the needle is in the scan), in the
// current scan's LPS coordinates. The needle of an earlier scan counts too (carried through the
// alignment): after the injection the trocar is often withdrawn.
#pragma once

#include <vector>

#include "pipeline/align/RigidTransform.h"
#include "pipeline/needle/NeedleFinder.h"

namespace sij::gas {

struct InjectionSite {
  double tip_mm[3] = {0, 0, 0};
  double entry_mm[3] = {0, 0, 0};
  double direction[3] = {0, 0, 0};  // unit, entry -> tip
  bool needle_in_scan = false;      // the steel is in this scan (its streaks may be too)
};

// Sites of this scan's needles, then of the earlier scan's needles mapped by previous_to_current
// (skipped when a current needle's tip lies within 10 mm: the same needle).
std::vector<InjectionSite> injection_sites(const std::vector<needle::NeedleFinding>& current,
                                           const std::vector<needle::NeedleFinding>& previous,
                                           const align::RigidTransform* previous_to_current);

// Distance from p to the segment entry -> tip + beyond_tip_mm along the axis, and the position
// along the axis measured back from the tip (positive behind the tip).
double distance_to_needle(const InjectionSite& site, const double p[3], double beyond_tip_mm,
                          double* behind_tip_mm = nullptr);

double distance_mm(const double a[3], const double b[3]);

}  // namespace sij::gas
