#include "pipeline/ingest/DicomSeriesReader.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

#include "pipeline/ingest/DicomSlice.h"
#include "pipeline/ingest/IngestError.h"
#include "pipeline/ingest/SliceStack.h"

namespace sij::ingest {
namespace fs = std::filesystem;
namespace {

constexpr const char* kEnhancedCtStorage = "1.2.840.10008.5.1.4.1.1.2.1";

std::string series_list(const std::map<std::string, std::vector<DicomSliceHeader>>& series) {
  std::string out;
  for (const auto& [uid, files] : series) {
    const auto& h = files.front();
    char buf[128];
    std::snprintf(buf, sizeof buf, " (%s, %zu files, #%d \"", h.modality.c_str(), files.size(),
                  h.series_number);
    out += (out.empty() ? "" : "; ") + (uid.empty() ? std::string("(no SeriesInstanceUID)") : uid) +
           buf + h.series_description + "\")";
  }
  return out;
}

// A DICOM series without its own SeriesInstanceUID or StudyInstanceUID (both Type 1) cannot
// be told apart from the next one, nor referenced by the SEG, SR and Secondary Capture that
// go back to the archive: refused, naming the tag and the way to set it.
void check_identity(const std::vector<DicomSliceHeader>& slices) {
  for (const auto& h : slices) {
    const char* tag = h.series_uid.empty()  ? "SeriesInstanceUID (0020,000E)"
                      : h.study_uid.empty() ? "StudyInstanceUID (0020,000D)"
                                            : nullptr;
    if (tag == nullptr) continue;
    throw IngestError(IngestReason::MissingTag,
                      std::string(tag) + " is empty or missing in " + h.file +
                          ": the slices cannot be grouped into one series nor its results "
                          "referenced in the archive; re-export the series from the console or "
                          "PACS, or give every file of the series the same UID with `dcmodify "
                          "-nb -i \"(0020,000E)=UID\"` (StudyInstanceUID: (0020,000D))",
                      h.file);
  }
}

void check_pixel_format(const DicomSliceHeader& h) {
  std::string what;
  if (h.frames > 1 && !h.functional_groups) {
    what = h.sop_class_uid == kEnhancedCtStorage
               ? "an Enhanced CT object without Shared/Per-frame Functional Groups (5200,9229/9230)"
               : "a multi-frame image without Shared/Per-frame Functional Groups (5200,9229/9230) "
                 "(no per-frame geometry)";
  } else if (h.samples_per_pixel != 1) what = "SamplesPerPixel (0028,0002) is not 1 (colour image)";
  else if (h.bits_allocated != 8 && h.bits_allocated != 16)
    what = "BitsAllocated (0028,0100) is " + std::to_string(h.bits_allocated) + ", not 8 or 16";
  if (!what.empty()) {
    throw IngestError(IngestReason::UnsupportedFormat,
                      what + " in " + h.file +
                          ": export the series as greyscale CT images (single-frame or Enhanced CT)",
                      h.file);
  }
}

// Sizes the voxel buffer. A large volume's pages are first touched by the zero fill of
// resize(), one 4 KiB page fault at a time (about half the load time of a 512x512x300 series);
// asking for transparent huge pages first (THP in "madvise" mode) makes that 512 times fewer.
void size_voxel_buffer(std::vector<std::int16_t>& hu, std::size_t n) {
  hu.reserve(n);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(hu.data());
  const std::uintptr_t end = begin + n * sizeof(std::int16_t);
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1), last = end & ~(kHuge - 1);
  if (hu.empty() && last > first) {
    madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);  // a hint only
  }
#endif
  hu.resize(n);
}

}  // namespace

std::vector<std::string> list_files(const std::string& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw IngestError(IngestReason::NotFound,
                      "no such folder: " + folder + ": check the path", folder);
  }
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    throw IngestError(IngestReason::NotFound,
                      "cannot open folder " + folder + " (" + ec.message() + "): check permissions",
                      folder);
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Volume read_dicom_folder(const std::string& folder, const IngestOptions& options) {
  const auto files = list_files(folder);
  if (files.empty()) {
    throw IngestError(IngestReason::EmptyFolder,
                      "folder " + folder + " holds no files: point at the folder the series was "
                      "exported to",
                      folder);
  }
  return read_dicom_files(files, options, folder);
}

