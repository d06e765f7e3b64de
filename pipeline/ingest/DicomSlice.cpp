#include "pipeline/ingest/DicomSlice.h"

#include <dcmtk/config/osconfig.h>  // must come first
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>

#include "pipeline/ingest/IngestError.h"
#include "pipeline/ingest/Jpeg2000Decoder.h"

namespace sij::ingest {
namespace {

// Values above this length are left on disk during the header pass.
constexpr Uint32 kHeaderMaxReadLength = 4096;

bool has_dicm_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char buf[132] = {};
  in.read(buf, sizeof buf);
  return in.gcount() == 132 && std::memcmp(buf + 128, "DICM", 4) == 0;
}

// Values the header pass reads are short; a longer one (a corrupt length field that claims
// gigabytes of a value left on disk) is treated as absent instead of being loaded.
constexpr Uint32 kMaxTagValueLength = 64 * 1024;

DcmElement* find_small(DcmItem& ds, const DcmTagKey& key, bool deep = false) {
  DcmElement* el = nullptr;
  if (ds.findAndGetElement(key, el, deep ? OFTrue : OFFalse).bad() || el == nullptr) return nullptr;
  if (el->getLengthField() > kMaxTagValueLength) return nullptr;  // getLength() may load it
  return el;
}

std::string get_string(DcmItem& ds, const DcmTagKey& key, bool deep = false) {
  DcmElement* el = find_small(ds, key, deep);
  OFString value;
  if (el != nullptr && el->getOFStringArray(value).good()) return std::string(value.c_str());
  return {};
}

bool get_doubles(DcmItem& ds, const DcmTagKey& key, double* out, int count, bool deep = false) {
  DcmElement* el = find_small(ds, key, deep);
  if (el == nullptr) return false;
  for (int i = 0; i < count; ++i) {
    Float64 v = 0;
    if (el->getFloat64(v, static_cast<unsigned long>(i)).bad() || !std::isfinite(v)) return false;
    out[i] = v;
  }
  return true;
}

double get_double(DcmItem& ds, const DcmTagKey& key, double fallback) {
  double v = fallback;
  return get_doubles(ds, key, &v, 1) ? v : fallback;
}

int get_int(DcmItem& ds, const DcmTagKey& key, int fallback) {
  DcmElement* el = find_small(ds, key);
  if (el == nullptr) return fallback;
  Uint16 u = 0;
  if (el->getUint16(u).good()) return u;
  Sint32 s = 0;
  if (el->getSint32(s).good()) return s;
  return fallback;
}

// A US or SS element (Pixel Padding Value and its range limit); `signed_pixels` decides how
// a US-read value is interpreted (implicit VR files give no VR).
bool get_stored_value(DcmItem& ds, const DcmTagKey& key, bool signed_pixels, std::int32_t& out) {
  DcmElement* el = find_small(ds, key);
  if (el == nullptr || el->getLength() < 2) return false;
  if (el->ident() == EVR_SS) {
    Sint16 v = 0;
    if (el->getSint16(v).bad()) return false;
    out = v;
    return true;
  }
  Uint16 v = 0;
  if (el->getUint16(v).bad()) return false;
  out = signed_pixels ? static_cast<std::int32_t>(static_cast<Sint16>(v)) : v;
  return true;
}

// The first item of sequence `seq` inside `parent`, or nullptr.
DcmItem* first_item(DcmItem* parent, const DcmTagKey& seq) {
  if (parent == nullptr) return nullptr;
  DcmItem* item = nullptr;
  if (parent->findAndGetSequenceItem(seq, item, 0).bad()) return nullptr;
  return item;
}

// A functional group macro (e.g. Plane Position Sequence) for one frame: the per-frame
// item's, else the shared item's.
DcmItem* group_item(DcmItem* per_frame, DcmItem* shared, const DcmTagKey& seq) {
  DcmItem* item = first_item(per_frame, seq);
  return item != nullptr ? item : first_item(shared, seq);
}

// Reads the Shared and Per-frame Functional Groups of an Enhanced (multi-frame) object:
// Plane Position (0020,9113), Plane Orientation (0020,9116), Pixel Measures (0028,9110) and
// Pixel Value Transformation (0028,9145) for every frame.
void read_functional_groups(DcmDataset& ds, DicomSliceHeader& h) {
  DcmItem* shared = first_item(&ds, DCM_SharedFunctionalGroupsSequence);
  DcmSequenceOfItems* per_frame = nullptr;
  if (ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, per_frame).bad()) per_frame = nullptr;
  if (shared == nullptr && per_frame == nullptr) return;
  h.functional_groups = true;
  const unsigned long items = per_frame != nullptr ? per_frame->card() : 0;
  if (items != static_cast<unsigned long>(h.frames)) {
    h.functional_groups_problem = "PerFrameFunctionalGroupsSequence (5200,9230) has " +
                                  std::to_string(items) + " items, NumberOfFrames (0028,0008) is " +
                                  std::to_string(h.frames);
    return;
  }
  h.frame_geometry.resize(static_cast<std::size_t>(h.frames));
  for (int f = 0; f < h.frames; ++f) {
    DcmItem* pf = per_frame->getItem(static_cast<unsigned long>(f));
    DicomFrameGeometry& g = h.frame_geometry[static_cast<std::size_t>(f)];
    if (DcmItem* it = group_item(pf, shared, DCM_PlanePositionSequence)) {
      g.has_position = get_doubles(*it, DCM_ImagePositionPatient, g.position, 3);
    }
    if (DcmItem* it = group_item(pf, shared, DCM_PlaneOrientationSequence)) {
      g.has_orientation = get_doubles(*it, DCM_ImageOrientationPatient, g.orientation, 6);
    }
    if (DcmItem* it = group_item(pf, shared, DCM_PixelMeasuresSequence)) {
      g.has_spacing = get_doubles(*it, DCM_PixelSpacing, g.pixel_spacing, 2) &&
                      g.pixel_spacing[0] > 0 && g.pixel_spacing[1] > 0;
      g.slice_thickness_mm = get_double(*it, DCM_SliceThickness, -1.0);
      g.spacing_between_slices_mm = get_double(*it, DCM_SpacingBetweenSlices, -1.0);
    }
    if (DcmItem* it = group_item(pf, shared, DCM_PixelValueTransformationSequence)) {
      g.slope = get_double(*it, DCM_RescaleSlope, 1.0);
      g.intercept = get_double(*it, DCM_RescaleIntercept, 0.0);
    } else {  // Legacy-converted objects may keep the top-level tags.
      g.slope = h.slope;
      g.intercept = h.intercept;
    }
    if (g.slope == 0.0) g.slope = 1.0;
  }
}

