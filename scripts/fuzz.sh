#!/usr/bin/env bash
# Builds the libFuzzer target for the DICOM ingest path (fuzz/ingest_dicom_fuzz.cpp) in
# build-fuzz/ with clang (ASan + UBSan + libFuzzer) and runs it for a bounded time on a seed
# corpus made at run time from real files: pydicom's CT and MR test files (MR ones relabelled
# CT with dcmodify, so the fuzzer gets past the modality check), octave-dicom's ankle CT,
# one slice of the Philips series when shared/ is present, and an Enhanced CT made from
# CT_small.dcm with pydicom. Exits non-zero when the fuzzer finds a crash; the reproducer is
# left in build-fuzz/artifacts/.
#
#   scripts/fuzz.sh [SECONDS]      (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
BUILD_DIR="${SIJTRACK_FUZZ_BUILD_DIR:-build-fuzz}"
JOBS="${SIJTRACK_FUZZ_JOBS:-$(nproc)}"

mkdir -p "$BUILD_DIR"
CC="${CC:-clang}" CXX="${CXX:-clang++}" cmake -S . -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_CXX_COMPILER="${CXX:-clang++}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIJTRACK_FUZZ=ON -DSIJTRACK_CUDA=OFF \
  -DSIJTRACK_BUILD_TESTS=OFF -DSIJTRACK_BUILD_BENCH=OFF >"$BUILD_DIR/configure.log" 2>&1 ||
  { cat "$BUILD_DIR/configure.log"; exit 1; }
cmake --build "$BUILD_DIR" --target ingest_dicom_fuzz -j "$JOBS"

seeds="$BUILD_DIR/seeds"
corpus="$BUILD_DIR/corpus"
artifacts="$BUILD_DIR/artifacts"
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$artifacts"
pyd=/usr/lib/python3/dist-packages/pydicom/data/test_files
for f in CT_small.dcm JPEG2000.dcm rtdose_rle_1frame.dcm; do
  [ -f "$pyd/$f" ] && cp "$pyd/$f" "$seeds/"
done
for f in MR_small.dcm MR_small_RLE.dcm MR_small_jpeg_ls_lossless.dcm MR_small_bigendian.dcm \
         MR_small_implicit.dcm MR_small_padded.dcm JPEG-lossy.dcm; do
  if [ -f "$pyd/$f" ]; then
    cp "$pyd/$f" "$seeds/ct-$f"
    dcmodify -q -nb -i "(0008,0060)=CT" "$seeds/ct-$f" 2>/dev/null || rm -f "$seeds/ct-$f"
  fi
done
ankle=/usr/share/octave/packages/dicom-0.5.1/imdata/CT-MONO2-16-ankle.dcm
[ -f "$ankle" ] && cp "$ankle" "$seeds/"
philips=../shared/data/real-ct/philips-ingenuity-phantom-5mm/I100
[ -f "$philips" ] && cp "$philips" "$seeds/philips-I100.dcm"
if [ -f "$pyd/CT_small.dcm" ]; then
  /usr/bin/python3 - "$pyd/CT_small.dcm" "$seeds/enhanced-ct.dcm" <<'PY' || true
import sys
import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
ds = pydicom.dcmread(sys.argv[1])
frames = 2
def item(**kw):
    d = Dataset()
    for k, v in kw.items():
        setattr(d, k, v)
    return d
shared = item(PlaneOrientationSequence=Sequence([item(ImageOrientationPatient=ds.ImageOrientationPatient)]),
              PixelMeasuresSequence=Sequence([item(PixelSpacing=ds.PixelSpacing, SliceThickness=ds.SliceThickness)]),
              PixelValueTransformationSequence=Sequence([item(RescaleSlope=ds.RescaleSlope,
                                                              RescaleIntercept=ds.RescaleIntercept,
                                                              RescaleType="HU")]))
per_frame = []
for f in range(frames):
    ipp = list(ds.ImagePositionPatient)
    ipp[2] = float(ipp[2]) + 1.25 * f
    per_frame.append(item(PlanePositionSequence=Sequence([item(ImagePositionPatient=ipp)])))
ds.SharedFunctionalGroupsSequence = Sequence([shared])
ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
for tag in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "RescaleSlope", "RescaleIntercept"):
    delattr(ds, tag)
ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2.1"
ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
ds.NumberOfFrames = frames
ds.PixelData = ds.PixelData * frames
ds.save_as(sys.argv[2])
PY
fi
echo "fuzz: $(ls "$seeds" | wc -l) seed files, running ${SECONDS_TO_RUN} s"

# libFuzzer: seeds are read, new inputs go to corpus/ (kept between runs in build-fuzz/).
# Seeds above max_len (a full 512x512 slice) are cut to their first 64 KiB: truncated files.
status=0
"$BUILD_DIR/fuzz/ingest_dicom_fuzz" "$corpus" "$seeds" \
  -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 >"$BUILD_DIR/fuzz.log" 2>&1 || status=$?
tail -n 25 "$BUILD_DIR/fuzz.log"
if [ "$status" -ne 0 ]; then
  echo "fuzz: FAILED (exit $status); reproducer(s) in $artifacts/" >&2
  exit "$status"
fi
echo "fuzz: no crash in ${SECONDS_TO_RUN} s"
