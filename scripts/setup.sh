#!/usr/bin/env bash
# README command 1: install the dependencies, build, and run the main job on the built-in
# example (today the smoke volume; the generated procedure once the phantom generator lands).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
BUILD_DIR="${SIJTRACK_BUILD_DIR:-build}"
"$BUILD_DIR/sijtrack" demo --json "$BUILD_DIR/demo-report.json"