// A string searched at the top level first, then inside sequences (Enhanced CT keeps KVP,
// the kernel and CTDIvol in functional group macros).
std::string get_string_deep(DcmItem& ds, const DcmTagKey& key) {
  std::string v = get_string(ds, key);
  return v.empty() ? get_string(ds, key, true) : v;
}

double get_double_deep(DcmItem& ds, const DcmTagKey& key, double fallback) {
  double v = fallback;
  if (get_doubles(ds, key, &v, 1)) return v;
  return get_doubles(ds, key, &v, 1, true) ? v : fallback;
}

void silence_dcmtk_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // The core never prints: DCMTK's parser warnings become our typed errors instead.
    OFLog::getLogger("dcmtk").setLogLevel(OFLogger::FATAL_LOG_LEVEL);
  });
}

}  // namespace

void register_dicom_codecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    silence_dcmtk_once();
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

DicomSliceHeader read_dicom_header(const std::string& path) {
  silence_dcmtk_once();
  DicomSliceHeader h;
  h.file = path;
  DcmFileFormat ff;
  const OFCondition cond = ff.loadFile(path.c_str(), EXS_Unknown, EGL_noChange,
                                       kHeaderMaxReadLength, ERM_autoDetect);
  DcmDataset* ds = ff.getDataset();
  if (cond.bad()) {
    const bool looks_dicom = has_dicm_magic(path) ||
                             (ds != nullptr && ds->tagExists(DCM_SOPInstanceUID));
    h.kind = looks_dicom ? DicomFileKind::Corrupt : DicomFileKind::NotDicom;
    h.problem = cond.text();
    if (!looks_dicom) return h;
  }
  if (ds == nullptr) return h;

  h.sop_class_uid = get_string(*ds, DCM_SOPClassUID);
  if (h.sop_class_uid.empty()) {
    h.sop_class_uid = get_string(*ff.getMetaInfo(), DCM_MediaStorageSOPClassUID);
  }
  h.sop_instance_uid = get_string(*ds, DCM_SOPInstanceUID);
  h.study_uid = get_string(*ds, DCM_StudyInstanceUID);
  h.series_uid = get_string(*ds, DCM_SeriesInstanceUID);
  h.frame_of_reference_uid = get_string(*ds, DCM_FrameOfReferenceUID);
  h.modality = get_string(*ds, DCM_Modality);
  const E_TransferSyntax xfer = ds->getOriginalXfer();
  h.transfer_syntax = DcmXfer(xfer).getXferID();

  h.rows = get_int(*ds, DCM_Rows, 0);
  h.columns = get_int(*ds, DCM_Columns, 0);
  {
    const std::string frames = get_string(*ds, DCM_NumberOfFrames);
    h.frames = frames.empty() ? 1 : std::max(1, std::atoi(frames.c_str()));
  }
  h.samples_per_pixel = get_int(*ds, DCM_SamplesPerPixel, 1);
  h.bits_allocated = get_int(*ds, DCM_BitsAllocated, 0);
  h.bits_stored = get_int(*ds, DCM_BitsStored, h.bits_allocated);
  h.high_bit = get_int(*ds, DCM_HighBit, h.bits_stored - 1);
  h.pixel_representation = get_int(*ds, DCM_PixelRepresentation, 0);
  h.photometric = get_string(*ds, DCM_PhotometricInterpretation);
  h.has_position = get_doubles(*ds, DCM_ImagePositionPatient, h.position, 3);
  h.has_orientation = get_doubles(*ds, DCM_ImageOrientationPatient, h.orientation, 6);
  h.has_spacing = get_doubles(*ds, DCM_PixelSpacing, h.pixel_spacing, 2) &&
                  h.pixel_spacing[0] > 0 && h.pixel_spacing[1] > 0;
  h.slope = get_double(*ds, DCM_RescaleSlope, 1.0);
  h.intercept = get_double(*ds, DCM_RescaleIntercept, 0.0);
  if (h.slope == 0.0) h.slope = 1.0;
  const bool signed_pixels = h.pixel_representation == 1;
  h.has_padding = get_stored_value(*ds, DCM_PixelPaddingValue, signed_pixels, h.padding_value);
  h.has_padding_limit =
      get_stored_value(*ds, DCM_PixelPaddingRangeLimit, signed_pixels, h.padding_limit);
  {
    const std::string n = get_string(*ds, DCM_InstanceNumber);
    h.instance_number = n.empty() ? 0 : std::atoi(n.c_str());
  }

  h.acquisition_date = get_string(*ds, DCM_AcquisitionDate);
  h.acquisition_time = get_string(*ds, DCM_AcquisitionTime);
  {
    // Enhanced objects: AcquisitionDateTime (0008,002A) YYYYMMDDHHMMSS.frac.
    const std::string dt = get_string(*ds, DCM_AcquisitionDateTime);
    if (dt.size() >= 8 && h.acquisition_date.empty()) h.acquisition_date = dt.substr(0, 8);
    if (dt.size() > 8 && h.acquisition_time.empty()) h.acquisition_time = dt.substr(8);
  }
  if (h.acquisition_date.empty()) h.acquisition_date = get_string(*ds, DCM_SeriesDate);
  if (h.acquisition_date.empty()) h.acquisition_date = get_string(*ds, DCM_StudyDate);
  if (h.acquisition_time.empty()) h.acquisition_time = get_string(*ds, DCM_SeriesTime);
  if (h.acquisition_time.empty()) h.acquisition_time = get_string(*ds, DCM_StudyTime);
  h.manufacturer = get_string(*ds, DCM_Manufacturer);
  h.model = get_string(*ds, DCM_ManufacturerModelName);
  h.series_description = get_string(*ds, DCM_SeriesDescription);
  h.convolution_kernel = get_string_deep(*ds, DCM_ConvolutionKernel);
  h.patient_position = get_string(*ds, DCM_PatientPosition);
  {
    const std::string n = get_string(*ds, DCM_SeriesNumber);
    h.series_number = n.empty() ? -1 : std::atoi(n.c_str());
  }
  h.kvp = get_double_deep(*ds, DCM_KVP, -1.0);
  h.ctdivol_mgy = get_double_deep(*ds, DCM_CTDIvol, -1.0);
  h.slice_thickness_mm = get_double(*ds, DCM_SliceThickness, -1.0);
  h.spacing_between_slices_mm = get_double(*ds, DCM_SpacingBetweenSlices, -1.0);
  h.gantry_tilt_deg = get_double(*ds, DCM_GantryDetectorTilt, 0.0);
  read_functional_groups(*ds, h);  // Enhanced objects, one frame or many

  if (h.kind == DicomFileKind::Corrupt) return h;

  DcmElement* pixels = nullptr;
  if (ds->findAndGetElement(DCM_PixelData, pixels).bad() || pixels == nullptr) {
    h.kind = DicomFileKind::NonImage;
    h.problem = h.sop_class_uid == UID_MediaStorageDirectoryStorage ? "DICOMDIR"
                                                                    : "no Pixel Data";
    return h;
  }
  h.kind = DicomFileKind::Image;
  if (DcmXfer(xfer).isEncapsulated()) {
    h.pixel_bytes = -1;
  } else {
    h.pixel_bytes = pixels->getLength();
    const std::int64_t need = static_cast<std::int64_t>(h.rows) * h.columns * h.frames *
                              h.samples_per_pixel * std::max(1, h.bits_allocated / 8);
    if (h.pixel_bytes < need) {
      h.kind = DicomFileKind::Corrupt;
      char buf[160];
      std::snprintf(buf, sizeof buf, "Pixel Data holds %lld bytes, Rows x Columns needs %lld",
                    static_cast<long long>(h.pixel_bytes), static_cast<long long>(need));
      h.problem = buf;
    }
  }
  return h;
}

