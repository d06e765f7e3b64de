#include "pipeline/report/SecondaryCapture.h"

#include <ctime>
#include <string>
#include <vector>

#include <dcmtk/dcmdata/dctk.h>
#include <opencv2/imgproc.hpp>

#include "pipeline/report/AxialOverlay.h"
#include "pipeline/report/OverlayDrawing.h"
#include "pipeline/report/SourceFile.h"

namespace sij::report {
namespace {

// Patient and study attributes copied from the source, so PACS files the capture with the scan.
const DcmTagKey kCopiedFromSource[] = {
    DCM_SpecificCharacterSet, DCM_PatientName, DCM_PatientID, DCM_IssuerOfPatientID, DCM_PatientBirthDate,
    DCM_PatientSex, DCM_PatientAge, DCM_StudyInstanceUID, DCM_StudyDate, DCM_StudyTime, DCM_StudyID,
    DCM_AccessionNumber, DCM_ReferringPhysicianName, DCM_StudyDescription,
};

std::string new_uid(const char* root) {
  char buffer[100];
  return dcmGenerateUniqueIdentifier(buffer, root);
}

void put(DcmDataset& ds, const DcmTagKey& tag, const std::string& value) {
  const OFCondition status = ds.putAndInsertString(tag, value.c_str());
  if (status.bad()) {
    throw SecondaryCaptureError(std::string("cannot set ") + DcmTag(tag).getTagName() + ": " + status.text());
  }
}

// 128-bit FNV-1a: a stable digest of a UID (not cryptographic; collisions need not be feared
// between the few series of a study).
unsigned __int128 fnv1a_128(const std::string& text) {
  const unsigned __int128 prime = (static_cast<unsigned __int128>(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
  unsigned __int128 hash = (static_cast<unsigned __int128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= prime;
  }
  return hash;
}

std::string decimal(unsigned __int128 value) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return digits;
}

}  // namespace

// The instance number after the one in `file`, when `file` is an SC of `series_uid`; else 1.
int next_instance_number(const std::filesystem::path& file, const std::string& series_uid) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return 1;
  DcmFileFormat existing;
  if (existing.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 1024).bad()) return 1;
  OFString series;
  Sint32 number = 0;
  DcmDataset& ds = *existing.getDataset();
  if (ds.findAndGetOFString(DCM_SeriesInstanceUID, series).bad() || series.c_str() != series_uid) return 1;
  if (ds.findAndGetSint32(DCM_InstanceNumber, number).bad() || number < 1) return 1;
  return number + 1;
}


std::string sc_series_uid(const VolumeMetadata& source) {
  if (source.series_uid.empty()) return {};
  return "2.25." + decimal(fnv1a_128("sijtrack secondary capture of " + source.series_uid));
}

int sc_series_number(const VolumeMetadata& source) {
  return source.series_number >= 0 && source.series_number <= 999999 ? 9000 + source.series_number : 990;
}

std::string sc_series_description(const VolumeMetadata& source) {
  std::string text = "sijtrack overlay";
  if (source.series_number >= 0) text += " of series " + std::to_string(source.series_number);
  if (!source.series_description.empty()) text += " " + source.series_description;
  if (text.size() > 64) text.resize(64);
  return text;
}

