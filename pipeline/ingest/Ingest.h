// The ingest stage's entry point: a DICOM folder, a single DICOM file, or a NIfTI / NRRD /
// MetaImage file becomes a Volume (int16 HU, LPS mm), or an IngestError says why not.
#pragma once

#include <string>

#include "pipeline/Volume.h"
#include "pipeline/ingest/IngestError.h"
#include "pipeline/ingest/IngestOptions.h"

namespace sij::ingest {

Volume ingest(const std::string& path, const IngestOptions& options = {});

}  // namespace sij::ingest