std::vector<DicomSliceHeader> expand_frames(const DicomSliceHeader& h) {
  if (!h.functional_groups_problem.empty()) {
    throw IngestError(IngestReason::MissingTag,
                      h.functional_groups_problem + " in " + h.file +
                          ": the frames' geometry cannot be known; re-export the series",
                      h.file);
  }
  std::vector<DicomSliceHeader> out;
  out.reserve(h.frame_geometry.size());
  for (std::size_t f = 0; f < h.frame_geometry.size(); ++f) {
    const DicomFrameGeometry& g = h.frame_geometry[f];
    DicomSliceHeader fh;
    // Copy everything but the per-frame table (which would make N copies of N entries).
    fh.file = h.file;
    fh.kind = h.kind;
    fh.problem = h.problem;
    fh.frame = static_cast<int>(f);
    fh.sop_class_uid = h.sop_class_uid;
    fh.sop_instance_uid = h.sop_instance_uid;
    fh.study_uid = h.study_uid;
    fh.series_uid = h.series_uid;
    fh.frame_of_reference_uid = h.frame_of_reference_uid;
    fh.modality = h.modality;
    fh.transfer_syntax = h.transfer_syntax;
    fh.rows = h.rows;
    fh.columns = h.columns;
    fh.frames = h.frames;
    fh.samples_per_pixel = h.samples_per_pixel;
    fh.bits_allocated = h.bits_allocated;
    fh.bits_stored = h.bits_stored;
    fh.high_bit = h.high_bit;
    fh.pixel_representation = h.pixel_representation;
    fh.photometric = h.photometric;
    fh.has_position = g.has_position;
    fh.has_orientation = g.has_orientation;
    fh.has_spacing = g.has_spacing;
    std::copy(g.position, g.position + 3, fh.position);
    std::copy(g.orientation, g.orientation + 6, fh.orientation);
    std::copy(g.pixel_spacing, g.pixel_spacing + 2, fh.pixel_spacing);
    fh.slope = g.slope;
    fh.intercept = g.intercept;
    fh.has_padding = h.has_padding;
    fh.has_padding_limit = h.has_padding_limit;
    fh.padding_value = h.padding_value;
    fh.padding_limit = h.padding_limit;
    fh.pixel_bytes = h.pixel_bytes;
    fh.instance_number = h.instance_number;
    fh.acquisition_date = h.acquisition_date;
    fh.acquisition_time = h.acquisition_time;
    fh.manufacturer = h.manufacturer;
    fh.model = h.model;
    fh.series_description = h.series_description;
    fh.convolution_kernel = h.convolution_kernel;
    fh.patient_position = h.patient_position;
    fh.series_number = h.series_number;
    fh.kvp = h.kvp;
    fh.ctdivol_mgy = h.ctdivol_mgy;
    fh.slice_thickness_mm = g.slice_thickness_mm > 0 ? g.slice_thickness_mm : h.slice_thickness_mm;
    fh.spacing_between_slices_mm =
        g.spacing_between_slices_mm > 0 ? g.spacing_between_slices_mm : h.spacing_between_slices_mm;
    fh.gantry_tilt_deg = h.gantry_tilt_deg;
    fh.functional_groups = true;
    out.push_back(std::move(fh));
  }
  return out;
}