SecondaryCaptureWritten write_secondary_capture(const cv::Mat& bgr, const analysis::ScanReport& report,
                                                const std::filesystem::path& file, const SecondaryCaptureOptions& options) {
  if (bgr.empty() || bgr.type() != CV_8UC3) throw SecondaryCaptureError("the SC image must be 8-bit, 3 channels (BGR)");
  SecondaryCaptureWritten written;
  DcmFileFormat format;
  DcmDataset& ds = *format.getDataset();

  // Patient and study from the source file, when there is one.
  if (const auto source = first_source_file(report.source); !source.empty()) {
    DcmFileFormat original;
    if (original.loadFile(source.c_str(), EXS_Unknown, EGL_noChange, 64 * 1024).good()) {
      DcmDataset& from = *original.getDataset();
      for (const auto& tag : kCopiedFromSource) {
        DcmElement* element = nullptr;
        if (from.findAndGetElement(tag, element).good() && element != nullptr) {
          ds.insert(static_cast<DcmElement*>(element->clone()), true);
        }
      }
      written.patient_from_source = true;
    }
  }
  OFString study;
  if (ds.findAndGetOFString(DCM_StudyInstanceUID, study).bad() || study.empty()) {
    study = report.source.study_uid.empty() ? new_uid(SITE_STUDY_UID_ROOT).c_str() : report.source.study_uid.c_str();
    put(ds, DCM_StudyInstanceUID, study.c_str());
  }
  written.study_uid = study.c_str();
  // Type 2 attributes of the patient and study modules: present, possibly empty.
  for (const DcmTagKey& tag : {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate,
                               DCM_StudyTime, DCM_StudyID, DCM_AccessionNumber, DCM_ReferringPhysicianName}) {
    if (!ds.tagExists(tag)) put(ds, tag, "");
  }

  written.series_uid = !options.series_uid.empty() ? options.series_uid : sc_series_uid(report.source);
  if (written.series_uid.empty()) written.series_uid = new_uid(SITE_SERIES_UID_ROOT);
  written.series_number = options.series_number >= 0 ? options.series_number : sc_series_number(report.source);
  written.instance_number =
      options.instance_number > 0 ? options.instance_number : next_instance_number(file, written.series_uid);
  const std::string description =
      options.series_description.empty() ? sc_series_description(report.source) : options.series_description;
  written.sop_instance_uid = new_uid(SITE_INSTANCE_UID_ROOT);
  char date[16], time[16];
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::strftime(date, sizeof date, "%Y%m%d", &local);
  std::strftime(time, sizeof time, "%H%M%S", &local);

  put(ds, DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
  put(ds, DCM_SOPInstanceUID, written.sop_instance_uid);
  put(ds, DCM_InstanceCreationDate, date);
  put(ds, DCM_InstanceCreationTime, time);
  // General series and equipment.
  put(ds, DCM_Modality, "OT");
  put(ds, DCM_SeriesInstanceUID, written.series_uid);
  put(ds, DCM_SeriesNumber, std::to_string(written.series_number));
  put(ds, DCM_SeriesDescription, description);
  // Laterality (type 2C, the SIJ is paired): the side of the needle's joint, else empty.
  std::string laterality;
  if (!report.needles.empty()) {
    const auto& side = report.needles.front().relation.joint_found ? report.needles.front().relation.joint_side
                                                                   : report.needles.front().needle.side;
    laterality = side == "left" ? "L" : side == "right" ? "R" : "";
  }
  put(ds, DCM_Laterality, laterality);
  put(ds, DCM_SeriesDate, date);
  put(ds, DCM_SeriesTime, time);
  put(ds, DCM_Manufacturer, "sijtrack");
  // SC equipment and image.
  put(ds, DCM_ConversionType, "WSD");
  put(ds, DCM_SecondaryCaptureDeviceManufacturer, "sijtrack");
  put(ds, DCM_SecondaryCaptureDeviceSoftwareVersions, SIJTRACK_VERSION);
  put(ds, DCM_DateOfSecondaryCapture, date);
  put(ds, DCM_TimeOfSecondaryCapture, time);
  // General image: a derived picture with burned-in text.
  put(ds, DCM_InstanceNumber, std::to_string(written.instance_number));
  put(ds, DCM_ImageType, "DERIVED\\SECONDARY");
  put(ds, DCM_ContentDate, date);
  put(ds, DCM_ContentTime, time);
  put(ds, DCM_DerivationDescription,
      "sijtrack overlay of series " + report.source.series_uid + ": needle, joint outline, gas; not for diagnosis alone");
  put(ds, DCM_BurnedInAnnotation, "YES");
  put(ds, DCM_PatientOrientation,
      options.row_direction.empty() || options.column_direction.empty() ? std::string()
                                                                          : options.row_direction + "\\" + options.column_direction);
  // Image pixel: RGB, interleaved, 8 bit.
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  if (!rgb.isContinuous()) rgb = rgb.clone();
  const auto status_ok = [](const OFCondition& c, const char* what) {
    if (c.bad()) throw SecondaryCaptureError(std::string("cannot set ") + what + ": " + c.text());
  };
  status_ok(ds.putAndInsertUint16(DCM_SamplesPerPixel, 3), "SamplesPerPixel");
  put(ds, DCM_PhotometricInterpretation, "RGB");
  status_ok(ds.putAndInsertUint16(DCM_PlanarConfiguration, 0), "PlanarConfiguration");
  status_ok(ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(rgb.rows)), "Rows");
  status_ok(ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(rgb.cols)), "Columns");
  status_ok(ds.putAndInsertUint16(DCM_BitsAllocated, 8), "BitsAllocated");
  status_ok(ds.putAndInsertUint16(DCM_BitsStored, 8), "BitsStored");
  status_ok(ds.putAndInsertUint16(DCM_HighBit, 7), "HighBit");
  status_ok(ds.putAndInsertUint16(DCM_PixelRepresentation, 0), "PixelRepresentation");
  status_ok(ds.putAndInsertUint8Array(DCM_PixelData, rgb.data, static_cast<unsigned long>(rgb.total() * 3)), "PixelData");

  const OFCondition saved = format.saveFile(file.c_str(), EXS_LittleEndianExplicit);
  if (saved.bad()) throw SecondaryCaptureError("cannot write " + file.string() + ": " + saved.text());
  return written;
}

SecondaryCaptureWritten write_axial_secondary_capture(const analysis::ScanReport& report, const Volume& volume,
                                                      const std::filesystem::path& file, SecondaryCaptureOptions options) {
  const AxialOverlay overlay = render_axial_overlay(report, volume);
  const double* D = volume.affine.direction;
  const double col[3] = {D[0], D[3], D[6]}, row[3] = {D[1], D[4], D[7]};
  if (options.row_direction.empty()) options.row_direction = orientation_letter(col);
  if (options.column_direction.empty()) options.column_direction = orientation_letter(row);
  return write_secondary_capture(overlay.image, report, file, options);
}

}  // namespace sij::report
