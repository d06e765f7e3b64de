// Host/device annotations shared by every kernel body.
//
// Kernel bodies are written once and compiled twice: by g++ for the CPU backend (OpenMP loop)
// and by nvcc for the CUDA backend (grid-stride kernel). SIJ_HD expands to the CUDA
// qualifiers only when nvcc compiles the translation unit.
#pragma once

#if defined(__CUDACC__)
#define SIJ_HD __host__ __device__
#define SIJ_DEVICE_COMPILE 1
#else
#define SIJ_HD
#define SIJ_DEVICE_COMPILE 0
#endif
