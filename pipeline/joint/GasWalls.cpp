#include "pipeline/joint/GasWalls.h"

#include <algorithm>

namespace sij::joint {

void add_walls_beside_gas(const std::vector<std::int16_t>& hu, const Grid& g, std::vector<std::uint8_t>& bone,
                          const GasWallOptions& o) {
#pragma omp parallel for schedule(dynamic, 4)
  for (std::int32_t z = 0; z < g.nz; ++z) {
    for (std::int32_t y = 0; y < g.ny; ++y) {
      for (std::int32_t x = 0; x < g.nx; ++x) {
        const auto i = static_cast<std::size_t>(g.index(x, y, z));
        if (bone[i] || hu[i] < o.wall_hu) continue;
        bool gas = false;
        for (std::int32_t qy = std::max(0, y - 1); qy <= std::min(g.ny - 1, y + 1) && !gas; ++qy) {
          const std::int16_t* row = hu.data() + g.index(0, qy, z);
          for (std::int32_t qx = std::max(0, x - 1); qx <= std::min(g.nx - 1, x + 1); ++qx) {
            if (row[qx] <= o.gas_hu) {
              gas = true;
              break;
            }
          }
        }
        if (gas) bone[i] = 1;
      }
    }
  }
}

}  // namespace sij::joint
