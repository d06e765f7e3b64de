#include "sidecar/InstanceInfo.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

namespace sij::sidecar {
namespace {

std::string get_string(DcmDataset& dataset, const DcmTagKey& tag) {
  OFString value;
  if (dataset.findAndGetOFString(tag, value).good()) return std::string(value.c_str());
  return {};
}

int get_int(DcmDataset& dataset, const DcmTagKey& tag) {
  const std::string text = get_string(dataset, tag);
  try {
    return text.empty() ? 0 : std::stoi(text);
  } catch (...) {
    return 0;  // a malformed count only means "unknown": the quiet period decides
  }
}

}  // namespace

int InstanceInfo::expected_count() const {
  if (sop_class_uid == kEnhancedCtImageStorage && number_of_frames > 1) return 1;
  return images_in_acquisition > 0 ? images_in_acquisition : 0;
}

InstanceInfo read_instance_info(DcmDataset& dataset) {
  InstanceInfo info;
  info.study_uid = get_string(dataset, DCM_StudyInstanceUID);
  info.series_uid = get_string(dataset, DCM_SeriesInstanceUID);
  info.sop_instance_uid = get_string(dataset, DCM_SOPInstanceUID);
  info.sop_class_uid = get_string(dataset, DCM_SOPClassUID);
  info.modality = get_string(dataset, DCM_Modality);
  info.number_of_frames = std::max(1, get_int(dataset, DCM_NumberOfFrames));
  info.images_in_acquisition = get_int(dataset, DCM_ImagesInAcquisition);
  std::string date_time = get_string(dataset, DCM_AcquisitionDateTime);
  if (date_time.empty()) date_time = get_string(dataset, DCM_AcquisitionDate) + get_string(dataset, DCM_AcquisitionTime);
  if (date_time.empty()) date_time = get_string(dataset, DCM_SeriesDate) + get_string(dataset, DCM_SeriesTime);
  if (date_time.empty()) date_time = get_string(dataset, DCM_StudyDate) + get_string(dataset, DCM_StudyTime);
  info.acquisition_key = date_time;
  return info;
}

bool is_accepted_sop_class(const std::string& sop_class_uid) {
  return sop_class_uid == kCtImageStorage || sop_class_uid == kEnhancedCtImageStorage;
}

std::string describe_sop_class(const std::string& sop_class_uid) {
  if (sop_class_uid.empty()) return "no SOP Class UID";
  const char* name = dcmFindNameOfUID(sop_class_uid.c_str(), nullptr);
  return name ? std::string(name) + " (" + sop_class_uid + ")" : sop_class_uid;
}

}  // namespace sij::sidecar
