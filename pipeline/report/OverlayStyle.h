// How the overlays look: the CT window, the colours (OpenCV BGR) and the sizes. One place, so
// the pictures, the legend, the docs and the tests agree. Colours are pure (saturated, not
// grey) so a drawn pixel can never be mistaken for windowed CT.
#pragma once

#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>

namespace sij::report {

enum class CtWindow { Bone, SoftTissue };

struct WindowLevel {
  double level_hu, width_hu;
};
// Bone: L 400 / W 1800 (cortex, joint gap and needle readable); soft tissue: L 40 / W 400.
WindowLevel window_of(CtWindow window);

struct OverlayOptions {
  CtWindow window = CtWindow::Bone;
  int min_image_px = 480;         // the image part is magnified to at least this (larger side)
  // The axial overlay shows a square field this wide around the tip (or the gas, or the joint),
  // so the joint fills the picture; 0 shows the whole slice.
  double axial_field_mm = 120.0;
  double reformat_slab_mm = 10.0; // gas within this of the joint's mid-surface shows on the reformat
};

namespace colour {
inline const cv::Scalar kNeedle{0, 255, 255};      // yellow
inline const cv::Scalar kJoint{0, 255, 0};         // green outline
inline const cv::Scalar kInjected{255, 255, 0};    // cyan
inline const cv::Scalar kPreexisting{0, 140, 255}; // orange
inline const cv::Scalar kArtifact{200, 60, 160};   // violet
inline const cv::Scalar kCorrection{255, 0, 255};  // magenta arrow: where to move the tip
inline const cv::Scalar kText{255, 255, 255};
inline const cv::Scalar kPanel{32, 32, 32};
}  // namespace colour

// Opacity of the gas colours over the CT.
inline constexpr double kGasOpacity = 0.65;

// The overlays cannot be drawn or written: no volume, masks on another grid, an unwritable
// folder or file (named in the message).
class OverlayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sij::report
