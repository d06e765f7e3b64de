// Injected gas versus gas that was already there, and metal-artifact streaks, per component:
//
// 0. Air within body_surface_mm of the outside and far from every needle (tip and track) is at
//    the body's surface (a skin fold, the gap between the skin and the table top, which changes
//    shape when the patient moves), not inside the patient: pre-existing.
// 1. Artifact: with a needle's steel in the scan, an air-density component lying beside the
//    steel (centroid within artifact_axis_mm of the shaft) that is flat in z (the streaks lie
//    in the slices the steel crosses) or tiny is a dark streak, not gas; so is a component at
//    most artifact_max_thickness_mm thick in z lying within the slices the steel crosses,
//    wherever it is in the slice (streaks radiate across the whole field of view). Beside
//    orthopaedic hardware (within hardware_streak_reach_mm of its box) every new component is
//    a streak: such metal is far denser and wider than a needle.
// 2. With an earlier scan (rigidly aligned): a component whose voxels were mostly air at the
//    aligned place was already there: pre-existing (bowel), unless the earlier scan called that
//    gas injected (gas from an earlier injection stays injected). New gas is injected.
// 3. Without one: gas within injection_reach_mm of an injection site is injected; the rest is
//    pre-existing. No injection site (no needle now or before): nothing is injected.
#pragma once

#include <optional>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/align/RigidTransform.h"
#include "pipeline/gas/GasComponent.h"
#include "pipeline/gas/GasFinding.h"
#include "pipeline/gas/GasOptions.h"
#include "pipeline/gas/InjectionSite.h"
#include "pipeline/needle/NeedleFinder.h"

namespace sij::gas {

struct PreviousScan {
  const Volume* volume = nullptr;        // required
  const GasFinding* gas = nullptr;       // optional: its mask tells earlier injected gas
  align::RigidTransform current_to_previous;
};

void classify_components(std::vector<GasComponent>& components, const Volume& volume,
                         const std::vector<InjectionSite>& sites, const PreviousScan* previous,
                         const GasOptions& options, const std::vector<needle::MetalObject>& hardware = {});

}  // namespace sij::gas
