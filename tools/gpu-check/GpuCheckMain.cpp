// sijtrack_gpu_check: every kernel and the pipeline stages on the CPU and on a device backend
// (CUDA, or the emulated device where no GPU is usable), on a smoke pelvis generated in memory.
// Needs only the kernels and pipeline layers (no ITK, DCMTK, OpenCV, JSON or test library), so
// it builds on a bare GPU machine (scripts/gpu-check.sh). Exit status: 0 when everything
// matched, 1 when something differed, 2 on bad arguments or an unusable backend.
//
//   sijtrack_gpu_check --out DIR [--backend auto|cuda|emulated] [--size NX NY NZ]
//                      [--repeat N] [--only kernels|stages]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "datasets/SmokeVolume.h"
#include "kernels/core/Backend.h"
#include "kernels/core/DeviceCheck.h"
#include "tools/gpu-check/KernelChecks.h"
#include "tools/gpu-check/StageChecks.h"
#include "tools/gpu-check/Summary.h"

namespace {

struct Args {
  std::string out;
  std::string backend = "auto";
  int nx = 512, ny = 512, nz = 300;
  int repeat = 1;
  std::string only;  // "" both
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "sijtrack_gpu_check: %s\nusage: sijtrack_gpu_check --out DIR [--backend auto|cuda|emulated] "
                       "[--size NX NY NZ] [--repeat N] [--only kernels|stages]\n", why);
  std::exit(2);
}

int positive(const char* text) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v <= 0 || v > 4096) usage("sizes and counts are integers in 1..4096");
  return static_cast<int>(v);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) usage(("missing value after " + k).c_str());
      return argv[++i];
    };
    if (k == "--out") a.out = next();
    else if (k == "--backend") a.backend = next();
    else if (k == "--repeat") a.repeat = positive(next());
    else if (k == "--only") a.only = next();
    else if (k == "--size") {
      a.nx = positive(next());
      a.ny = positive(next());
      a.nz = positive(next());
    } else usage(("unknown argument " + k).c_str());
  }
  if (a.out.empty()) usage("--out DIR is required");
  if (!a.only.empty() && a.only != "kernels" && a.only != "stages") usage("--only takes kernels or stages");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const auto start = std::chrono::steady_clock::now();
  const sij::CudaCheck& cuda = sij::cuda_check();
  sij::Backend device;
  if (args.backend == "emulated") {
    device = sij::Backend::Emulated;
  } else if (args.backend == "cuda" || args.backend == "auto") {
    if (!cuda.usable && args.backend == "cuda") {
      std::fprintf(stderr, "sijtrack_gpu_check: --backend cuda, but %s\n", cuda.reason.c_str());
      return 2;
    }
    device = cuda.usable ? sij::Backend::Cuda : sij::Backend::Emulated;
  } else {
    usage("--backend takes auto, cuda or emulated");
  }
  std::fprintf(stderr, "CUDA check: %s\ndevice backend: %s; volume %d x %d x %d\n", cuda.reason.c_str(),
               std::string(sij::backend_name(device)).c_str(), args.nx, args.ny, args.nz);
  try {
    const sij::Grid grid{args.nx, args.ny, args.nz, 0.7f, 0.7f, 1.0f};
    const sij::datasets::SmokeVolume smoke = sij::datasets::make_smoke_volume(grid);
    std::vector<sij::gpucheck::CheckResult> results;
    if (args.only != "stages") {
      std::fprintf(stderr, "kernels:\n");
      results = sij::gpucheck::check_kernels(smoke, device, args.repeat);
    }
    if (args.only != "kernels") {
      std::fprintf(stderr, "stages:\n");
      sij::Volume volume;
      volume.grid = grid;
      volume.hu = smoke.hu;
      volume.meta.source_format = "in-memory smoke pelvis";
      volume.meta.modality = "CT";
      const auto stages = sij::gpucheck::check_stages(volume, device, args.repeat);
      results.insert(results.end(), stages.begin(), stages.end());
    }
    sij::gpucheck::RunInfo info;
    info.device_backend = std::string(sij::backend_name(device));
    info.cuda_check = cuda.reason;
    info.device_name = cuda.device_name;
    info.nx = args.nx;
    info.ny = args.ny;
    info.nz = args.nz;
    info.repeat = args.repeat;
    info.total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sij::gpucheck::write_summary(args.out, info, results);
    bool all = true;
    for (const auto& r : results) all = all && r.match;
    std::fprintf(stderr, "%s; summary in %s/summary.md\n", all ? "all match" : "DIFFERENCES FOUND", args.out.c_str());
    return all ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sijtrack_gpu_check: %s\n", e.what());
    return 1;
  }
}
