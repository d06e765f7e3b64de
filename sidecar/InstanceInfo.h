// The few header fields the sidecar needs from a received instance: where it goes in the spool,
// whether it is a CT image we take, and what it says about the size of its series.
#pragma once

#include <string>

class DcmDataset;

namespace sij::sidecar {

inline constexpr const char* kCtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
inline constexpr const char* kEnhancedCtImageStorage = "1.2.840.10008.5.1.4.1.1.2.1";

struct InstanceInfo {
  std::string study_uid, series_uid, sop_instance_uid, sop_class_uid, modality;
  int number_of_frames = 1;
  int images_in_acquisition = 0;   // (0020,1002), 0 when absent
  std::string acquisition_key;     // AcquisitionDate+Time, else Series, else Study: sortable
  // The count that completes the series: 1 for a multi-frame Enhanced CT object (the whole
  // volume in one file), Images in Acquisition when given, else 0 (unknown: quiet period).
  int expected_count() const;
};

InstanceInfo read_instance_info(DcmDataset& dataset);

// CT Image Storage and Enhanced CT Image Storage: the SOP classes the sidecar accepts.
bool is_accepted_sop_class(const std::string& sop_class_uid);
// "Secondary Capture Image Storage (1.2.840.10008.5.1.4.1.1.7)", for log lines.
std::string describe_sop_class(const std::string& sop_class_uid);

}  // namespace sij::sidecar
