// Where the injected gas lies relative to the joint space (the joint stage's masks of this
// scan): intra-articular (in the joint-space mask), peri-articular (outside it, signed distance
// up to peri_articular_mm) and distant, each a partial-volume sum; the craniocaudal spread of
// the intra- and peri-articular gas; the fraction of the joint's mid-surface that gas reached;
// the farthest gas from the injection site; and the alerts.
#pragma once

#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/gas/GasComponent.h"
#include "pipeline/gas/GasFinding.h"
#include "pipeline/gas/GasOptions.h"
#include "pipeline/gas/InjectionSite.h"
#include "pipeline/joint/JointFinder.h"

namespace sij::gas {

// Fills the volumes, spread, coverage, farthest distance, joint side and alerts of `finding`
// from the injected components. `joints` may be null (then all injected gas is distant and no
// coverage is measured). finding.mask must already hold the classes (it is read for coverage).
void measure_joint_relation(GasFinding& finding, const std::vector<GasComponent>& components, const Volume& volume,
                            const joint::JointAnalysis* joints, const std::vector<InjectionSite>& sites,
                            const GasOptions& options);

}  // namespace sij::gas
