// Reads NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr) and MetaImage (.mha, .mhd) volumes via
// ITK into a Volume. ITK reports geometry in LPS for every format (it converts NIfTI's RAS),
// so origin and direction are taken as given. Voxel values are taken as HU (after the
// file's own scaling, e.g. NIfTI scl_slope/scl_inter), rounded and clamped to int16.
#pragma once

#include <string>

#include "pipeline/Volume.h"
#include "pipeline/ingest/IngestOptions.h"

namespace sij::ingest {

// True when the file name ends in one of the extensions above (case-insensitive).
bool is_image_file_name(const std::string& path);

// Throws IngestError (NotFound, UnsupportedFormat, CorruptFile, TooLarge, MixedGeometry).
Volume read_image_file(const std::string& path, const IngestOptions& options = {});

}  // namespace sij::ingest
