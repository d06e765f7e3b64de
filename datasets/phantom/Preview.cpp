#include "datasets/phantom/Preview.h"

#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkPNGImageIO.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sij::phantom {

void write_axial_png(const std::string& path, const std::vector<std::int16_t>& hu, const Grid& g, int k,
                     double centre, double width, int cx, int cy, int half_px, int zoom) {
  if (k < 0 || k >= g.nz) throw std::runtime_error("preview: slice out of range");
  using Image = itk::Image<unsigned char, 2>;
  auto img = Image::New();
  Image::RegionType region;
  const int x0 = half_px > 0 ? cx - half_px : 0, y0 = half_px > 0 ? cy - half_px : 0;
  const int w = half_px > 0 ? 2 * half_px + 1 : g.nx, h = half_px > 0 ? 2 * half_px + 1 : g.ny;
  zoom = std::max(zoom, 1);
  region.SetSize({static_cast<itk::SizeValueType>(w * zoom), static_cast<itk::SizeValueType>(h * zoom)});
  img->SetRegions(region);
  img->Allocate();
  const double lo = centre - 0.5 * width;
  unsigned char* out = img->GetBufferPointer();
  const std::size_t plane = static_cast<std::size_t>(g.nx) * g.ny;
  for (int y = 0; y < h * zoom; ++y) {
    for (int x = 0; x < w * zoom; ++x) {
      const int sx = x0 + x / zoom, sy = y0 + y / zoom;
      double v = 0;
      if (sx >= 0 && sy >= 0 && sx < g.nx && sy < g.ny) {
        v = (hu[k * plane + static_cast<std::size_t>(sy) * g.nx + sx] - lo) / width * 255.0;
      }
      out[static_cast<std::size_t>(y) * w * zoom + x] = static_cast<unsigned char>(std::lround(std::clamp(v, 0.0, 255.0)));
    }
  }
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetImageIO(itk::PNGImageIO::New());
  writer->SetFileName(path);
  writer->SetInput(img);
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error(std::string("preview: cannot write ") + path + ": " + e.GetDescription());
  }
}

}  // namespace sij::phantom