namespace {

[[noreturn]] void throw_corrupt_load(const std::string& file, const OFCondition& cond) {
  throw IngestError(IngestReason::CorruptFile,
                    "corrupt DICOM file " + file + " (" + cond.text() +
                        "): move it out of the folder or re-export the series; the other "
                        "files are untouched",
                    file);
}

// The common case, integer rescale (slope 1, whole intercept): branch-free so the compiler
// vectorises it. Same results as the general loop below: padding first (not counted as
// clamped), then mask/shift, sign extension, intercept, clamp to int16.
template <class Word>
SliceDecodeStats convert_integer(const Word* src, std::size_t count, int shift, std::uint32_t mask,
                                 int bits, bool is_signed, bool has_padding, std::int32_t pad_lo,
                                 std::int32_t pad_hi, std::int32_t intercept,
                                 std::int16_t padding_hu, std::int16_t* out) {
  const std::int32_t sign_bit = is_signed ? (std::int32_t{1} << (bits - 1)) : 0;
  std::int64_t padded = 0, clamped = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t raw = src[i];
    std::int32_t v = static_cast<std::int32_t>((raw >> shift) & mask);
    v = (v ^ sign_bit) - sign_bit;  // sign extension (a no-op for unsigned pixels)
    const std::int32_t hu = v + intercept;
    const std::int32_t c = std::min(std::max(hu, std::int32_t{-32768}), std::int32_t{32767});
    const std::int32_t key = is_signed ? static_cast<std::int32_t>(static_cast<std::int16_t>(raw))
                                       : static_cast<std::int32_t>(raw);
    const bool pad = has_padding & (key >= pad_lo) & (key <= pad_hi);
    padded += pad;
    clamped += !pad & (c != hu);
    out[i] = pad ? padding_hu : static_cast<std::int16_t>(c);
  }
  SliceDecodeStats stats;
  stats.padding_voxels = padded;
  stats.clamped_voxels = clamped;
  return stats;
}

