#include "pipeline/ingest/ImageFileReader.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageIOBase.h>
#include <itkImageIOFactory.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "pipeline/ingest/IngestError.h"

namespace sij::ingest {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string format_of(const std::string& path) {
  const std::string l = lower(path);
  if (ends_with(l, ".nii") || ends_with(l, ".nii.gz")) return "NIfTI";
  if (ends_with(l, ".nrrd") || ends_with(l, ".nhdr")) return "NRRD";
  if (ends_with(l, ".mha") || ends_with(l, ".mhd")) return "MetaImage";
  return {};
}

void register_itk_io_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    itk::NiftiImageIOFactory::RegisterOneFactory();
    itk::NrrdImageIOFactory::RegisterOneFactory();
    itk::MetaImageIOFactory::RegisterOneFactory();
  });
}

[[noreturn]] void corrupt(const std::string& path, const std::string& why) {
  // ITK's messages span lines; keep the first meaningful one.
  std::string line = why;
  const auto desc = line.find("Description:");
  if (desc != std::string::npos) line = line.substr(desc + 12);
  line.erase(std::remove(line.begin(), line.end(), '\n'), line.end());
  while (!line.empty() && line.front() == ' ') line.erase(line.begin());
  throw IngestError(IngestReason::CorruptFile,
                    "cannot read " + path + " (" + line + "): check the file is complete", path);
}

}  // namespace

bool is_image_file_name(const std::string& path) { return !format_of(path).empty(); }

Volume read_image_file(const std::string& path, const IngestOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw IngestError(IngestReason::NotFound, "no such file: " + path + ": check the path", path);
  }
  const std::string format = format_of(path);
  if (format.empty()) {
    throw IngestError(IngestReason::UnsupportedFormat,
                      "unknown file type " + path +
                          ": give a DICOM folder or a .nii, .nii.gz, .nrrd, .nhdr, .mha or .mhd file",
                      path);
  }
  register_itk_io_once();

  itk::ImageIOBase::Pointer io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::ImageIOFactory::FileModeEnum::ReadMode);
  if (!io) corrupt(path, "no ITK reader accepts it");
  try {
    io->SetFileName(path);
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    corrupt(path, e.GetDescription());
  }
  const unsigned dims = io->GetNumberOfDimensions();
  if (io->GetNumberOfComponents() != 1) {
    throw IngestError(IngestReason::UnsupportedFormat,
                      path + " has " + std::to_string(io->GetNumberOfComponents()) +
                          " components per voxel: give a scalar (greyscale) CT volume",
                      path);
  }
  if (dims < 2 || dims > 4 || (dims == 4 && io->GetDimensions(3) != 1)) {
    throw IngestError(IngestReason::UnsupportedFormat,
                      path + " has " + std::to_string(dims) +
                          " dimensions: give one 3D volume (split 4D files first)",
                      path);
  }
  std::int64_t voxels = 1;
  for (unsigned d = 0; d < std::min(dims, 3u); ++d) voxels *= static_cast<std::int64_t>(io->GetDimensions(d));
  const std::int64_t bytes = voxels * 2;
  if (bytes > options.max_bytes) {
    throw IngestError(IngestReason::TooLarge,
                      "volume in " + path + " needs " + std::to_string(bytes) +
                          " bytes, above the limit of " + std::to_string(options.max_bytes) +
                          " bytes: check the file or raise the memory limit",
                      path);
  }

  using ImageType = itk::Image<float, 3>;
  auto reader = itk::ImageFileReader<ImageType>::New();
  reader->SetFileName(path);
  try {
    reader->Update();
  } catch (const itk::ExceptionObject& e) {
    corrupt(path, e.GetDescription());
  }
  ImageType::Pointer image = reader->GetOutput();
  const auto region = image->GetLargestPossibleRegion();
  const auto size = region.GetSize();
  const auto spacing = image->GetSpacing();
  const auto origin = image->GetOrigin();
  const auto direction = image->GetDirection();

  Volume vol;
  vol.grid.nx = static_cast<std::int32_t>(size[0]);
  vol.grid.ny = static_cast<std::int32_t>(size[1]);
  vol.grid.nz = static_cast<std::int32_t>(size[2]);
  vol.grid.sx_mm = static_cast<float>(spacing[0]);
  vol.grid.sy_mm = static_cast<float>(spacing[1]);
  vol.grid.sz_mm = static_cast<float>(spacing[2]);
  for (int r = 0; r < 3; ++r) {
    vol.affine.origin_mm[r] = origin[r];
    for (int c = 0; c < 3; ++c) vol.affine.direction[r * 3 + c] = direction(r, c);
  }
  // The direction must be a rotation (possibly with a flip): columns unit and orthogonal.
  for (int a = 0; a < 3; ++a) {
    for (int b = a; b < 3; ++b) {
      double d = 0;
      for (int r = 0; r < 3; ++r) d += vol.affine.direction[r * 3 + a] * vol.affine.direction[r * 3 + b];
      if (std::abs(d - (a == b ? 1.0 : 0.0)) > 1e-3) {
        throw IngestError(IngestReason::MixedGeometry,
                          "the direction matrix of " + path +
                              " is not orthonormal (sheared grid): resample it onto an "
                              "orthogonal grid first",
                          path);
      }
    }
  }
  if (!(spacing[0] > 0 && spacing[1] > 0 && spacing[2] > 0)) {
    throw IngestError(IngestReason::MissingTag, "voxel spacing of " + path + " is not positive: fix the header", path);
  }

  const float* src = image->GetBufferPointer();
  const std::size_t n = static_cast<std::size_t>(vol.grid.voxel_count());
  vol.hu.resize(n);
  std::int64_t clamped = 0;
  for (std::size_t i = 0; i < n; ++i) {
    float v = src[i];
    if (!std::isfinite(v)) v = static_cast<float>(options.padding_hu);
    const float r = std::round(v);
    if (r > 32767.f || r < -32768.f) {
      ++clamped;
      vol.hu[i] = r > 0 ? std::int16_t{32767} : std::int16_t{-32768};
    } else {
      vol.hu[i] = static_cast<std::int16_t>(r);
    }
  }
  vol.meta.source_path = path;
  vol.meta.source_format = format;
  vol.meta.clamped_voxels = clamped;
  return vol;
}

}  // namespace sij::ingest
