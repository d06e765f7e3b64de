// A whole generated procedure (test size): ground truth against the written files, DICOM read
// back by DCMTK and by ITK (GDCM), dciodvfy, and byte-identical output for the same seed.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageSeriesReader.h>
#include <itkMetaImageIO.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "datasets/phantom/Procedure.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::uint64_t kSeed = 7;

fs::path scratch(const std::string& name) {
  return fs::temp_directory_path() / ("sijtrack_phantom_test_" + std::to_string(::getpid())) / name;
}

// One procedure for the whole binary, generated on first use and removed at exit.
const fs::path& procedure() {
  static const fs::path dir = [] {
    sij::phantom::PhantomOptions o;
    o.seed = kSeed;
    o.size = sij::phantom::PhantomSize::Test;
    o.scenario = 0;  // tip in the joint
    o.out_dir = scratch("a").string();
    sij::phantom::generate_procedure(o);
    return fs::path(o.out_dir);
  }();
  static const struct Cleanup {
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir.parent_path(), ec);
    }
  } cleanup;
  return dir;
}

json read_json(const fs::path& p) {
  std::ifstream f(p);
  return json::parse(f);
}

json truth(int scan) {
  const json m = read_json(procedure() / "manifest.json");
  return read_json(procedure() / m["scans"][scan]["truth"].get<std::string>());
}

using ShortImage = itk::Image<short, 3>;
using ByteImage = itk::Image<unsigned char, 3>;

template <class Image>
typename Image::Pointer read_mha(const fs::path& p) {
  auto r = itk::ImageFileReader<Image>::New();
  r->SetImageIO(itk::MetaImageIO::New());
  r->SetFileName(p.string());
  r->Update();
  return r->GetOutput();
}

std::array<double, 3> vec3(const json& j) { return {j[0].get<double>(), j[1].get<double>(), j[2].get<double>()}; }

// LPS -> continuous index through DICOM geometry values (IPP of slice 0, IOP, spacing).
std::array<double, 3> to_index(const std::array<double, 3>& p, const std::array<double, 3>& origin,
                               const std::array<std::array<double, 3>, 3>& axes, const std::array<double, 3>& sp) {
  std::array<double, 3> idx{};
  for (int c = 0; c < 3; ++c) {
    double along = 0;
    for (int r = 0; r < 3; ++r) along += axes[c][r] * (p[r] - origin[r]);
    idx[c] = along / sp[c];
  }
  return idx;
}

std::vector<fs::path> dicom_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PhantomProcedure, ManifestListsFourScansInOrder) {
  const json m = read_json(procedure() / "manifest.json");
  ASSERT_EQ(m["scans"].size(), 4u);
  const std::vector<std::string> kinds{"planning", "needle_partway", "needle_final", "post_injection"};
  for (int s = 0; s < 4; ++s) {
    EXPECT_EQ(m["scans"][s]["kind"], kinds[s]);
    EXPECT_TRUE(fs::exists(procedure() / m["scans"][s]["truth"].get<std::string>()));
    EXPECT_TRUE(fs::exists(procedure() / m["scans"][s]["labels_mha"].get<std::string>()));
    if (s > 0) {
      EXPECT_GT(m["scans"][s]["seconds_from_start"], m["scans"][s - 1]["seconds_from_start"]);
    }
  }
  EXPECT_FALSE(m["scans"][0]["needle_present"].get<bool>());
  EXPECT_TRUE(m["scans"][2]["needle_present"].get<bool>());
  EXPECT_TRUE(m["scans"][3]["gas_injected"].get<bool>());
}

