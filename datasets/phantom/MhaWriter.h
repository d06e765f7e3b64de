// MetaImage (.mha, header and data in one file) writer; zlib-compressed, byte-stable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"

namespace sij::phantom {

void write_mha(const std::string& path, const Grid& grid, const Affine3& affine, const std::vector<std::int16_t>& data);
void write_mha(const std::string& path, const Grid& grid, const Affine3& affine, const std::vector<std::uint8_t>& data);

}  // namespace sij::phantom
