#include "kernels/ccl/ConnectedComponents.h"

#include "kernels/ccl/IndexLimits.h"
#include "kernels/core/Dispatch.h"

namespace sij {
namespace detail {
std::int32_t label_components_cpu(const std::uint8_t*, std::int32_t*, const Grid&, Connectivity);
std::int32_t label_components_cuda(const std::uint8_t*, std::int32_t*, const Grid&, Connectivity);
decltype(label_components_cpu) label_components_emu;
}  // namespace detail

std::int32_t label_components(Backend backend, const std::uint8_t* mask, std::int32_t* labels,
                              const Grid& grid, Connectivity connectivity) {
  detail::require_int32_indexable(grid, "label_components");
  SIJ_DISPATCH(backend, label_components, mask, labels, grid, connectivity);
}

}  // namespace sij