// Stored values of one frame (rows*columns, 8 or 16 bits allocated) to HU.
SliceDecodeStats convert_frame(const DicomSliceHeader& h, const IngestOptions& options,
                               const Uint16* words16, const Uint8* bytes8, std::int16_t* out) {
  const std::size_t count = static_cast<std::size_t>(h.rows) * h.columns;
  const int bits = std::clamp(h.bits_stored, 1, h.bits_allocated);
  // HighBit beyond BitsAllocated (a broken header) cannot shift the value out of the word.
  const int shift = std::clamp(h.high_bit + 1 - bits, 0, h.bits_allocated - bits);
  const std::uint32_t mask = bits >= 32 ? 0xffffffffu : ((1u << bits) - 1u);
  const bool is_signed = h.pixel_representation == 1;
  const std::int32_t pad_lo = h.has_padding_limit ? std::min(h.padding_value, h.padding_limit)
                                                  : h.padding_value;
  const std::int32_t pad_hi = h.has_padding_limit ? std::max(h.padding_value, h.padding_limit)
                                                  : h.padding_value;
  // The padding value is a full 16-bit stored value; compare in the same bit width.
  auto pad_key = [&](std::uint32_t raw) -> std::int32_t {
    return is_signed ? static_cast<std::int32_t>(static_cast<std::int16_t>(raw))
                     : static_cast<std::int32_t>(raw);
  };
  const bool integer_rescale = h.slope == 1.0 && h.intercept == std::floor(h.intercept) &&
                               std::abs(h.intercept) < 1e6;
  const std::int32_t int_intercept = integer_rescale ? static_cast<std::int32_t>(h.intercept) : 0;

  if (integer_rescale) {
    return words16 != nullptr
               ? convert_integer(words16, count, shift, mask, bits, is_signed, h.has_padding, pad_lo,
                                 pad_hi, int_intercept, options.padding_hu, out)
               : convert_integer(bytes8, count, shift, mask, bits, is_signed, h.has_padding, pad_lo,
                                 pad_hi, int_intercept, options.padding_hu, out);
  }

  SliceDecodeStats stats;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t raw = words16 != nullptr ? words16[i] : bytes8[i];
    if (h.has_padding) {
      const std::int32_t key = pad_key(raw);
      if (key >= pad_lo && key <= pad_hi) {
        out[i] = options.padding_hu;
        ++stats.padding_voxels;
        continue;
      }
    }
    std::int32_t v = static_cast<std::int32_t>((raw >> shift) & mask);
    if (is_signed && bits < 32 && (v & (1 << (bits - 1)))) v -= (1 << bits);
    std::int32_t hu;
    if (integer_rescale) {
      hu = v + int_intercept;
    } else {
      const double hu_d = std::round(v * h.slope + h.intercept);  // half away from zero
      hu = hu_d > 32767.0 ? 32768 : (hu_d < -32768.0 ? -32769 : static_cast<std::int32_t>(hu_d));
    }
    if (hu > 32767 || hu < -32768) {
      ++stats.clamped_voxels;
      hu = std::clamp(hu, -32768, 32767);
    }
    out[i] = static_cast<std::int16_t>(hu);
  }
  return stats;
}

