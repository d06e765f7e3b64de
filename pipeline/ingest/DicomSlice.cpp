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

std::string get_string(DcmItem& ds, const DcmTagKey& key) {
  OFString value;
  if (ds.findAndGetOFStringArray(key, value).good()) return std::string(value.c_str());
  return {};
}

bool get_doubles(DcmItem& ds, const DcmTagKey& key, double* out, int count) {
  for (int i = 0; i < count; ++i) {
    Float64 v = 0;
    if (ds.findAndGetFloat64(key, v, static_cast<unsigned long>(i)).bad() || !std::isfinite(v)) {
      return false;
    }
    out[i] = v;
  }
  return true;
}

double get_double(DcmItem& ds, const DcmTagKey& key, double fallback) {
  double v = fallback;
  return get_doubles(ds, key, &v, 1) ? v : fallback;
}

int get_int(DcmItem& ds, const DcmTagKey& key, int fallback) {
  Uint16 u = 0;
  if (ds.findAndGetUint16(key, u).good()) return u;
  Sint32 s = 0;
  if (ds.findAndGetSint32(key, s).good()) return s;
  return fallback;
}

// A US or SS element (Pixel Padding Value and its range limit); `signed_pixels` decides how
// a US-read value is interpreted (implicit VR files give no VR).
bool get_stored_value(DcmItem& ds, const DcmTagKey& key, bool signed_pixels, std::int32_t& out) {
  DcmElement* el = nullptr;
  if (ds.findAndGetElement(key, el).bad() || el == nullptr || el->getLength() < 2) return false;
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
    OFString ms;
    if (ff.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, ms).good()) h.sop_class_uid = ms.c_str();
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
  if (h.acquisition_date.empty()) h.acquisition_date = get_string(*ds, DCM_SeriesDate);
  if (h.acquisition_date.empty()) h.acquisition_date = get_string(*ds, DCM_StudyDate);
  h.acquisition_time = get_string(*ds, DCM_AcquisitionTime);
  if (h.acquisition_time.empty()) h.acquisition_time = get_string(*ds, DCM_SeriesTime);
  if (h.acquisition_time.empty()) h.acquisition_time = get_string(*ds, DCM_StudyTime);
  h.manufacturer = get_string(*ds, DCM_Manufacturer);
  h.model = get_string(*ds, DCM_ManufacturerModelName);
  h.series_description = get_string(*ds, DCM_SeriesDescription);
  h.convolution_kernel = get_string(*ds, DCM_ConvolutionKernel);
  h.patient_position = get_string(*ds, DCM_PatientPosition);
  {
    const std::string n = get_string(*ds, DCM_SeriesNumber);
    h.series_number = n.empty() ? -1 : std::atoi(n.c_str());
  }
  h.kvp = get_double(*ds, DCM_KVP, -1.0);
  h.ctdivol_mgy = get_double(*ds, DCM_CTDIvol, -1.0);
  h.slice_thickness_mm = get_double(*ds, DCM_SliceThickness, -1.0);
  h.spacing_between_slices_mm = get_double(*ds, DCM_SpacingBetweenSlices, -1.0);
  h.gantry_tilt_deg = get_double(*ds, DCM_GantryDetectorTilt, 0.0);

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

SliceDecodeStats decode_dicom_slice(const DicomSliceHeader& h, const IngestOptions& options,
                                    std::int16_t* out) {
  register_dicom_codecs();
  DcmFileFormat ff;
  OFCondition cond = ff.loadFile(h.file.c_str());
  if (cond.bad()) {
    throw IngestError(IngestReason::CorruptFile,
                      "corrupt DICOM file " + h.file + " (" + cond.text() +
                          "): move it out of the folder or re-export the series; the other "
                          "files are untouched",
                      h.file);
  }
  DcmDataset* ds = ff.getDataset();
  if (DcmXfer(ds->getOriginalXfer()).isEncapsulated()) {
    cond = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (cond.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
      throw IngestError(IngestReason::UnsupportedFormat,
                        "cannot decode transfer syntax " + h.transfer_syntax + " of " + h.file +
                            " (" + cond.text() +
                            "): convert it to uncompressed with `dcmdjpeg`/`dcmdrle`/`dcmdjpls`",
                        h.file);
    }
  }
  const std::size_t count = static_cast<std::size_t>(h.rows) * h.columns;
  DcmElement* px = nullptr;
  if (ds->findAndGetElement(DCM_PixelData, px).bad() || px == nullptr) {
    throw IngestError(IngestReason::CorruptFile,
                      "no Pixel Data (7FE0,0010) in " + h.file + ": re-export the series",
                      h.file);
  }
  const Uint8* bytes8 = nullptr;
  const Uint16* words16 = nullptr;
  std::size_t available = 0;
  if (h.bits_allocated == 16) {
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
  if (cond.bad() || (words16 == nullptr && bytes8 == nullptr) || available < count) {
    throw IngestError(IngestReason::CorruptFile,
                      "truncated Pixel Data in " + h.file + " (" + std::to_string(available) +
                          " of " + std::to_string(count) +
                          " pixels): move it out of the folder or re-export the series; the "
                          "other files are untouched",
                      h.file);
  }

  const int bits = std::clamp(h.bits_stored, 1, h.bits_allocated);
  const int shift = std::max(0, h.high_bit + 1 - bits);
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
  const bool integer_rescale = h.slope == 1.0 && h.intercept == std::floor(h.intercept);
  const std::int32_t int_intercept = static_cast<std::int32_t>(h.intercept);

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
    double hu_d;
    std::int32_t hu;
    if (integer_rescale) {
      hu = v + int_intercept;
    } else {
      hu_d = std::round(v * h.slope + h.intercept);  // half away from zero
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

}  // namespace sij::ingest
