// Which backend runs a kernel, and which backends this build and this machine offer.
#pragma once

#include <string_view>
#include <vector>

namespace sij {

// Emulated: a CPU-run stand-in for a GPU that every build has (kernels/core/Emulated.h). Its
// memory is unreadable by the host outside launches and copies, and its launches use the CUDA
// backend's configuration. Tests and `--backend emulated` use it; `auto` never picks it.
enum class Backend { Cpu, Cuda, Emulated };

std::string_view backend_name(Backend backend);

// True when the CUDA objects were compiled into this binary.
bool cuda_compiled();

// Number of usable CUDA devices; 0 in a CPU-only build or on a machine without a GPU
// (a CUDA build probes with cudaGetDeviceCount against the static runtime).
int cuda_device_count();

// True when kernels can actually run on `backend` here (CUDA: a device that passed
// cuda_check(), see DeviceCheck.h).
bool backend_available(Backend backend);

// Backends compiled into this binary: CPU, then CUDA in a CUDA build (even without a
// device), then the emulated device (always). Tests are parameterised over this list and skip the ones that are not available.
std::vector<Backend> compiled_backends();

// CUDA when a device passed cuda_check(), else CPU (cuda_check().reason says why); never the
// emulated device.
Backend default_backend();

}  // namespace sij
