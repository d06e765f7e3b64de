#include "pipeline/report/MeasurementReportWriter.h"

#include <dcmtk/config/osconfig.h>  // must come first
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/codes/dcm.h>
#include <dcmtk/dcmsr/codes/ucum.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cstdio>
#include <vector>

#include "pipeline/report/DcmtkQuiet.h"
#include "pipeline/report/SourceFile.h"

namespace sij::report {
namespace {

using Units = CID7181_AbstractMultiDimensionalImageModelComponentUnits;
using Concept = CID7469_GenericIntensityAndSizeMeasurements;
using Value = CMR_TID1500::TID1501_Measurements::MeasurementValue;

const DSRCodedEntryValue kVolume("118565006", "SCT", "Volume");
const DSRCodedEntryValue kDistance("121206", "DCM", "Distance");
const DSRCodedEntryValue kLength("410668003", "SCT", "Length");
const DSRCodedEntryValue kWidth("103355008", "SCT", "Width");
const DSRCodedEntryValue kAngle("110859", "DCM", "Angle");
const DSRCodedEntryValue kGas("74947009", "SCT", "Gas");
const DSRCodedEntryValue kNeedle("79068005", "SCT", "Needle");
const DSRCodedEntryValue kSacroiliacJoint("39723000", "SCT", "Sacroiliac joint");
const DSRCodedEntryValue kNeedleInTarget("111438", "DCM", "Needle in target");
const DSRCodedEntryValue kYes("373066001", "SCT", "Yes");
const DSRCodedEntryValue kNo("373067005", "SCT", "No");
const DSRCodedEntryValue kComment("121106", "DCM", "Comment");
const DSRCodedEntryValue kMm("mm", "UCUM", "millimeter");
const DSRCodedEntryValue kMl("ml", "UCUM", "milliliter");
const DSRCodedEntryValue kDeg("deg", "UCUM", "degree");

void check(const OFCondition& status, const std::string& what) {
  if (status.bad()) throw MeasurementReportError("DICOM SR: " + what + ": " + status.text());
}

std::string num(double v) {  // DS: 16 characters at most
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string new_uid(const char* root) {
  char buffer[100];
  return dcmGenerateUniqueIdentifier(buffer, root);
}

Value value(double v, const DSRCodedEntryValue& unit) { return Value(num(v).c_str(), Units(unit)); }

// The segment of `seg` with this key, or nullptr.
const WrittenSegment* find_segment(const SegmentationWritten& seg, const std::string& key) {
  for (const auto& s : seg.segments) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

// Opens a measurement group: a TID 1411 volumetric group referencing `segment` when there
// is one (PixelMed's validator and readers such as dcmqi expect a region), else a TID 1501
// group. `fill` adds the content through the group's common interface.
template <class Fill>
void add_group(CMR_TID1500& sr, const std::string& name, const DSRCodedEntryValue& finding,
               const SegmentationWritten& seg, const WrittenSegment* segment, const std::string& source_series,
               Fill fill) {
  auto start = [&](auto& g) {
    check(g.setTrackingIdentifier(name.c_str()), "tracking id " + name);
    check(g.setTrackingUniqueIdentifier(new_uid(SITE_INSTANCE_UID_ROOT).c_str()), "tracking uid");
    check(g.setFinding(finding), "finding");
  };
  if (segment != nullptr) {
    check(sr.addVolumetricROIMeasurements(), "group " + name);
    auto& g = sr.getVolumetricROIMeasurements();
    start(g);
    DSRImageReferenceValue ref(seg.sop_class_uid.c_str(), seg.sop_instance_uid.c_str());
    ref.getSegmentList().addItem(static_cast<Uint16>(segment->number));
    check(g.setReferencedSegment(ref), "referenced segment");
    check(g.setSourceSeriesForSegmentation(source_series.c_str()), "source series");
    fill(g);
  } else {
    check(sr.addIndividualMeasurements(), "group " + name);
    auto& g = sr.getIndividualMeasurements();
    start(g);
    fill(g);
  }
}

void add_needle_group(CMR_TID1500& sr, const analysis::NeedleReport& entry, const SegmentationWritten& seg,
                      const std::string& series) {
  const auto& n = entry.needle;
  const auto& r = entry.relation;
  add_group(sr, "needle " + std::to_string(n.id), kNeedle, seg, find_segment(seg, "needle_" + std::to_string(n.id)),
            series, [&](auto& g) {
              if (r.joint_found) {
                check(g.addMeasurement(Concept(kDistance), value(r.tip_to_joint_mm, kMm), OFFalse), "tip to joint");
              }
              check(g.addMeasurement(Concept(kLength), value(n.inserted_length_mm, kMm), OFFalse), "inserted length");
              check(g.addMeasurement(Concept(kAngle), value(n.angle_to_axial_deg, kDeg), OFFalse), "angle to axial");
              check(g.addMeasurement(Concept(kAngle), value(n.angle_in_axial_deg, kDeg), OFFalse), "angle in axial");
              if (r.joint_found) {
                check(g.addQualitativeEvaluation(kNeedleInTarget, r.tip_in_joint ? kYes : kNo), "in joint");
              }
              char text[320];
              std::snprintf(text, sizeof text,
                            "tip (%.2f, %.2f, %.2f) mm LPS +/- %.2f mm (half the profile step plus the axis fit "
                            "rms); angles: first to the axial plane %.1f deg, then in it %.1f deg; joint %s",
                            n.tip_mm[0], n.tip_mm[1], n.tip_mm[2], n.tip_uncertainty_mm, n.angle_to_axial_deg,
                            n.angle_in_axial_deg, r.joint_side.empty() ? "none" : r.joint_side.c_str());
              check(g.addQualitativeEvaluation(kComment, OFString(text)), "needle comment");
            });
}

void add_joint_group(CMR_TID1500& sr, const joint::JointFinding& j, const SegmentationWritten& seg,
                     const std::string& series) {
  add_group(sr, "joint " + j.side, kSacroiliacJoint, seg, find_segment(seg, "joint_" + j.side), series,
            [&](auto& g) {
              check(g.addMeasurement(Concept(kWidth), value(j.gap_width_mm, kMm), OFFalse), "gap width");
              check(g.addMeasurement(Concept(kVolume), value(j.volume_ml, kMl), OFFalse), "joint volume");
              char text[160];
              std::snprintf(text, sizeof text, "gap width interquartile range %.2f mm over %d profiles",
                            j.gap_width_iqr_mm, j.width_samples);
              check(g.addQualitativeEvaluation(kComment, OFString(text)), "joint comment");
            });
}

// The reported mL of the gas a segment holds.
double reported_ml(const gas::GasFinding& gas, SegmentKind kind) {
  switch (kind) {
    case SegmentKind::InjectedGas: return gas.injected_ml;
    case SegmentKind::InjectedGasIntraArticular: return gas.intra_articular_ml;
    case SegmentKind::InjectedGasPeriArticular: return gas.peri_articular_ml;
    case SegmentKind::InjectedGasDistant: return gas.distant_ml;
    case SegmentKind::PreexistingGas: return gas.preexisting_ml;
    default: return 0.0;
  }
}

// One group per gas segment with the reported (partial-volume) mL; the total injected
// volume goes in a TID 1501 group when no injected gas segment exists.
void add_gas_groups(CMR_TID1500& sr, const analysis::ScanReport& report, const SegmentationWritten& seg) {
  if (!report.gas.analysed) return;
  bool total_written = false;
  for (const WrittenSegment& s : seg.segments) {
    if (s.kind == SegmentKind::JointSpace || s.kind == SegmentKind::Needle) continue;
    total_written |= s.kind == SegmentKind::InjectedGas;
    const double ml = reported_ml(report.gas, s.kind);
    add_group(sr, s.label, kGas, seg, &s, report.source.series_uid, [&](auto& g) {
      check(g.addMeasurement(Concept(kVolume), value(ml, kMl), OFFalse), "volume " + s.key);
    });
  }
  if (!total_written) {
    add_group(sr, "injected gas", kGas, seg, nullptr, report.source.series_uid, [&](auto& g) {
      check(g.addMeasurement(Concept(kVolume), value(report.gas.injected_ml, kMl), OFFalse), "total volume");
    });
  }
}

void add_image_library(CMR_TID1500& sr, const VolumeMetadata& meta) {
  if (!sr.getImageLibrary().isValid()) check(sr.getImageLibrary().createNewImageLibrary(), "image library");
  check(sr.getImageLibrary().addImageGroup(), "image library group");
  std::string last;
  for (const auto& uid : meta.slice_sop_instance_uids) {
    if (uid == last) continue;
    last = uid;
    DcmItem item;
    item.putAndInsertString(DCM_SOPClassUID, meta.sop_class_uid.c_str());
    item.putAndInsertString(DCM_SOPInstanceUID, uid.c_str());
    item.putAndInsertString(DCM_Modality, "CT");
    check(sr.getImageLibrary().addImageEntry(item, TID1600_ImageLibrary::withoutDescriptors), "image library");
  }
}

// The tip of needle k as a SCOORD3D point below its k-th Distance measurement (DCMTK's
// TID 300 class adds 2D coordinates only, so the expanded tree is edited).
void add_tip_points(DSRDocument& doc, const analysis::ScanReport& report) {
  std::vector<const analysis::NeedleReport*> with_distance;
  for (const auto& n : report.needles) {
    if (n.relation.joint_found) with_distance.push_back(&n);
  }
  DSRDocumentTree& tree = doc.getTree();
  std::vector<size_t> nodes;
  if (tree.gotoRoot() > 0) {
    do {
      const DSRContentItem& item = tree.getCurrentContentItem();
      if (item.getValueType() == DSRTypes::VT_Num && item.getConceptName() == kDistance) nodes.push_back(tree.getNodeID());
    } while (tree.iterate());
  }
  for (std::size_t k = 0; k < nodes.size() && k < with_distance.size(); ++k) {
    if (tree.gotoNode(nodes[k]) == 0) throw MeasurementReportError("DICOM SR: tip node lost");
    if (tree.addContentItem(DSRTypes::RT_inferredFrom, DSRTypes::VT_SCoord3D, DSRTypes::AM_belowCurrent) == 0) {
      throw MeasurementReportError(std::string("DICOM SR: cannot add the tip point (document ") +
                                   DSRTypes::documentTypeToReadableName(doc.getDocumentType()) + ", node " +
                                   DSRTypes::valueTypeToDefinedTerm(tree.getCurrentContentItem().getValueType()) +
                                   (tree.canAddContentItem(DSRTypes::RT_inferredFrom, DSRTypes::VT_SCoord3D,
                                                           DSRTypes::AM_belowCurrent) ? ", allowed)" : ", refused)"));
    }
    DSRSpatialCoordinates3DValue point(DSRTypes::GT3_Point);
    const double* t = with_distance[k]->needle.tip_mm;
    point.getGraphicDataList().addItem(static_cast<Float32>(t[0]), static_cast<Float32>(t[1]), static_cast<Float32>(t[2]));
    check(point.setFrameOfReferenceUID(report.source.frame_of_reference_uid.c_str()), "tip frame of reference");
    check(tree.getCurrentContentItem().setSpatialCoordinates3D(point), "tip point");
    check(tree.getCurrentContentItem().setConceptName(DSRCodedEntryValue("111010", "DCM", "Center")), "tip name");
  }
}

// Patient and study attributes from the source file (as the Secondary Capture does).
void copy_patient_and_study(DcmDataset& ds, const VolumeMetadata& meta) {
  const std::filesystem::path source = first_source_file(meta);
  if (source.empty()) return;
  DcmFileFormat original;
  if (original.loadFile(source.c_str(), EXS_Unknown, EGL_noChange, 64 * 1024).bad()) return;
  DcmDataset& from = *original.getDataset();
  for (const DcmTagKey& tag : {DCM_PatientName, DCM_PatientID, DCM_IssuerOfPatientID, DCM_PatientBirthDate,
                               DCM_PatientSex, DCM_StudyDate, DCM_StudyTime, DCM_StudyID, DCM_AccessionNumber,
                               DCM_ReferringPhysicianName, DCM_StudyDescription}) {
    DcmElement* element = nullptr;
    if (from.findAndGetElement(tag, element).good() && element != nullptr) {
      ds.insert(static_cast<DcmElement*>(element->clone()), true);
    }
  }
}

}  // namespace

MeasurementReportWritten write_measurement_report(const analysis::ScanReport& report,
                                                  const SegmentationWritten& segmentation,
                                                  const std::filesystem::path& file,
                                                  const MeasurementReportOptions& options) {
  quiet_dcmtk();
  const VolumeMetadata& meta = report.source;
  if (meta.source_format != "DICOM" || meta.slice_sop_instance_uids.empty() || meta.study_uid.empty() ||
      meta.frame_of_reference_uid.empty()) {
    throw MeasurementReportError("a DICOM SR needs a scan read from a DICOM series with a frame of reference; " +
                                 meta.source_path + " is " + (meta.source_format.empty() ? "not DICOM" : meta.source_format));
  }
  CMR_TID1500 sr(CID7021_MeasurementReportDocumentTitles::ImagingMeasurementReport);
  check(sr.addProcedureReported(CID100_QuantitativeDiagnosticImagingProcedures::CTUnspecifiedBodyRegion),
        "procedure reported");
  check(sr.getObservationContext().addDeviceObserver(new_uid(SITE_INSTANCE_UID_ROOT).c_str(), "sijtrack", "sijtrack",
                                                     "sijtrack " SIJTRACK_VERSION),
        "device observer");
  check(sr.setLanguage(CID5000_Languages::English_US, CID5001_Countries::UnitedStates), "language");
  add_image_library(sr, meta);
  for (const auto& entry : report.needles) add_needle_group(sr, entry, segmentation, meta.series_uid);
  for (const auto& j : report.joints) add_joint_group(sr, j, segmentation, meta.series_uid);
  add_gas_groups(sr, report, segmentation);
  if (!report.verdict.line.empty()) {
    check(sr.addQualitativeEvaluation(kComment, OFString(report.verdict.line.c_str())), "verdict");
  }

  DSRDocument doc(DSRTypes::DT_Comprehensive3DSR);
  check(doc.setTreeFromRootTemplate(sr, OFTrue), "document tree");
  // SCOORD3D needs Comprehensive 3D SR (DCMTK picks Enhanced SR for TID 1500).
  check(doc.changeDocumentType(DSRTypes::DT_Comprehensive3DSR), "document type");
  add_tip_points(doc, report);
  check(doc.createNewSeriesInStudy(meta.study_uid.c_str()), "study");
  MeasurementReportWritten written;
  written.study_uid = meta.study_uid;
  check(doc.setSeriesNumber(std::to_string(options.series_number).c_str()), "series number");
  check(doc.setSeriesDescription(options.series_description.c_str()), "series description");
  check(doc.setManufacturer("sijtrack"), "manufacturer");
  check(doc.setManufacturerModelName("sijtrack"), "model");
  check(doc.setSoftwareVersions(SIJTRACK_VERSION), "software version");
  check(doc.setDeviceSerialNumber("0"), "device serial");
  doc.getCurrentRequestedProcedureEvidence().addItem(meta.study_uid.c_str(), meta.series_uid.c_str(),
                                                      meta.sop_class_uid.c_str(), meta.slice_sop_instance_uids.front().c_str());
  std::string last;
  for (const auto& uid : meta.slice_sop_instance_uids) {
    if (uid == last) continue;
    last = uid;
    doc.getCurrentRequestedProcedureEvidence().addItem(meta.study_uid.c_str(), meta.series_uid.c_str(),
                                                        meta.sop_class_uid.c_str(), uid.c_str());
  }
  doc.getCurrentRequestedProcedureEvidence().addItem(segmentation.study_uid.c_str(), segmentation.series_uid.c_str(),
                                                      segmentation.sop_class_uid.c_str(),
                                                      segmentation.sop_instance_uid.c_str());
  DcmFileFormat format;
  check(doc.write(*format.getDataset()), "write dataset");
  copy_patient_and_study(*format.getDataset(), meta);
  if (!options.series_uid.empty()) {
    check(format.getDataset()->putAndInsertString(DCM_SeriesInstanceUID, options.series_uid.c_str()), "series uid");
  }
  OFString uid;
  format.getDataset()->findAndGetOFString(DCM_SeriesInstanceUID, uid);
  written.series_uid = uid.c_str();
  format.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
  written.sop_instance_uid = uid.c_str();
  check(format.saveFile(file.c_str(), EXS_LittleEndianExplicit), "write " + file.string());
  return written;
}

}  // namespace sij::report