Volume read_dicom_files(const std::vector<std::string>& files, const IngestOptions& options,
                        const std::string& source_path) {
  // Pass 1: headers only.
  std::vector<DicomSliceHeader> headers(files.size());
#pragma omp parallel for schedule(dynamic, 4) num_threads(2)
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(files.size()); ++i) {
    headers[i] = read_dicom_header(files[i]);
  }

  Volume vol;
  std::map<std::string, std::vector<DicomSliceHeader>> series;
  std::vector<const DicomSliceHeader*> corrupt_unknown;
  for (auto& h : headers) {
    switch (h.kind) {
      case DicomFileKind::Image:
        series[h.series_uid].push_back(std::move(h));
        break;
      case DicomFileKind::Corrupt:
        if (!h.series_uid.empty()) series[h.series_uid].push_back(std::move(h));
        else corrupt_unknown.push_back(&h);
        break;
      case DicomFileKind::NotDicom:
        vol.meta.skipped_files.push_back(h.file + ": not DICOM");
        break;
      case DicomFileKind::NonImage:
        vol.meta.skipped_files.push_back(h.file + ": " + h.problem);
        break;
    }
  }
  if (!corrupt_unknown.empty()) {
    const auto& h = *corrupt_unknown.front();
    throw IngestError(IngestReason::CorruptFile,
                      "corrupt DICOM file " + h.file + " (" + h.problem +
                          "): move it out of the folder or re-export the series; the other "
                          "files are untouched",
                      h.file);
  }
  if (series.empty()) {
    throw IngestError(IngestReason::EmptyFolder,
                      "no DICOM image in " + source_path + " (" + std::to_string(files.size()) +
                          " file(s) skipped): point at the folder the series was exported to",
                      source_path);
  }

  // Choose the series.
  std::vector<DicomSliceHeader>* chosen = nullptr;
  if (!options.series_uid.empty()) {
    auto it = series.find(options.series_uid);
    if (it == series.end()) {
      throw IngestError(IngestReason::SeriesNotFound,
                        "SeriesInstanceUID " + options.series_uid + " is not in " + source_path +
                            "; it holds: " + series_list(series),
                        source_path);
    }
    chosen = &it->second;
  } else if (series.size() > 1) {
    throw IngestError(IngestReason::MixedSeries,
                      std::to_string(series.size()) + " series in " + source_path +
                          ", choose one with --series UID: " + series_list(series),
                      source_path);
  } else {
    chosen = &series.begin()->second;
  }
  auto& slices = *chosen;
  check_identity(slices);
  for (const auto& h : slices) {
    if (h.kind == DicomFileKind::Corrupt) {
      throw IngestError(IngestReason::CorruptFile,
                        "corrupt DICOM file " + h.file + " (" + h.problem +
                            "): move it out of the folder or re-export the series; the other "
                            "files are untouched",
                        h.file);
    }
  }
  for (const auto& h : slices) {
    if (h.modality != "CT") {
      throw IngestError(IngestReason::NotCt,
                        "Modality (0008,0060) of " + h.file + " is \"" + h.modality +
                            "\", not CT: sijtrack reads CT series only; export the CT series",
                        h.file);
    }
  }
  for (const auto& h : slices) check_pixel_format(h);
  // Enhanced (multi-frame) objects: one header per frame, so the frames go through the same
  // ordering and geometry checks as single-frame files.
  if (std::any_of(slices.begin(), slices.end(), [](const DicomSliceHeader& h) { return h.functional_groups; })) {
    std::vector<DicomSliceHeader> expanded;
    for (const auto& h : slices) {
      if (!h.functional_groups) {
        expanded.push_back(h);
        continue;
      }
      auto frames = expand_frames(h);
      for (auto& f : frames) expanded.push_back(std::move(f));
    }
    slices = std::move(expanded);
  }

  const SliceStack stack = build_slice_stack(slices, options);
  const std::int64_t bytes = stack.grid.voxel_count() * static_cast<std::int64_t>(sizeof(std::int16_t));
  if (bytes > options.max_bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%dx%dx%d", stack.grid.nx, stack.grid.ny, stack.grid.nz);
    throw IngestError(IngestReason::TooLarge,
                      std::string("volume ") + buf + " needs " + std::to_string(bytes) +
                          " bytes, above the limit of " + std::to_string(options.max_bytes) +
                          " bytes: check the series or raise the memory limit",
                      source_path);
  }

  // Pass 2: decode each file once, each of its frames into its plane. Tasks are files
  // (a multi-frame object is one task), in the order of their first plane.
  vol.grid = stack.grid;
  vol.affine = stack.affine;
  size_voxel_buffer(vol.hu, static_cast<std::size_t>(stack.grid.voxel_count()));
  register_dicom_codecs();
  const std::size_t plane = static_cast<std::size_t>(stack.grid.nx) * stack.grid.ny;
  const std::ptrdiff_t nz = stack.grid.nz;
  std::vector<std::vector<std::ptrdiff_t>> tasks;  // planes per file
  {
    std::map<std::string, std::size_t> task_of_file;
    for (std::ptrdiff_t z = 0; z < nz; ++z) {
      const auto& h = slices[stack.order[z]];
      if (h.frame < 0) {
        tasks.push_back({z});
        continue;
      }
      auto [it, inserted] = task_of_file.try_emplace(h.file, tasks.size());
      if (inserted) tasks.emplace_back();
      tasks[it->second].push_back(z);
    }
  }
  std::exception_ptr first_error;
  std::ptrdiff_t first_error_z = nz;
  std::mutex mu;
  std::int64_t padding = 0, clamped = 0;
  const std::ptrdiff_t task_count = static_cast<std::ptrdiff_t>(tasks.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(2) reduction(+ : padding, clamped)
  for (std::ptrdiff_t t = 0; t < task_count; ++t) {
    const auto& zs = tasks[t];
    try {
      std::vector<const DicomSliceHeader*> frames;
      std::vector<std::int16_t*> outs;
      for (std::ptrdiff_t z : zs) {
        frames.push_back(&slices[stack.order[z]]);
        outs.push_back(vol.hu.data() + z * plane);
      }
      const SliceDecodeStats s = decode_dicom_frames(frames, options, outs);
      padding += s.padding_voxels;
      clamped += s.clamped_voxels;
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (zs.front() < first_error_z) {  // report the same file whatever the thread timing
        first_error_z = zs.front();
        first_error = std::current_exception();
      }
    }
  }
  if (first_error) std::rethrow_exception(first_error);

  const auto& h = slices[stack.order.front()];
  auto& m = vol.meta;
  m.source_path = source_path;
  m.source_format = "DICOM";
  m.study_uid = h.study_uid;
  m.series_uid = h.series_uid;
  m.frame_of_reference_uid = h.frame_of_reference_uid;
  m.acquisition_date = h.acquisition_date;
  m.acquisition_time = h.acquisition_time;
  m.modality = h.modality;
  m.manufacturer = h.manufacturer;
  m.model = h.model;
  m.series_description = h.series_description;
  m.convolution_kernel = h.convolution_kernel;
  m.patient_position = h.patient_position;
  m.transfer_syntax = h.transfer_syntax;
  m.series_number = h.series_number;
  m.kvp = h.kvp;
  m.ctdivol_mgy = h.ctdivol_mgy;
  m.slice_thickness_mm = h.slice_thickness_mm;
  m.gantry_tilt_deg = h.gantry_tilt_deg;
  m.padding_voxels = padding;
  m.clamped_voxels = clamped;
  m.slice_files.reserve(slices.size());
  for (std::size_t idx : stack.order) m.slice_files.push_back(slices[idx].name());
  m.sop_class_uid = h.sop_class_uid;
  for (std::size_t idx : stack.order) {
    m.slice_sop_instance_uids.push_back(slices[idx].sop_instance_uid);
    m.slice_frame_numbers.push_back(slices[idx].frame < 0 ? 0 : slices[idx].frame + 1);
  }
  if (h.frame >= 0 && m.slice_thickness_mm <= 0) m.slice_thickness_mm = h.slice_thickness_mm;
  for (const auto& [uid, other] : series) {
    if (&other == chosen) continue;
    for (const auto& o : other) {
      vol.meta.skipped_files.push_back(o.file + (uid.empty() ? std::string(": no SeriesInstanceUID")
                                                             : ": series " + uid));
    }
  }
  return vol;
}

}  // namespace sij::ingest
