#include "kernels/core/ExecEmu.h"
#include "kernels/edt/DistanceTransformImpl.h"

namespace sij::detail {
void distance_to_foreground_sq_emu(const std::uint8_t* mask, float* out, const Grid& grid) {
  distance_to_foreground_sq_impl(EmuExec{}, mask, out, grid);
}
void distance_to_foreground_emu(const std::uint8_t* mask, float* out, const Grid& grid) {
  distance_to_foreground_impl(EmuExec{}, mask, out, grid);
}
void signed_distance_emu(const std::uint8_t* mask, float* out, const Grid& grid) {
  signed_distance_impl(EmuExec{}, mask, out, grid);
}
}  // namespace sij::detail
