#!/usr/bin/env bash
# The GPU check: every kernel and the pipeline stages on the CPU and on a device backend,
# compared and timed, on 512x512x300 smoke volumes generated in memory; then compute-sanitizer
# (memcheck) on one analysis of a smaller volume when the tool is there and CUDA is usable.
# Writes summary.json and summary.md (and the logs) into OUT_DIR.
#
# Needs only a C++ compiler with OpenMP, CMake, Ninja and the CUDA toolkit: it builds the
# small project in tools/gpu-check (kernels + pipeline + driver, no Debian package). Without a
# usable GPU it runs the emulated device instead (and says so in the summary).
#
#   bash scripts/gpu-check.sh OUT_DIR [--backend auto|cuda|emulated] [--size NX NY NZ]
#                                     [--repeat N] [--driver PATH] [--no-sanitizer]
#   --driver PATH  use an already built sijtrack_gpu_check (ctest passes the main build's)
#   GPU_CHECK_BUILD_DIR (default build-gpu-check), CUDAARCHS (default 90) steer the build.
# Exit status: 0 all matched (and the sanitizer found nothing), 1 a difference or a sanitizer
# error, 2 bad usage or a build failure.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [[ $# -lt 1 || "$1" == -* ]]; then
  sed -n '2,18p' "$0" >&2
  exit 2
fi
OUT="$1"
shift
BACKEND=auto
SIZE=(512 512 300)
REPEAT=1
DRIVER=""
SANITIZER=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --backend) BACKEND="$2"; shift 2 ;;
    --size) SIZE=("$2" "$3" "$4"); shift 4 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --driver) DRIVER="$2"; shift 2 ;;
    --no-sanitizer) SANITIZER=0; shift ;;
    *) echo "gpu-check: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd)" || { echo "gpu-check: cannot create $OUT" >&2; exit 2; }
START=$(date +%s)

if [[ -z "$DRIVER" ]]; then
  BUILD="${GPU_CHECK_BUILD_DIR:-$ROOT/build-gpu-check}"
  echo "gpu-check: building tools/gpu-check into $BUILD (log: $OUT/build.log)"
  if ! { cmake -S "$ROOT/tools/gpu-check" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release &&
         cmake --build "$BUILD" -j "$(nproc)"; } >"$OUT/build.log" 2>&1; then
    tail -40 "$OUT/build.log" >&2
    echo "gpu-check: the build failed (full log: $OUT/build.log)" >&2
    exit 2
  fi
  DRIVER="$BUILD/sijtrack_gpu_check"
  echo "gpu-check: built in $(( $(date +%s) - START )) s"
fi

"$DRIVER" --out "$OUT" --backend "$BACKEND" --size "${SIZE[@]}" --repeat "$REPEAT" 2>&1 | tee "$OUT/check.log"
STATUS=${PIPESTATUS[0]}
if [[ $STATUS -ge 2 ]]; then
  echo "gpu-check: the driver could not run (status $STATUS)" >&2
  exit "$STATUS"
fi

# compute-sanitizer (memcheck) on one analysis; memcheck is slow, hence the small volume.
SAN_STATE="skipped"
SAN_TEXT=""
SANITIZER_BIN="$(command -v compute-sanitizer || true)"
[[ -z "$SANITIZER_BIN" && -x /usr/local/cuda/bin/compute-sanitizer ]] && SANITIZER_BIN=/usr/local/cuda/bin/compute-sanitizer
if [[ $SANITIZER -eq 0 ]]; then
  SAN_TEXT="not asked for (--no-sanitizer)"
elif ! grep -q '^device backend: cuda' "$OUT/check.log"; then
  SAN_TEXT="no usable CUDA device: nothing to check"
elif [[ -z "$SANITIZER_BIN" ]]; then
  SAN_TEXT="compute-sanitizer not found"
else
  mkdir -p "$OUT/sanitizer"
  timeout 300 "$SANITIZER_BIN" --tool memcheck --error-exitcode 3 --print-limit 20 \
    "$DRIVER" --out "$OUT/sanitizer" --backend cuda --only stages --size 256 256 64 \
    >"$OUT/sanitizer.log" 2>&1
  SAN_STATUS=$?
  case $SAN_STATUS in
    0) SAN_STATE="clean"; SAN_TEXT="memcheck on find_needles, find_joints, analyze_scan (256x256x64): no errors" ;;
    3) SAN_STATE="errors"; SAN_TEXT="memcheck reported errors: see sanitizer.log" ;;
    124) SAN_STATE="timeout"; SAN_TEXT="memcheck did not finish in 300 s" ;;
    *) SAN_STATE="failed"; SAN_TEXT="memcheck run ended with status $SAN_STATUS: see sanitizer.log" ;;
  esac
fi
echo "gpu-check: compute-sanitizer: $SAN_STATE: $SAN_TEXT"
TOTAL=$(( $(date +%s) - START ))
if [[ -f "$OUT/summary.json" ]]; then
  # The driver's JSON ends with a lone "}": add the sanitizer and the script's wall clock.
  sed -i '$d' "$OUT/summary.json"
  sed -i '$s/$/,/' "$OUT/summary.json"
  printf '  "sanitizer": {"state": "%s", "detail": "%s"},\n  "script_total_s": %s\n}\n' \
    "$SAN_STATE" "$SAN_TEXT" "$TOTAL" >>"$OUT/summary.json"
  printf '\n## compute-sanitizer\n\n%s: %s\n\nWhole script (build included): %s s.\n' \
    "$SAN_STATE" "$SAN_TEXT" "$TOTAL" >>"$OUT/summary.md"
fi
[[ "$SAN_STATE" == "errors" || "$SAN_STATE" == "failed" ]] && exit 1
exit "$STATUS"
