// Atomics that work in both backends through libcu++'s cuda::atomic_ref (host and device).
// A build without the CUDA toolkit's headers falls back to std::atomic_ref (host only).
#pragma once

#include "kernels/core/Macros.h"

#if __has_include(<cuda/atomic>)
#include <cuda/atomic>
#define SIJ_HAVE_LIBCUXX 1
#else
#include <atomic>
#define SIJ_HAVE_LIBCUXX 0
#endif

namespace sij {

#if SIJ_HAVE_LIBCUXX
template <class T>
using AtomicRef = cuda::atomic_ref<T, cuda::thread_scope_device>;
#define SIJ_MEMORY_ORDER_RELAXED cuda::memory_order_relaxed
#else
template <class T>
using AtomicRef = std::atomic_ref<T>;
#define SIJ_MEMORY_ORDER_RELAXED std::memory_order_relaxed
#endif

template <class T>
SIJ_HD inline T atomic_load(T& target) {
  return AtomicRef<T>(target).load(SIJ_MEMORY_ORDER_RELAXED);
}

template <class T>
SIJ_HD inline void atomic_store(T& target, T value) {
  AtomicRef<T>(target).store(value, SIJ_MEMORY_ORDER_RELAXED);
}

template <class T>
SIJ_HD inline T atomic_add(T& target, T value) {
  return AtomicRef<T>(target).fetch_add(value, SIJ_MEMORY_ORDER_RELAXED);
}

// Returns true when `target` held `expected` and now holds `desired`; otherwise `expected`
// receives the current value.
template <class T>
SIJ_HD inline bool atomic_compare_exchange(T& target, T& expected, T desired) {
  return AtomicRef<T>(target).compare_exchange_strong(expected, desired, SIJ_MEMORY_ORDER_RELAXED);
}

template <class T>
SIJ_HD inline T atomic_min(T& target, T value) {
  T current = atomic_load(target);
  while (value < current && !atomic_compare_exchange(target, current, value)) {
  }
  return current;
}

template <class T>
SIJ_HD inline T atomic_max(T& target, T value) {
  T current = atomic_load(target);
  while (value > current && !atomic_compare_exchange(target, current, value)) {
  }
  return current;
}

}  // namespace sij
