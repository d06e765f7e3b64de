#include "datasets/phantom/DicomWriter.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "datasets/phantom/Uid.h"

namespace sij::phantom {

std::string dicom_ds(double v) {
  if (std::fabs(v) < 5e-7) v = 0.0;
  char buf[32];
  for (int prec = 10; prec >= 4; --prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::string(buf).size() <= 16) return buf;
  }
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string dicom_ds_float(float v) {
  char buf[32];
  for (int prec = 6; prec <= 9; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}

namespace {

void put(DcmDataset* ds, const DcmTagKey& tag, const std::string& value) {
  const OFCondition c = ds->putAndInsertString(tag, value.c_str());
  if (c.bad()) throw std::runtime_error("DICOM: cannot set " + std::string(tag.toString().c_str()) + ": " + c.text());
}

}  // namespace

std::vector<std::string> write_dicom_series(const std::string& dir, const Grid& g, const Affine3& af,
                                            const std::vector<std::int16_t>& hu, const DicomSeriesInfo& info) {
  std::filesystem::create_directories(dir);
  const double* d = af.direction;
  const std::string iop = dicom_ds(d[0]) + "\\" + dicom_ds(d[3]) + "\\" + dicom_ds(d[6]) + "\\" +
                          dicom_ds(d[1]) + "\\" + dicom_ds(d[4]) + "\\" + dicom_ds(d[7]);
  // Spacings are floats in the grid: print the shortest decimal that reads back to them.
  const std::string spacing = dicom_ds_float(g.sy_mm) + "\\" + dicom_ds_float(g.sx_mm);  // rows \ columns
  const std::size_t plane = static_cast<std::size_t>(g.nx) * g.ny;
  std::vector<std::string> files(static_cast<std::size_t>(g.nz));
  std::vector<std::string> errors(static_cast<std::size_t>(g.nz));
#pragma omp parallel for schedule(dynamic)
  for (int k = 0; k < g.nz; ++k) {
    try {
      DcmFileFormat file;
      DcmDataset* ds = file.getDataset();
      put(ds, DCM_SpecificCharacterSet, "ISO_IR 100");
      put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
      put(ds, DCM_SOPClassUID, UID_CTImageStorage);
      put(ds, DCM_SOPInstanceUID, derived_uid(info.instance_uid_seed, kUidInstance, static_cast<std::uint64_t>(k)));
      put(ds, DCM_StudyDate, info.study_date);
      put(ds, DCM_SeriesDate, info.study_date);
      put(ds, DCM_AcquisitionDate, info.study_date);
      put(ds, DCM_ContentDate, info.study_date);
      put(ds, DCM_StudyTime, info.study_time);
      put(ds, DCM_SeriesTime, info.series_time);
      put(ds, DCM_AcquisitionTime, info.acquisition_time);
      put(ds, DCM_ContentTime, info.acquisition_time);
      put(ds, DCM_AccessionNumber, info.accession_number);
      put(ds, DCM_Modality, "CT");
      put(ds, DCM_Manufacturer, "sijtrack phantom");
      put(ds, DCM_InstitutionName, "Synthetic");
      put(ds, DCM_ReferringPhysicianName, "");
      put(ds, DCM_StudyDescription, "CT-guided SIJ injection (phantom)");
      put(ds, DCM_SeriesDescription, info.series_description);
      put(ds, DCM_ManufacturerModelName, "sijtrack phantom generator");
      put(ds, DCM_PatientName, info.patient_name);
      put(ds, DCM_PatientID, info.patient_id);
      put(ds, DCM_PatientBirthDate, info.patient_birth_date);
      put(ds, DCM_PatientSex, info.patient_sex);
      put(ds, DCM_BodyPartExamined, "PELVIS");
      put(ds, DCM_SliceThickness, dicom_ds_float(g.sz_mm));
      put(ds, DCM_KVP, dicom_ds(info.kvp));
      put(ds, DCM_DataCollectionDiameter, "500");
      put(ds, DCM_ReconstructionDiameter, dicom_ds(std::max(g.nx * g.sx_mm, g.ny * g.sy_mm)));
      put(ds, DCM_GantryDetectorTilt, "0");
      put(ds, DCM_XRayTubeCurrent, std::to_string(static_cast<int>(std::lround(info.tube_current_ma))));
      put(ds, DCM_ConvolutionKernel, info.convolution_kernel);
      put(ds, DCM_PatientPosition, info.patient_position);
      put(ds, DCM_CTDIvol, dicom_ds(info.ctdivol_mgy));
      {
        // CTDIvol refers to the 32 cm body dosimetry phantom.
        DcmItem* code = nullptr;
        if (ds->findOrCreateSequenceItem(DCM_CTDIPhantomTypeCodeSequence, code, -2).bad() || !code) {
          throw std::runtime_error("DICOM: cannot create CTDIPhantomTypeCodeSequence");
        }
        code->putAndInsertString(DCM_CodeValue, "113691");
        code->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
        code->putAndInsertString(DCM_CodeMeaning, "IEC Body Dosimetry Phantom");
      }
      put(ds, DCM_StudyInstanceUID, info.study_uid);
      put(ds, DCM_SeriesInstanceUID, info.series_uid);
      put(ds, DCM_StudyID, info.study_id);
      put(ds, DCM_SeriesNumber, std::to_string(info.series_number));
      put(ds, DCM_AcquisitionNumber, "1");
      put(ds, DCM_InstanceNumber, std::to_string(k + 1));
      const double idx[3] = {0.0, 0.0, static_cast<double>(k)};
      double p[3];
      af.index_to_physical(g, idx, p);
      put(ds, DCM_ImagePositionPatient, dicom_ds(p[0]) + "\\" + dicom_ds(p[1]) + "\\" + dicom_ds(p[2]));
      put(ds, DCM_ImageOrientationPatient, iop);
      put(ds, DCM_FrameOfReferenceUID, info.frame_of_reference_uid);
      put(ds, DCM_PositionReferenceIndicator, "");
      // Slice location along the slice normal.
      const double nrm[3] = {d[3] * d[7] - d[6] * d[4], d[6] * d[1] - d[0] * d[7], d[0] * d[4] - d[3] * d[1]};
      put(ds, DCM_SliceLocation, dicom_ds(nrm[0] * p[0] + nrm[1] * p[1] + nrm[2] * p[2]));
      ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
      put(ds, DCM_PhotometricInterpretation, "MONOCHROME2");
      ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(g.ny));
      ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(g.nx));
      put(ds, DCM_PixelSpacing, spacing);
      ds->putAndInsertUint16(DCM_BitsAllocated, 16);
      ds->putAndInsertUint16(DCM_BitsStored, 16);
      ds->putAndInsertUint16(DCM_HighBit, 15);
      ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
      put(ds, DCM_WindowCenter, "40\\400");
      put(ds, DCM_WindowWidth, "400\\2000");
      put(ds, DCM_RescaleIntercept, "-1024");
      put(ds, DCM_RescaleSlope, "1");
      put(ds, DCM_RescaleType, "HU");
      std::vector<Uint16> px(plane);
      const std::int16_t* src = &hu[k * plane];
      for (std::size_t i = 0; i < plane; ++i) px[i] = static_cast<Uint16>(static_cast<int>(src[i]) + 1024);
      const OFCondition c = ds->putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(plane));
      if (c.bad()) throw std::runtime_error(std::string("DICOM: pixel data: ") + c.text());
      char name[32];
      std::snprintf(name, sizeof name, "IM_%04d.dcm", k + 1);
      const std::string path = (std::filesystem::path(dir) / name).string();
      const OFCondition w = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
      if (w.bad()) throw std::runtime_error("DICOM: cannot write " + path + ": " + w.text());
      files[k] = path;
    } catch (const std::exception& e) {
      errors[k] = e.what();
    }
  }
  for (const std::string& e : errors) {
    if (!e.empty()) throw std::runtime_error(e);
  }
  return files;
}

}  // namespace sij::phantom