TEST(PhantomProcedure, GasVolumeMatchesLabelVolume) {
  const json t = truth(3);
  const json& g = t["gas"];
  const double gt = g["injected_in_fov_total_ml"];
  ASSERT_GT(g["injected_total_ml"].get<double>(), 0.4);
  ASSERT_GT(gt, 0.2);
  // Labels (fraction >= 0.5) and the partial-volume sum agree with the fine integration.
  EXPECT_NEAR(g["injected_label_ml"].get<double>(), gt, std::max(0.05, 0.08 * gt));
  EXPECT_NEAR(g["injected_partial_volume_ml"].get<double>(), gt, std::max(0.03, 0.04 * gt));
  EXPECT_LE(g["injected_inside_joint_ml"].get<double>(), g["injected_within_10mm_ml"].get<double>() + 1e-9);
  EXPECT_LE(g["injected_within_10mm_ml"].get<double>(), g["injected_total_ml"].get<double>() + 1e-9);
  EXPECT_GT(g["injected_inside_joint_ml"].get<double>(), 0.0) << "tip in the joint: some gas inside it";
  // The written label volume holds exactly the labelled voxels the truth reports.
  const auto labels = read_mha<ByteImage>(procedure() / t["scan"]["labels_mha"].get<std::string>());
  const auto sp = labels->GetSpacing();
  std::int64_t gas = 0, bowel = 0;
  const auto n = labels->GetLargestPossibleRegion().GetNumberOfPixels();
  for (std::size_t i = 0; i < n; ++i) {
    gas += (labels->GetBufferPointer()[i] & 2) != 0;
    bowel += (labels->GetBufferPointer()[i] & 4) != 0;
  }
  const double vox_ml = sp[0] * sp[1] * sp[2] / 1000.0;
  EXPECT_NEAR(gas * vox_ml, g["injected_label_ml"].get<double>(), 1e-5);
  EXPECT_NEAR(bowel * vox_ml, g["preexisting_bowel_gas_label_ml"].get<double>(), 1e-5);
  // No injected gas before the injection.
  EXPECT_EQ(truth(2)["gas"]["injected_label_ml"].get<double>(), 0.0);
}

TEST(PhantomProcedure, TipLiesOnTheNeedle) {
  for (const int s : {1, 2}) {
    SCOPED_TRACE(::testing::Message() << "scan " << s);
    const json t = truth(s);
    ASSERT_TRUE(t["needle"]["present"].get<bool>());
    const auto tip = vec3(t["needle"]["tip_mm"]);
    const auto dir = vec3(t["needle"]["direction"]);
    const auto entry = vec3(t["needle"]["entry_mm"]);
    EXPECT_NEAR(std::hypot(dir[0], dir[1], dir[2]), 1.0, 1e-5);
    // Entry, tip and direction agree.
    const double len = std::hypot(tip[0] - entry[0], tip[1] - entry[1], tip[2] - entry[2]);
    EXPECT_NEAR(len, t["needle"]["inserted_length_mm"].get<double>(), 1e-4);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR((tip[c] - entry[c]) / len, dir[c], 1e-5);
    // In the written labels: steel along the shaft behind the tip, none beyond it.
    const auto labels = read_mha<ByteImage>(procedure() / t["scan"]["labels_mha"].get<std::string>());
    const auto steel_near = [&](double along_mm) {
      ShortImage::PointType p;
      for (int c = 0; c < 3; ++c) p[c] = tip[c] + dir[c] * along_mm;
      itk::ContinuousIndex<double, 3> ci;
      labels->TransformPhysicalPointToContinuousIndex(p, ci);
      for (int dz = -1; dz <= 1; ++dz) {
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            ByteImage::IndexType idx{{std::lround(ci[0]) + dx, std::lround(ci[1]) + dy, std::lround(ci[2]) + dz}};
            if (!labels->GetLargestPossibleRegion().IsInside(idx)) continue;
            if (labels->GetPixel(idx) & 16) return true;
          }
        }
      }
      return false;
    };
    for (const double back : {-0.5, -2.0, -5.0}) EXPECT_TRUE(steel_near(back)) << back << " mm behind the tip";
    EXPECT_FALSE(steel_near(3.0)) << "steel 3 mm beyond the tip";
  }
  // The partway tip lies on the final needle's line, in the patient's own frame.
  const auto body = [](const json& t, const std::array<double, 3>& p) {
    const json& r = t["patient_motion"]["rotation_row_major"];
    const auto tr = vec3(t["patient_motion"]["translation_mm"]);
    std::array<double, 3> d{p[0] - tr[0], p[1] - tr[1], p[2] - tr[2]}, q{};
    for (int c = 0; c < 3; ++c) {
      q[c] = r[0 * 3 + c].get<double>() * d[0] + r[1 * 3 + c].get<double>() * d[1] + r[2 * 3 + c].get<double>() * d[2];
    }
    return q;
  };
  const json t1 = truth(1), t2 = truth(2);
  const auto a = body(t1, vec3(t1["needle"]["tip_mm"]));
  const auto e = body(t2, vec3(t2["needle"]["entry_mm"]));
  const auto b = body(t2, vec3(t2["needle"]["tip_mm"]));
  std::array<double, 3> u{b[0] - e[0], b[1] - e[1], b[2] - e[2]}, w{a[0] - e[0], a[1] - e[1], a[2] - e[2]};
  const double lu = std::hypot(u[0], u[1], u[2]);
  const double along = (u[0] * w[0] + u[1] * w[1] + u[2] * w[2]) / lu;
  const double off2 = w[0] * w[0] + w[1] * w[1] + w[2] * w[2] - along * along;
  EXPECT_LT(std::sqrt(std::max(0.0, off2)), 1e-3);
  EXPECT_GT(along, 0.2 * lu);
  EXPECT_LT(along, 0.9 * lu);
  EXPECT_TRUE(t2["needle"]["tip_in_joint"].get<bool>());
  EXPECT_LT(t2["needle"]["tip_to_joint_mm"].get<double>(), 0.0);
  EXPECT_FALSE(t1["needle"]["tip_in_joint"].get<bool>());
  EXPECT_GT(t1["needle"]["tip_to_joint_mm"].get<double>(), 0.0);
}

