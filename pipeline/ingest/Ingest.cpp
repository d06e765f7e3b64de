#include "pipeline/ingest/Ingest.h"

#include <filesystem>
#include <system_error>

#include "pipeline/ingest/DicomSeriesReader.h"
#include "pipeline/ingest/ImageFileReader.h"

namespace sij::ingest {

Volume ingest(const std::string& path, const IngestOptions& options) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw IngestError(IngestReason::NotFound, "no such file or folder: " + path + ": check the path", path);
  }
  if (std::filesystem::is_directory(status)) return read_dicom_folder(path, options);
  if (is_image_file_name(path)) return read_image_file(path, options);
  try {
    return read_dicom_files({path}, options, path);  // a single DICOM file
  } catch (const IngestError& e) {
    if (e.reason() != IngestReason::EmptyFolder) throw;
    throw IngestError(IngestReason::UnsupportedFormat,
                      path + " is neither a DICOM image nor a .nii, .nii.gz, .nrrd, .nhdr, .mha "
                             "or .mhd file: give a DICOM folder or one of those files",
                      path);
  }
}

}  // namespace sij::ingest
