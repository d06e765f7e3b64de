#include "kernels/core/ExecEmu.h"
#include "kernels/classify/ClassifyImpl.h"

namespace sij::detail {
void threshold_mask_emu(const std::int16_t* hu, std::uint8_t* mask, std::int64_t n, HuRange r) {
  threshold_mask_impl(EmuExec{}, hu, mask, n, r);
}
}  // namespace sij::detail
