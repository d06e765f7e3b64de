#include "pipeline/report/SegmentationWriter.h"

#include <dcmtk/config/osconfig.h>  // must come first
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmiod/iodmacro.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <cstdio>
#include <memory>

#include "pipeline/report/DcmtkQuiet.h"
#include "pipeline/report/SourceFile.h"

namespace sij::report {
namespace {

std::string new_uid(const char* root) {
  char buffer[100];
  return dcmGenerateUniqueIdentifier(buffer, root);
}

void check(const OFCondition& status, const std::string& what) {
  if (status.bad()) throw SegmentationError("DICOM SEG: " + what + ": " + status.text());
}

std::string ds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

// Category, type and type modifier of one segment (SNOMED CT codes; header comment).
std::unique_ptr<DcmSegment> make_segment(const SegmentMask& m) {
  CodeSequenceMacro category, type;
  switch (m.kind) {
    case SegmentKind::JointSpace:
      category = CodeSequenceMacro("91723000", "SCT", "Anatomical Structure");
      type = CodeSequenceMacro("39723000", "SCT", "Sacroiliac joint");
      break;
    case SegmentKind::Needle:
      category = CodeSequenceMacro("260787004", "SCT", "Physical object");
      type = CodeSequenceMacro("79068005", "SCT", "Needle");
      break;
    default:
      category = CodeSequenceMacro("91720002", "SCT", "Body Substance");
      type = CodeSequenceMacro("74947009", "SCT", "Gas");
      break;
  }
  DcmSegment* raw = nullptr;
  check(DcmSegment::create(raw, m.label.substr(0, 64), category, type, DcmSegTypes::SAT_AUTOMATIC, "sijtrack"),
        "segment " + m.key);
  std::unique_ptr<DcmSegment> segment(raw);
  check(segment->setSegmentDescription(m.description.substr(0, 64)), "segment description");
  check(segment->setTrackingID(m.key), "tracking id");
  check(segment->setTrackingUID(new_uid(SITE_INSTANCE_UID_ROOT).c_str()), "tracking uid");
  if (m.kind == SegmentKind::JointSpace && (m.side == "left" || m.side == "right")) {
    auto* laterality = m.side == "left" ? new CodeSequenceMacro("7771000", "SCT", "Left")
                                        : new CodeSequenceMacro("24028007", "SCT", "Right");
    segment->getSegmentedPropertyTypeModifierCode().push_back(laterality);
  }
  if (m.kind == SegmentKind::InjectedGasIntraArticular || m.kind == SegmentKind::InjectedGasPeriArticular) {
    segment->getGeneralAnatomyCode().getAnatomicRegion().set("39723000", "SCT", "Sacroiliac joint");
  }
  return segment;
}

// The source slice z's frame-level references: its SOP instance (and frame).
FGDerivationImage* derivation_for_slice(const VolumeMetadata& meta, std::size_t z) {
  auto* der = new FGDerivationImage();
  DerivationImageItem* item = nullptr;
  check(der->addDerivationImageItem(CodeSequenceMacro("113076", "DCM", "Segmentation"), "", item),
        "derivation image");
  SourceImageItem* source = new SourceImageItem();
  source->getPurposeOfReferenceCode().set("121322", "DCM", "Source image for image processing operation");
  check(source->getImageSOPInstanceReference().setReferencedSOPClassUID(meta.sop_class_uid.c_str()), "source class");
  check(source->getImageSOPInstanceReference().setReferencedSOPInstanceUID(meta.slice_sop_instance_uids[z].c_str()),
        "source instance");
  if (z < meta.slice_frame_numbers.size() && meta.slice_frame_numbers[z] > 0) {
    check(source->getImageSOPInstanceReference().addReferencedFrameNumber(
              static_cast<Uint16>(meta.slice_frame_numbers[z])),
          "source frame");
  }
  item->getSourceImageItems().push_back(source);
  return der;
}

void add_references(DcmSegmentation& seg, const VolumeMetadata& meta) {
  auto* series = new IODSeriesAndInstanceReferenceMacro::ReferencedSeriesItem();
  check(series->setSeriesInstanceUID(meta.series_uid.c_str()), "referenced series");
  std::string last;
  for (const auto& uid : meta.slice_sop_instance_uids) {
    if (uid == last) continue;  // the frames of one multi-frame object: one instance
    check(series->addReference(meta.sop_class_uid.c_str(), uid.c_str()), "referenced instance");
    last = uid;
  }
  seg.getCommonInstanceReference().getReferencedSeriesItems().push_back(series);
}

void add_shared_geometry(DcmSegmentation& seg, const analysis::ScanReport& report) {
  const double* d = report.affine.direction;  // columns: row direction, column direction, normal
  FGPlaneOrientationPatient* orientation = FGPlaneOrientationPatient::createMinimal(
      ds(d[0]).c_str(), ds(d[3]).c_str(), ds(d[6]).c_str(), ds(d[1]).c_str(), ds(d[4]).c_str(), ds(d[7]).c_str());
  std::unique_ptr<FGPlaneOrientationPatient> keep(orientation);
  check(seg.addForAllFrames(*orientation), "plane orientation");
  FGPixelMeasures measures;
  check(measures.setPixelSpacing((ds(report.grid.sy_mm) + "\\" + ds(report.grid.sx_mm)).c_str()), "pixel spacing");
  check(measures.setSliceThickness(ds(report.source.slice_thickness_mm > 0 ? report.source.slice_thickness_mm
                                                                           : report.grid.sz_mm).c_str()),
        "slice thickness");
  check(measures.setSpacingBetweenSlices(ds(report.grid.sz_mm).c_str()), "spacing between slices");
  check(seg.addForAllFrames(measures), "pixel measures");
}

// Adds the frames of one segment: every source slice from its first to its last voxel's.
int add_segment_frames(DcmSegmentation& seg, const analysis::ScanReport& report, const SegmentMask& m,
                       Uint16 number, std::vector<Uint8>& frame) {
  const Grid& g = report.grid;
  const std::int64_t plane = static_cast<std::int64_t>(g.nx) * g.ny;
  const std::int32_t z_first = static_cast<std::int32_t>(m.voxels.front() / plane);
  const std::int32_t z_last = static_cast<std::int32_t>(m.voxels.back() / plane);
  std::size_t next = 0;
  int frames = 0;
  for (std::int32_t z = z_first; z <= z_last; ++z) {
    // `frame` is all zero here; only this slice's voxels are set, and cleared after use.
    const std::size_t slice_begin = next;
    while (next < m.voxels.size() && m.voxels[next] / plane == z) {
      frame[static_cast<std::size_t>(m.voxels[next] % plane)] = 1;
      ++next;
    }
    const double idx[3] = {0.0, 0.0, double(z)};
    double p[3];
    report.affine.index_to_physical(g, idx, p);
    FGPlanePosPatient* position = FGPlanePosPatient::createMinimal(ds(p[0]).c_str(), ds(p[1]).c_str(), ds(p[2]).c_str());
    auto* content = new FGFrameContent();
    check(content->setDimensionIndexValues(number, 0), "dimension index");
    check(content->setDimensionIndexValues(static_cast<Uint32>(z + 1), 1), "dimension index");
    OFVector<FGBase*> per_frame;
    per_frame.push_back(position);
    per_frame.push_back(content);
    per_frame.push_back(derivation_for_slice(report.source, static_cast<std::size_t>(z)));
    const OFCondition status = seg.addFrame(frame.data(), number, per_frame);
    for (FGBase* fg : per_frame) delete fg;  // addFrame copies them
    for (std::size_t k = slice_begin; k < next; ++k) frame[static_cast<std::size_t>(m.voxels[k] % plane)] = 0;
    check(status, "frame of segment " + m.key);
    ++frames;
  }
  return frames;
}

}  // namespace

SegmentationWritten write_segmentation(const analysis::ScanReport& report, const std::vector<SegmentMask>& masks,
                                       const std::filesystem::path& file, const SegmentationOptions& options) {
  quiet_dcmtk();
  const VolumeMetadata& meta = report.source;
  const Grid& g = report.grid;
  if (meta.source_format != "DICOM" || meta.slice_sop_instance_uids.size() != static_cast<std::size_t>(g.nz) ||
      meta.series_uid.empty() || meta.study_uid.empty()) {
    throw SegmentationError("a DICOM SEG needs a scan read from a DICOM series (its instances are referenced); " +
                            meta.source_path + " is " + (meta.source_format.empty() ? "not DICOM" : meta.source_format));
  }
  if (masks.empty()) {
    throw SegmentationError("nothing to segment: no gas, joint space or needle was found in " + meta.source_path);
  }
  const std::filesystem::path source = first_source_file(meta);
  if (source.empty()) throw SegmentationError("no source DICOM file of " + meta.source_path + " is readable");

  IODGeneralEquipmentModule::EquipmentInfo equipment("sijtrack", "sijtrack", "0", SIJTRACK_VERSION);
  ContentIdentificationMacro content("1", "SIJTRACK", "sijtrack gas, joints and needles", "sijtrack^");
  DcmSegmentation* raw = nullptr;
  check(DcmSegmentation::createBinarySegmentation(raw, static_cast<Uint16>(g.ny), static_cast<Uint16>(g.nx),
                                                  equipment, content),
        "create");
  std::unique_ptr<DcmSegmentation> seg(raw);
  check(seg->importFromSourceImage(source.c_str()), "import patient and study from " + source.string());

  SegmentationWritten written;
  written.study_uid = meta.study_uid;
  written.series_uid = options.series_uid.empty() ? new_uid(SITE_SERIES_UID_ROOT) : options.series_uid;
  check(seg->getSeries().setSeriesInstanceUID(written.series_uid.c_str()), "series uid");
  check(seg->getSeries().setSeriesNumber(std::to_string(options.series_number).c_str()), "series number");
  check(seg->getSeries().setSeriesDescription(options.series_description.c_str()), "series description");
  written.sop_instance_uid = new_uid(SITE_INSTANCE_UID_ROOT);
  check(seg->getSOPCommon().setSOPInstanceUID(written.sop_instance_uid.c_str()), "instance uid");
  if (!meta.frame_of_reference_uid.empty()) {
    check(seg->getFrameOfReference().setFrameOfReferenceUID(meta.frame_of_reference_uid.c_str()), "frame of reference");
  }

  const std::string dimension_uid = new_uid(SITE_INSTANCE_UID_ROOT);
  check(seg->getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dimension_uid.c_str(),
                                               DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber"),
        "dimension");
  check(seg->getDimensions().addDimensionIndex(DCM_ImagePositionPatient, dimension_uid.c_str(),
                                               DCM_PlanePositionSequence, "ImagePositionPatient"),
        "dimension");
  add_shared_geometry(*seg, report);
  add_references(*seg, meta);

  std::vector<Uint8> frame(static_cast<std::size_t>(g.nx) * g.ny);
  for (const SegmentMask& m : masks) {
    if (m.voxels.empty()) continue;
    std::unique_ptr<DcmSegment> segment = make_segment(m);
    Uint16 number = 0;
    check(seg->addSegment(segment.get(), number), "add segment " + m.key);
    segment.release();  // owned by the segmentation now
    written.frames += add_segment_frames(*seg, report, m, number, frame);
    written.segments.push_back({number, m.key, m.label, m.kind, static_cast<std::int64_t>(m.voxels.size())});
  }
  check(seg->saveFile(file.c_str()), "write " + file.string());
  return written;
}

SegmentationWritten write_segmentation(const analysis::ScanReport& report, const std::filesystem::path& file,
                                       const SegmentationOptions& options) {
  return write_segmentation(report, build_segment_masks(report, options.masks), file, options);
}

}  // namespace sij::report