TEST(PhantomProcedure, DicomReadBackByDcmtkRoundTripsGeometry) {
  const json m = read_json(procedure() / "manifest.json");
  std::string study, frame, last_time;
  std::vector<std::string> series;
  for (int s = 0; s < 4; ++s) {
    SCOPED_TRACE(::testing::Message() << "scan " << s);
    const json t = truth(s);
    const auto files = dicom_files(procedure() / t["scan"]["dicom_dir"].get<std::string>());
    ASSERT_EQ(static_cast<int>(files.size()), t["geometry"]["size"][2].get<int>());
    std::vector<std::array<double, 3>> ipp;
    std::array<double, 3> sp{};
    std::array<std::array<double, 3>, 3> axes{};
    std::vector<short> slice0;
    for (std::size_t k = 0; k < files.size(); ++k) {
      DcmFileFormat ff;
      ASSERT_TRUE(ff.loadFile(files[k].c_str()).good()) << files[k];
      DcmDataset* ds = ff.getDataset();
      OFString v;
      ds->findAndGetOFString(DCM_SOPClassUID, v);
      EXPECT_EQ(std::string(v.c_str()), UID_CTImageStorage);
      ds->findAndGetOFString(DCM_PatientPosition, v);
      EXPECT_EQ(std::string(v.c_str()), "HFP");
      OFString st, fr, se, at;
      ds->findAndGetOFString(DCM_StudyInstanceUID, st);
      ds->findAndGetOFString(DCM_FrameOfReferenceUID, fr);
      ds->findAndGetOFString(DCM_SeriesInstanceUID, se);
      ds->findAndGetOFString(DCM_AcquisitionTime, at);
      if (study.empty()) study = st.c_str(), frame = fr.c_str();
      EXPECT_EQ(study, st.c_str());
      EXPECT_EQ(frame, fr.c_str());
      EXPECT_EQ(std::string(se.c_str()), t["scan"]["series_instance_uid"].get<std::string>());
      if (k == 0) {
        series.push_back(se.c_str());
        EXPECT_GT(std::string(at.c_str()), last_time);
        last_time = at.c_str();
        Float64 ctdi = 0;
        EXPECT_TRUE(ds->findAndGetFloat64(DCM_CTDIvol, ctdi).good());
        EXPECT_GT(ctdi, 0.0);
      }
      std::array<double, 3> p{};
      for (int c = 0; c < 3; ++c) ds->findAndGetFloat64(DCM_ImagePositionPatient, p[c], c);
      ipp.push_back(p);
      if (k == 0) {
        Float64 iop[6];
        for (int c = 0; c < 6; ++c) ds->findAndGetFloat64(DCM_ImageOrientationPatient, iop[c], c);
        axes[0] = {iop[0], iop[1], iop[2]};
        axes[1] = {iop[3], iop[4], iop[5]};
        axes[2] = {iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5], iop[0] * iop[4] - iop[1] * iop[3]};
        Float64 row_sp = 0, col_sp = 0, slope = 0, icpt = 0;
        ds->findAndGetFloat64(DCM_PixelSpacing, row_sp, 0);
        ds->findAndGetFloat64(DCM_PixelSpacing, col_sp, 1);
        ds->findAndGetFloat64(DCM_RescaleSlope, slope);
        ds->findAndGetFloat64(DCM_RescaleIntercept, icpt);
        sp[0] = col_sp;
        sp[1] = row_sp;
        const Uint16* px = nullptr;
        ASSERT_TRUE(ds->findAndGetUint16Array(DCM_PixelData, px).good());
        Uint16 rows = 0, cols = 0;
        ds->findAndGetUint16(DCM_Rows, rows);
        ds->findAndGetUint16(DCM_Columns, cols);
        for (int i = 0; i < rows * cols; ++i) slice0.push_back(static_cast<short>(px[i] * slope + icpt));
      }
    }
    // Slices sorted by instance number are equally spaced along the slice normal.
    sp[2] = 0;
    for (int c = 0; c < 3; ++c) sp[2] += axes[2][c] * (ipp[1][c] - ipp[0][c]);
    EXPECT_NEAR(sp[2], t["geometry"]["spacing_mm"][2].get<double>(), 1e-6);
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(ipp[0][c], t["geometry"]["origin_mm"][c].get<double>(), 1e-6);
      EXPECT_NEAR(sp[c], t["geometry"]["spacing_mm"][c].get<double>(), 1e-6);
    }
    // The tip through the DICOM geometry lands on the truth's voxel index.
    if (t["needle"]["present"].get<bool>()) {
      const auto idx = to_index(vec3(t["needle"]["tip_mm"]), ipp[0], axes, sp);
      for (int c = 0; c < 3; ++c) EXPECT_NEAR(idx[c], t["needle"]["tip_index"][c].get<double>(), 1e-4);
    }
    // Pixels equal the MetaImage copy.
    const auto mha = read_mha<ShortImage>(procedure() / t["scan"]["image_mha"].get<std::string>());
    ASSERT_EQ(slice0.size(), static_cast<std::size_t>(mha->GetLargestPossibleRegion().GetSize()[0] *
                                                      mha->GetLargestPossibleRegion().GetSize()[1]));
    EXPECT_TRUE(std::equal(slice0.begin(), slice0.end(), mha->GetBufferPointer()));
  }
  std::sort(series.begin(), series.end());
  EXPECT_EQ(std::unique(series.begin(), series.end()), series.end()) << "one series UID per scan";
  EXPECT_EQ(study, m["study_instance_uid"].get<std::string>());
}

