#include "datasets/phantom/MhaWriter.h"

#include "datasets/phantom/DicomWriter.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sij::phantom {
namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

void write_impl(const std::string& path, const Grid& g, const Affine3& a, const void* data, std::size_t bytes,
                const char* element_type) {
  uLongf packed_size = compressBound(static_cast<uLong>(bytes));
  std::vector<Bytef> packed(packed_size);
  if (compress2(packed.data(), &packed_size, static_cast<const Bytef*>(data), static_cast<uLong>(bytes), 1) != Z_OK) {
    throw std::runtime_error("MetaImage: zlib compression failed for " + path);
  }
  std::ostringstream h;
  h << "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
    << "CompressedData = True\nCompressedDataSize = " << packed_size << "\n";
  // TransformMatrix lists the direction of index axis 0, then 1, then 2 (ITK's convention).
  h << "TransformMatrix =";
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < 3; ++r) h << ' ' << num(a.direction[r * 3 + c]);
  }
  h << "\nOffset = " << num(a.origin_mm[0]) << ' ' << num(a.origin_mm[1]) << ' ' << num(a.origin_mm[2]) << "\n";
  h << "CenterOfRotation = 0 0 0\n";
  h << "ElementSpacing = " << dicom_ds_float(g.sx_mm) << ' ' << dicom_ds_float(g.sy_mm) << ' '
    << dicom_ds_float(g.sz_mm) << "\n";
  h << "DimSize = " << g.nx << ' ' << g.ny << ' ' << g.nz << "\n";
  h << "ElementType = " << element_type << "\nElementDataFile = LOCAL\n";
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("MetaImage: cannot create " + path);
  const std::string header = h.str();
  f.write(header.data(), static_cast<std::streamsize>(header.size()));
  f.write(reinterpret_cast<const char*>(packed.data()), static_cast<std::streamsize>(packed_size));
  if (!f) throw std::runtime_error("MetaImage: cannot write " + path);
}

}  // namespace

void write_mha(const std::string& path, const Grid& g, const Affine3& a, const std::vector<std::int16_t>& data) {
  write_impl(path, g, a, data.data(), data.size() * sizeof(std::int16_t), "MET_SHORT");
}

void write_mha(const std::string& path, const Grid& g, const Affine3& a, const std::vector<std::uint8_t>& data) {
  write_impl(path, g, a, data.data(), data.size(), "MET_UCHAR");
}

}  // namespace sij::phantom
