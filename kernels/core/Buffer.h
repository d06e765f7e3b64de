// Buffer<T>: an owning, move-only array that knows which backend its memory lives on.
//
// Kernels take raw pointers valid on their backend; Buffer is how host code owns them.
// Elements are trivially copyable and are NOT initialised on allocation (volumes are large
// and are always written before they are read; tests poison them on purpose).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/core/Backend.h"
#include "kernels/core/Memory.h"

namespace sij {

template <class T>
class Buffer {
  static_assert(std::is_trivially_copyable_v<T>, "Buffer holds plain data only");

 public:
  Buffer() = default;
  Buffer(Backend backend, std::size_t count)
      : backend_(backend),
        count_(count),
        data_(static_cast<T*>(backend_allocate(backend, count * sizeof(T)))) {}

  static Buffer from_host(Backend backend, const T* src, std::size_t count) {
    Buffer buffer(backend, count);
    backend_copy(backend, buffer.data_, Backend::Cpu, src, count * sizeof(T));
    return buffer;
  }
  static Buffer from_host(Backend backend, const std::vector<T>& src) {
    return from_host(backend, src.data(), src.size());
  }

  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& other) noexcept { swap(other); }
  Buffer& operator=(Buffer&& other) noexcept {
    Buffer(std::move(other)).swap(*this);
    return *this;
  }
  ~Buffer() { backend_free(backend_, data_); }

  void swap(Buffer& other) noexcept {
    std::swap(backend_, other.backend_);
    std::swap(count_, other.count_);
    std::swap(data_, other.data_);
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return count_; }
  std::size_t bytes() const { return count_ * sizeof(T); }
  Backend backend() const { return backend_; }
  bool empty() const { return count_ == 0; }

  // Sets every byte to `value` (0 for zeros, 0xFF to poison).
  void fill_bytes(int value) { backend_memset(backend_, data_, value, bytes()); }

  std::vector<T> to_host() const {
    std::vector<T> out(count_);
    backend_copy(Backend::Cpu, out.data(), backend_, data_, bytes());
    return out;
  }
  void copy_from_host(const T* src) { backend_copy(backend_, data_, Backend::Cpu, src, bytes()); }
  void copy_to_host(T* dst) const { backend_copy(Backend::Cpu, dst, backend_, data_, bytes()); }

  // Host-side element access; only valid for CPU buffers.
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

 private:
  Backend backend_ = Backend::Cpu;
  std::size_t count_ = 0;
  T* data_ = nullptr;
};

}  // namespace sij
