// Copies of the benchmark volume as ITK images, so the ITK reference filters run on exactly
// the same data as the sijtrack kernels.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include <itkImage.h>

#include "kernels/core/Grid.h"

namespace sij::bench {

template <class T>
typename itk::Image<T, 3>::Pointer to_itk_image(const std::vector<T>& data, const Grid& grid) {
  using Image = itk::Image<T, 3>;
  auto image = Image::New();
  typename Image::SizeType size;
  size[0] = grid.nx;
  size[1] = grid.ny;
  size[2] = grid.nz;
  image->SetRegions(typename Image::RegionType(size));
  typename Image::SpacingType spacing;
  spacing[0] = grid.sx_mm;
  spacing[1] = grid.sy_mm;
  spacing[2] = grid.sz_mm;
  image->SetSpacing(spacing);
  image->Allocate();
  std::memcpy(image->GetBufferPointer(), data.data(), data.size() * sizeof(T));
  return image;
}

}  // namespace sij::bench
