// The first readable DICOM file of a scan's source (a slice of the series, or the file
// itself), from which the DICOM outputs (SC, SEG, SR) take the patient and study attributes.
#pragma once

#include <filesystem>

#include "pipeline/Volume.h"

namespace sij::report {

// Empty when no candidate exists on disk (a NIfTI source, or files moved away).
std::filesystem::path first_source_file(const VolumeMetadata& meta);

}  // namespace sij::report