// Converts the frames named by `frames` from stored values laid out frame after frame
// (words16 or bytes8, `available` samples in all) into outs[k].
SliceDecodeStats convert_frames(const std::vector<const DicomSliceHeader*>& frames,
                                const IngestOptions& options, const Uint16* words16,
                                const Uint8* bytes8, std::size_t available,
                                const std::vector<std::int16_t*>& outs) {
  SliceDecodeStats total;
  const DicomSliceHeader& h0 = *frames.front();
  const std::size_t count = static_cast<std::size_t>(h0.rows) * h0.columns;
  for (std::size_t k = 0; k < frames.size(); ++k) {
    const DicomSliceHeader& h = *frames[k];
    const std::size_t frame = static_cast<std::size_t>(std::max(0, h.frame));
    const std::size_t first = frame * count;
    if ((words16 == nullptr && bytes8 == nullptr) || available < first + count) {
      throw IngestError(IngestReason::CorruptFile,
                        "truncated Pixel Data in " + h.name() + " (" + std::to_string(available) +
                            " of " + std::to_string(first + count) +
                            " pixels): move it out of the folder or re-export the series; the "
                            "other files are untouched",
                        h.file);
    }
    const SliceDecodeStats s = convert_frame(h, options, words16 != nullptr ? words16 + first : nullptr,
                                             bytes8 != nullptr ? bytes8 + first : nullptr, outs[k]);
    total.padding_voxels += s.padding_voxels;
    total.clamped_voxels += s.clamped_voxels;
  }
  return total;
}

