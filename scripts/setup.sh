#!/usr/bin/env bash
# README command 1: install the dependencies, build, and run the main job on a generated
# example: a phantom procedure (seed 1, test size) whose needle scan is analysed against its
# earlier scan, printing where the tip is relative to the sacroiliac joint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
BUILD_DIR="${SIJTRACK_BUILD_DIR:-build}"
EXAMPLE="$BUILD_DIR/example"
"$BUILD_DIR/sijtrack" phantom --seed 1 --out "$EXAMPLE" --size test
"$BUILD_DIR/sijtrack" analyze "$EXAMPLE/scan_02_needle_final/dicom" \
  --previous "$EXAMPLE/scan_01_needle_partway/dicom" --json "$EXAMPLE/report.json"
echo "setup: report written to $EXAMPLE/report.json; ground truth in $EXAMPLE/scan_02_needle_final/truth.json"
