// Whether the CUDA backend can really run on this machine, decided once per process.
//
// A CUDA build checks, in order: a device is present (cudaGetDeviceCount), its compute
// capability is covered by an architecture compiled into this binary (__CUDA_ARCH_LIST__:
// real code for the same major version, or PTX for an older one), and a tiny self-test kernel
// launches and writes the expected values. The first failure is the reason; the CPU backend
// is then the default. The kernel layer never prints: callers log `reason` once.
#pragma once

#include <string>

namespace sij {

struct CudaCheck {
  bool usable = false;                 // every step passed
  int device_count = 0;                // what cudaGetDeviceCount reported (0 on error)
  int compute_capability = 0;          // device 0, as major * 10 + minor (e.g. 90); 0 if none
  std::string device_name;             // device 0; empty if none
  std::string compiled_architectures;  // e.g. "80 90"; empty in a CPU-only build
  std::string reason;                  // one line: why usable, or why not
};

// Runs the check on first use (thread-safe) and returns the same answer afterwards.
const CudaCheck& cuda_check();

namespace detail {
// The CUDA build's implementation (DeviceCheckCUDA.cu).
CudaCheck run_cuda_check();
}  // namespace detail

}  // namespace sij
