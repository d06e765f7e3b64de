#!/usr/bin/env python3
"""Runs the kernel benchmark once and prints the Markdown table of docs/performance.md.

Each sijtrack kernel and its ITK counterpart run in the same process on the same data, so the
ratio column compares like with like on a noisy machine.

    python3 scripts/perf_table.py [build/bench/sijtrack_bench] [extra benchmark args]
"""
import json
import re
import subprocess
import sys


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bench/sijtrack_bench"
    extra = sys.argv[2:]
    out = subprocess.run([binary, "--benchmark_format=json", *extra], check=True,
                         capture_output=True, text=True).stdout
    runs = json.loads(out)["benchmarks"]
    rows = {}
    for run in runs:
        m = re.match(r"BM_(\w+?)_(sijtrack|itk)(?:/(\d+))?/real_time$", run["name"])
        if not m:
            continue
        kernel = m.group(1) + (f" ({m.group(3)}-connected)" if m.group(3) else "")
        ms = run["real_time"] if run["time_unit"] == "ms" else run["real_time"] / 1e6
        rows.setdefault(kernel, {})[m.group(2)] = (ms, run.get("items_per_second", 0.0))
    print("| kernel | sijtrack CPU (ms) | Mitems/s | ITK (ms) | ITK / sijtrack |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kernel, r in rows.items():
        ours = r.get("sijtrack")
        theirs = r.get("itk")
        ours_ms = f"{ours[0]:.1f}" if ours else "-"
        rate = f"{ours[1] / 1e6:.0f}" if ours else "-"
        itk_ms = f"{theirs[0]:.1f}" if theirs else "no counterpart"
        ratio = f"{theirs[0] / ours[0]:.2f}x" if ours and theirs else "-"
        print(f"| {kernel} | {ours_ms} | {rate} | {itk_ms} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
