#!/usr/bin/env bash
# Configures and builds sijtrack (the CUDA objects too when nvcc is present) into build/.
# Extra arguments go to CMake's configure step, e.g. -DSIJTRACK_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${SIJTRACK_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$BUILD_DIR" -j "$(nproc)"
