// Which backend runs a kernel, and which backends this build and this machine offer.
#pragma once

#include <string_view>
#include <vector>

namespace sij {

enum class Backend { Cpu, Cuda };

std::string_view backend_name(Backend backend);

// True when the CUDA objects were compiled into this binary.
bool cuda_compiled();

// Number of usable CUDA devices; 0 in a CPU-only build or on a machine without a GPU
// (a CUDA build probes with cudaGetDeviceCount against the static runtime).
int cuda_device_count();

// True when kernels can actually run on `backend` here.
bool backend_available(Backend backend);

// Backends compiled into this binary (CPU always; CUDA in a CUDA build, even without a
// device). Tests are parameterised over this list and skip the ones that are not available.
std::vector<Backend> compiled_backends();

// CUDA when a device is present, else CPU.
Backend default_backend();

}  // namespace sij
