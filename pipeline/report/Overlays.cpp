#include "pipeline/report/Overlays.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "pipeline/report/AxialOverlay.h"
#include "pipeline/report/GasProjection.h"
#include "pipeline/report/JointReformat.h"

namespace sij::report {
namespace {

void write_png(const cv::Mat& image, const std::filesystem::path& file, std::vector<std::filesystem::path>& written) {
  // Compression 3: files within about 15 % of the smallest at a fraction of the time (the
  // overlays are written on every scan, inside the 0.5 s budget).
  // Encoded in memory and written with stdio, so that a failure names the system's reason.
  std::vector<unsigned char> png;
  try {
    if (!cv::imencode(".png", image, png, {cv::IMWRITE_PNG_COMPRESSION, 3})) {
      throw OverlayError("cannot encode " + file.string() + " as PNG");
    }
  } catch (const cv::Exception& e) {
    throw OverlayError("cannot write " + file.string() + ": " + e.what());
  }
  std::FILE* out = std::fopen(file.c_str(), "wb");
  if (out == nullptr) throw OverlayError("cannot write " + file.string() + ": " + std::strerror(errno));
  const bool complete = std::fwrite(png.data(), 1, png.size(), out) == png.size();
  const int write_errno = complete ? 0 : errno;
  if (std::fclose(out) != 0 || !complete) {
    throw OverlayError("cannot write " + file.string() + ": " + std::strerror(write_errno != 0 ? write_errno : errno));
  }
  written.push_back(file);
}

}  // namespace

std::vector<std::filesystem::path> write_overlays(const analysis::ScanReport& report, const std::filesystem::path& dir,
                                                  const OverlayOptions& options) {
  if (!report.volume) {
    throw OverlayError("the report carries no volume: pass the volume to write_overlays explicitly");
  }
  return write_overlays(report, *report.volume, dir, options);
}

std::vector<std::filesystem::path> write_overlays(const analysis::ScanReport& report, const Volume& volume,
                                                  const std::filesystem::path& dir, const OverlayOptions& options) {
  if (volume.grid.nx != report.grid.nx || volume.grid.ny != report.grid.ny || volume.grid.nz != report.grid.nz) {
    throw OverlayError("the volume given is not the one the report was made from (grid sizes differ)");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw OverlayError("cannot create the overlay folder " + dir.string() + ": " + ec.message());

  std::vector<std::filesystem::path> written;
  write_png(render_axial_overlay(report, volume, options).image, dir / "axial.png", written);
  for (std::size_t j = 0; j < report.joints.size(); ++j) {
    if (auto image = render_joint_reformat(report, volume, j, options)) {
      const std::string side = report.joints[j].side.empty() ? std::to_string(j + 1) : report.joints[j].side;
      write_png(*image, dir / ("reformat_" + side + ".png"), written);
    }
  }
  write_png(render_gas_projection(report, volume, options), dir / "gas_projection.png", written);
  return written;
}

}  // namespace sij::report