TEST(PhantomProcedure, DicomReadBackByItkGdcm) {
  const json t = truth(2);
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetDirectory((procedure() / t["scan"]["dicom_dir"].get<std::string>()).string());
  const auto uids = names->GetSeriesUIDs();
  ASSERT_EQ(uids.size(), 1u);
  auto reader = itk::ImageSeriesReader<ShortImage>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(names->GetFileNames(uids.front()));
  reader->Update();
  const auto img = reader->GetOutput();
  const auto mha = read_mha<ShortImage>(procedure() / t["scan"]["image_mha"].get<std::string>());
  ASSERT_EQ(img->GetLargestPossibleRegion().GetSize(), mha->GetLargestPossibleRegion().GetSize());
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(img->GetOrigin()[c], t["geometry"]["origin_mm"][c].get<double>(), 1e-4);
    EXPECT_NEAR(img->GetSpacing()[c], t["geometry"]["spacing_mm"][c].get<double>(), 1e-4);
    EXPECT_NEAR(mha->GetOrigin()[c], t["geometry"]["origin_mm"][c].get<double>(), 1e-6);
    for (int r = 0; r < 3; ++r) {
      EXPECT_NEAR(img->GetDirection()[r][c], t["geometry"]["direction_row_major"][r * 3 + c].get<double>(), 1e-6);
      EXPECT_NEAR(mha->GetDirection()[r][c], t["geometry"]["direction_row_major"][r * 3 + c].get<double>(), 1e-6);
    }
  }
  const auto n = img->GetLargestPossibleRegion().GetNumberOfPixels();
  EXPECT_TRUE(std::equal(img->GetBufferPointer(), img->GetBufferPointer() + n, mha->GetBufferPointer()));
  // The steel reads bright 2 mm behind the tip.
  const auto tip = vec3(t["needle"]["tip_mm"]);
  const auto dir = vec3(t["needle"]["direction"]);
  ShortImage::PointType p;
  for (int c = 0; c < 3; ++c) p[c] = tip[c] - 2.0 * dir[c];
  ShortImage::IndexType idx;
  ASSERT_TRUE(img->TransformPhysicalPointToIndex(p, idx));
  short best = -2000;
  for (int dy = -1; dy <= 1; ++dy) {
    for (int dx = -1; dx <= 1; ++dx) best = std::max(best, img->GetPixel({{idx[0] + dx, idx[1] + dy, idx[2]}}));
  }
  EXPECT_GT(best, 1500) << "needle shaft";
}

