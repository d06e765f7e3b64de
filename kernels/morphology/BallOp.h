// Which ball morphology to run: shared by the dispatch (Morphology.cpp) and the body.
#pragma once

namespace sij::detail {
enum class BallOp { Dilate, Erode, Open, Close };
}  // namespace sij::detail
