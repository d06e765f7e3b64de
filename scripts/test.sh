#!/usr/bin/env bash
# README command 2: build if needed and run the whole test suite with ctest.
# CUDA test instances are reported as skipped when no GPU is present.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${SIJTRACK_BUILD_DIR:-build}"
bash scripts/build.sh
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 900
