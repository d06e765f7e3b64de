// One DICOM file as the series assembler sees it: the header fields that decide grouping,
// ordering and geometry (read without loading the pixel data), and the decoding of its
// pixels into int16 HU.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/ingest/IngestOptions.h"

namespace sij::ingest {

enum class DicomFileKind {
  Image,     // a DICOM object with pixel data
  NotDicom,  // not parsable as DICOM and no "DICM" magic: skipped
  NonImage,  // DICOM without pixel data (DICOMDIR, SR, ...): skipped
  Corrupt,   // has the "DICM" magic (or a DICOM header) but cannot be read to the end
};

// Geometry and rescale of one frame of a multi-frame object, from its Per-frame Functional
// Groups item or, where that lacks a macro, the Shared Functional Groups item.
struct DicomFrameGeometry {
  bool has_position = false, has_orientation = false, has_spacing = false;
  double position[3] = {0, 0, 0};
  double orientation[6] = {0, 0, 0, 0, 0, 0};
  double pixel_spacing[2] = {0, 0};
  double slope = 1.0, intercept = 0.0;
  double slice_thickness_mm = -1.0, spacing_between_slices_mm = -1.0;
};

struct DicomSliceHeader {
  std::string file;
  DicomFileKind kind = DicomFileKind::NotDicom;
  std::string problem;  // why it was skipped or is corrupt (DCMTK's words)
  // Multi-frame objects: the frame this header describes once expanded (expand_frames),
  // -1 for a single-frame file.
  int frame = -1;
  // The file, or "file (frame k)" for one frame of a multi-frame object; for messages.
  std::string name() const {
    return frame < 0 ? file : file + " (frame " + std::to_string(frame + 1) + ")";
  }

  std::string sop_class_uid, sop_instance_uid, study_uid, series_uid, frame_of_reference_uid;
  std::string modality, transfer_syntax;
  int rows = 0, columns = 0, frames = 1;
  int samples_per_pixel = 1, bits_allocated = 0, bits_stored = 0, high_bit = -1;
  int pixel_representation = 0;
  std::string photometric;
  bool has_position = false, has_orientation = false, has_spacing = false;
  double position[3] = {0, 0, 0};     // ImagePositionPatient, mm LPS
  double orientation[6] = {0, 0, 0, 0, 0, 0};  // ImageOrientationPatient (row, column)
  double pixel_spacing[2] = {0, 0};   // PixelSpacing: between rows, between columns (mm)
  double slope = 1.0, intercept = 0.0;
  bool has_padding = false, has_padding_limit = false;
  std::int32_t padding_value = 0, padding_limit = 0;  // stored-value units
  std::int64_t pixel_bytes = -1;  // length of PixelData as found (-1: encapsulated)
  int instance_number = 0;

  // Metadata for the report.
  std::string acquisition_date, acquisition_time, manufacturer, model, series_description;
  std::string convolution_kernel, patient_position;
  int series_number = -1;
  double kvp = -1.0, ctdivol_mgy = -1.0, slice_thickness_mm = -1.0;
  double spacing_between_slices_mm = -1.0, gantry_tilt_deg = 0.0;

  // Enhanced (multi-frame) objects: Shared / Per-frame Functional Groups were found. Then
  // frame_geometry holds one entry per frame, or functional_groups_problem says what is wrong.
  bool functional_groups = false;
  std::vector<DicomFrameGeometry> frame_geometry;
  std::string functional_groups_problem;
};

// Reads the header of one file. Never throws for bad content: the kind says what it is.
DicomSliceHeader read_dicom_header(const std::string& path);

struct SliceDecodeStats {
  std::int64_t padding_voxels = 0;
  std::int64_t clamped_voxels = 0;
};

// One header per frame of an Enhanced (multi-frame) object, with that frame's position,
// orientation, pixel spacing and rescale in the single-frame fields and `frame` set.
// Throws IngestError (MissingTag) when the functional groups do not describe every frame.
std::vector<DicomSliceHeader> expand_frames(const DicomSliceHeader& header);

// The transfer syntaxes the decoders read, as one line for messages and docs.
const char* supported_transfer_syntaxes();

// Decodes the single frame of `header.file` (the syntaxes above: DCMTK's registered
// decoders, JPEG 2000 through GDCM) into rows*columns HU values at `out`, rescale applied and padding
// replaced by options.padding_hu. Throws IngestError (CorruptFile, UnsupportedFormat).
SliceDecodeStats decode_dicom_slice(const DicomSliceHeader& header, const IngestOptions& options,
                                    std::int16_t* out);

// Decodes several frames of one multi-frame file (all headers name the same file; each
// header's `frame`, rescale and padding apply) into outs[k], reading the file once.
SliceDecodeStats decode_dicom_frames(const std::vector<const DicomSliceHeader*>& frames,
                                     const IngestOptions& options,
                                     const std::vector<std::int16_t*>& outs);

// Registers DCMTK's JPEG, JPEG-LS and RLE decoders once per process (thread-safe).
void register_dicom_codecs();

}  // namespace sij::ingest
