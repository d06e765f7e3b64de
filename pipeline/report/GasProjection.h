// Overlay 3: where the gas went, seen from the front. A coronal projection along the volume's
// row axis (anterior-posterior): a faint maximum-intensity projection of bone, the gas mask
// projected on it (injected over pre-existing over artifact; more opaque where the gas column
// is thicker), the projected joint-space outline and the needle. Square pixels, cranial at the
// top, orientation letters from the direction cosines.
#pragma once

#include <opencv2/core.hpp>

#include "pipeline/Volume.h"
#include "pipeline/analysis/ScanReport.h"
#include "pipeline/report/OverlayStyle.h"

namespace sij::report {

cv::Mat render_gas_projection(const analysis::ScanReport& report, const Volume& volume, const OverlayOptions& options = {});

}  // namespace sij::report