TEST(PhantomProcedure, DciodvfyReportsNoErrors) {
  if (std::system("command -v dciodvfy >/dev/null 2>&1") != 0) GTEST_SKIP() << "dciodvfy (dicom3tools) not installed";
  for (int s = 0; s < 4; ++s) {
    const json t = truth(s);
    const auto files = dicom_files(procedure() / t["scan"]["dicom_dir"].get<std::string>());
    const std::string cmd = "dciodvfy '" + files.front().string() + "' 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe)) out += buf;
    ::pclose(pipe);
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) EXPECT_NE(line.rfind("Error", 0), 0u) << line << "\n" << out;
  }
}

TEST(PhantomProcedure, SameSeedSameBytesThroughTheCommandLine) {
  const fs::path again = scratch("b");
  const std::string cmd = std::string(SIJTRACK_BINARY) + " phantom --seed " + std::to_string(kSeed) +
                          " --scenario in --out '" + again.string() + "' > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::map<std::string, fs::path> a, b;
  for (const auto& e : fs::recursive_directory_iterator(procedure())) {
    if (e.is_regular_file()) a[fs::relative(e.path(), procedure()).string()] = e.path();
  }
  for (const auto& e : fs::recursive_directory_iterator(again)) {
    if (e.is_regular_file()) b[fs::relative(e.path(), again).string()] = e.path();
  }
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GT(a.size(), 10u);
  const auto slurp = [](const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  for (const auto& [rel, path] : a) {
    ASSERT_TRUE(b.count(rel)) << rel;
    EXPECT_TRUE(slurp(path) == slurp(b[rel])) << rel << " differs";
  }
}

}  // namespace
