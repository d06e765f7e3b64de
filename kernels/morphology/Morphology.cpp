#include "kernels/morphology/Morphology.h"

#include <stdexcept>
#include <string>

#include "kernels/core/Dispatch.h"
#include "kernels/morphology/BallOp.h"

namespace sij {
namespace detail {
void ball_morphology_cpu(const std::uint8_t*, std::uint8_t*, const Grid&, float, BallOp);
void ball_morphology_cuda(const std::uint8_t*, std::uint8_t*, const Grid&, float, BallOp);
decltype(ball_morphology_cpu) ball_morphology_emu;

namespace {
// A negative or NaN radius has no ball; fail loudly rather than guess.
void require_radius(float radius_mm) {
  if (!(radius_mm >= 0.f)) {
    throw std::invalid_argument("ball morphology needs a radius >= 0 mm, got " +
                                std::to_string(radius_mm));
  }
}
}  // namespace
}  // namespace detail

void dilate_ball(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
                 float radius_mm) {
  detail::require_radius(radius_mm);
  SIJ_DISPATCH(backend, ball_morphology, in, out, grid, radius_mm, detail::BallOp::Dilate);
}

void erode_ball(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
                float radius_mm) {
  detail::require_radius(radius_mm);
  SIJ_DISPATCH(backend, ball_morphology, in, out, grid, radius_mm, detail::BallOp::Erode);
}

void open_ball(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
               float radius_mm) {
  detail::require_radius(radius_mm);
  SIJ_DISPATCH(backend, ball_morphology, in, out, grid, radius_mm, detail::BallOp::Open);
}

void close_ball(Backend backend, const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
                float radius_mm) {
  detail::require_radius(radius_mm);
  SIJ_DISPATCH(backend, ball_morphology, in, out, grid, radius_mm, detail::BallOp::Close);
}

}  // namespace sij
