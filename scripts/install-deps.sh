#!/usr/bin/env bash
# Installs sijtrack's build and test dependencies: Debian 12 packages only.
# The CUDA toolkit (nvcc) is expected at /usr/local/cuda when the CUDA backend is wanted;
# without it the build is CPU-only and Thrust comes from Debian's libthrust-dev.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  cmake ninja-build g++ python3 pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libinsighttoolkit5-dev
  libdcmtk-dev dcmtk dicom3tools python3-pydicom
  # JPEG 2000 decoding (GDCM, already under ITK); gdcmconv makes the JPEG 2000 test files;
  # PixelMed's DicomSRValidator checks the TID 1500 SR in the tests (pulls in a Java runtime).
  libgdcm-dev libgdcm-tools pixelmed-apps
  libcli11-dev nlohmann-json3-dev libspdlog-dev
  # Overlays (drawing, PNG): only the OpenCV modules used, not the whole libopencv-dev.
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  # Sidecar outputs: OpenIGTLink for 3D Slicer, cpp-httplib for the status page; curl for
  # the end-to-end tests that read it.
  libopenigtlink-dev libcpp-httplib-dev curl
  # The status page's test in a real browser (headless screenshots and DOM).
  chromium
  # The Debian package (CPack: dpkg-shlibdeps) and its unit's check (systemd-analyze verify).
  dpkg-dev systemd
  # Real CT test file without geometry tags (imdata/CT-MONO2-16-ankle.dcm); pulls in octave.
  octave-dicom
  # The DICOM fuzz target (scripts/fuzz.sh): clang-14, libFuzzer's runtime (libclang-rt-14-dev)
  # and clang's OpenMP headers for configuring the project with clang.
  clang libclang-rt-14-dev libomp-14-dev
)
if [ ! -x /usr/local/cuda/bin/nvcc ] && ! command -v nvcc >/dev/null; then
  echo "install-deps: no nvcc found; the build will be CPU-only (adding Debian's Thrust headers)"
  packages+=(libthrust-dev libcub-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