// JPEG 2000 files bypass DCMTK (no JPEG 2000 codec in 3.6.7): GDCM decodes them.
SliceDecodeStats decode_jpeg2000_frames(const std::vector<const DicomSliceHeader*>& frames,
                                        const IngestOptions& options,
                                        const std::vector<std::int16_t*>& outs) {
  const DicomSliceHeader& h0 = *frames.front();
  const int bytes = h0.bits_allocated == 16 ? 2 : 1;
  const std::vector<std::uint8_t> stored =
      decode_jpeg2000_file(h0.file, h0.rows, h0.columns, h0.frames, bytes);
  const Uint16* words16 = bytes == 2 ? reinterpret_cast<const Uint16*>(stored.data()) : nullptr;
  const Uint8* bytes8 = bytes == 1 ? stored.data() : nullptr;
  return convert_frames(frames, options, words16, bytes8, stored.size() / bytes, outs);
}

}  // namespace

const char* supported_transfer_syntaxes() {
  return "Implicit and Explicit VR Little Endian, Explicit VR Big Endian, Deflated Explicit VR "
         "Little Endian, RLE Lossless, JPEG Baseline/Extended/Lossless, JPEG-LS, JPEG 2000";
}

SliceDecodeStats decode_dicom_frames(const std::vector<const DicomSliceHeader*>& frames,
                                     const IngestOptions& options,
                                     const std::vector<std::int16_t*>& outs) {
  if (frames.empty()) return {};
  const DicomSliceHeader& h0 = *frames.front();
  if (is_jpeg2000_transfer_syntax(h0.transfer_syntax)) {
    return decode_jpeg2000_frames(frames, options, outs);
  }
  register_dicom_codecs();
  DcmFileFormat ff;
  OFCondition cond = ff.loadFile(h0.file.c_str());
  if (cond.bad()) throw_corrupt_load(h0.file, cond);
  DcmDataset* ds = ff.getDataset();
  if (DcmXfer(ds->getOriginalXfer()).isEncapsulated()) {
    cond = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (cond.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
      const std::string name = DcmXfer(ds->getOriginalXfer()).getXferName();
      throw IngestError(IngestReason::UnsupportedFormat,
                        "cannot decode transfer syntax " + h0.transfer_syntax + " (" + name +
                            ") of " + h0.file + " (" + cond.text() + "); sijtrack reads " +
                            supported_transfer_syntaxes() +
                            ": re-export the series from the console or PACS in one of those "
                            "(Explicit VR Little Endian always works)",
                        h0.file);
    }
  }
  DcmElement* px = nullptr;
  if (ds->findAndGetElement(DCM_PixelData, px).bad() || px == nullptr) {
    throw IngestError(IngestReason::CorruptFile,
                      "no Pixel Data (7FE0,0010) in " + h0.file + ": re-export the series",
                      h0.file);
  }
  const Uint8* bytes8 = nullptr;
  const Uint16* words16 = nullptr;
  std::size_t available = 0;
  if (h0.bits_allocated == 16) {
    Uint16* p = nullptr;
    cond = px->getUint16Array(p);
    words16 = p;
    available = px->getLength() / 2;
  } else {
    Uint8* p = nullptr;
    cond = px->getUint8Array(p);
    bytes8 = p;
    available = px->getLength();
  }
  if (cond.bad()) available = 0;
  return convert_frames(frames, options, words16, bytes8, available, outs);
}

SliceDecodeStats decode_dicom_slice(const DicomSliceHeader& h, const IngestOptions& options,
                                    std::int16_t* out) {
  return decode_dicom_frames({&h}, options, {out});
}

}  // namespace sij::ingest
