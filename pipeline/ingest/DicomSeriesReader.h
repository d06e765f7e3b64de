// Reads one CT series from a folder of DICOM files (or an explicit list of files) into a
// Volume: groups files by SeriesInstanceUID, picks one (or refuses with the list), orders
// and checks the stack (SliceStack), then decodes the slices in parallel.
#pragma once

#include <string>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/ingest/IngestOptions.h"

namespace sij::ingest {

// All regular files under `folder` (recursively), sorted by path. Throws NotFound.
std::vector<std::string> list_files(const std::string& folder);

// Throws IngestError on every refusal; never modifies or deletes input files.
Volume read_dicom_folder(const std::string& folder, const IngestOptions& options = {});
Volume read_dicom_files(const std::vector<std::string>& files, const IngestOptions& options,
                        const std::string& source_path);

}  // namespace sij::ingest
