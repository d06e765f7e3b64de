// Which voxels a union-find forest is built over. Passing a predicate instead of a mask lets
// hole filling label the background and hysteresis label an HU range without first writing
// an inverted or thresholded copy of the volume.
//
// Besides operator()(i), a predicate finds the next selected / unselected voxel in [i, end)
// and gives the selection of eight voxels at once as byte flags: the row walks spend most of
// their time crossing spans, and on byte masks that can go eight voxels at a time.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/core/Macros.h"

namespace sij::detail {

SIJ_HD inline std::uint64_t load_8_bytes(const std::uint8_t* p) {
  std::uint64_t v;
  memcpy(&v, p, sizeof(v));  // unaligned-safe; compiles to one load on the CPU
  return v;
}

// 0x80 in the lowest zero byte of v (and possibly in higher ones), 0 when v has no zero byte.
SIJ_HD inline std::uint64_t zero_byte_flags(std::uint64_t v) {
  return (v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull;
}

// Index (0..7, little-endian) of the lowest nonzero byte of a nonzero word.
SIJ_HD inline int lowest_nonzero_byte(std::uint64_t v) {
#if defined(__CUDA_ARCH__)
  return (__ffsll(static_cast<long long>(v)) - 1) >> 3;
#else
  return __builtin_ctzll(v) >> 3;
#endif
}

// The scans below read whole 8-byte words, also for the last few voxels of a row: bytes in
// [end, i + 8) are read (never past `size`, the length of the array) and masked out. Rows
// are short and windows shorter, so a byte-by-byte tail would cost more than the words.

// Bytes of v at positions >= valid (0 < valid < 8) cleared / set.
SIJ_HD inline std::uint64_t keep_low_bytes(std::uint64_t v, std::int64_t valid) {
  return valid >= 8 ? v : v & (~0ull >> (8 * (8 - valid)));
}
SIJ_HD inline std::uint64_t fill_high_bytes(std::uint64_t v, std::int64_t valid) {
  return valid >= 8 ? v : v | (~0ull << (8 * valid));
}

// First i in [i, end) with bytes[i] != 0, else end.
SIJ_HD inline std::int64_t find_nonzero_byte(const std::uint8_t* bytes, std::int64_t i,
                                             std::int64_t end, std::int64_t size) {
  for (; i < end; i += 8) {
    if (i + 8 > size) {  // the last word of the array: bytewise
      while (i < end && bytes[i] == 0) ++i;
      return i;
    }
    const std::uint64_t v = keep_low_bytes(load_8_bytes(bytes + i), end - i);
    if (v != 0) return i + lowest_nonzero_byte(v);
  }
  return end;
}

// First i in [i, end) with bytes[i] == 0, else end.
SIJ_HD inline std::int64_t find_zero_byte(const std::uint8_t* bytes, std::int64_t i,
                                          std::int64_t end, std::int64_t size) {
  for (; i < end; i += 8) {
    if (i + 8 > size) {
      while (i < end && bytes[i] != 0) ++i;
      return i;
    }
    const std::uint64_t flags = zero_byte_flags(fill_high_bytes(load_8_bytes(bytes + i), end - i));
    if (flags != 0) return i + lowest_nonzero_byte(flags);
  }
  return end;
}

// 0x80 in every nonzero byte of v, 0 elsewhere (exact: no carries between bytes).
SIJ_HD inline std::uint64_t nonzero_byte_flags(std::uint64_t v) {
  constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
  return (((v & low7) + low7) | v) & 0x8080808080808080ull;
}

// 0x80 in byte b when bytes[i + b] != 0, for the bytes of [i, min(i + 8, end)); 0 beyond.
SIJ_HD inline std::uint64_t nonzero_flags_of_word(const std::uint8_t* bytes, std::int64_t i,
                                                  std::int64_t end, std::int64_t size) {
  if (i + 8 <= size) return keep_low_bytes(nonzero_byte_flags(load_8_bytes(bytes + i)), end - i);
  std::uint64_t flags = 0;
  for (int b = 0; b < 8 && i + b < end; ++b) {
    if (bytes[i + b] != 0) flags |= 0x80ull << (8 * b);
  }
  return flags;
}

struct MaskIsSet {
  const std::uint8_t* mask;
  std::int64_t size;  // voxels in `mask`: the scans never read past it
  SIJ_HD bool operator()(std::int64_t i) const { return mask[i] != 0; }
  SIJ_HD std::int64_t next_selected(std::int64_t i, std::int64_t end) const {
    return find_nonzero_byte(mask, i, end, size);
  }
  SIJ_HD std::int64_t next_unselected(std::int64_t i, std::int64_t end) const {
    return find_zero_byte(mask, i, end, size);
  }
  // 0x80 in byte b when voxel i + b is selected, for [i, min(i + 8, end)).
  SIJ_HD std::uint64_t selected_flags(std::int64_t i, std::int64_t end) const {
    return nonzero_flags_of_word(mask, i, end, size);
  }
};

struct MaskIsClear {
  const std::uint8_t* mask;
  std::int64_t size;
  SIJ_HD bool operator()(std::int64_t i) const { return mask[i] == 0; }
  SIJ_HD std::int64_t next_selected(std::int64_t i, std::int64_t end) const {
    return find_zero_byte(mask, i, end, size);
  }
  SIJ_HD std::int64_t next_unselected(std::int64_t i, std::int64_t end) const {
    return find_nonzero_byte(mask, i, end, size);
  }
  SIJ_HD std::uint64_t selected_flags(std::int64_t i, std::int64_t end) const {
    return keep_low_bytes(~nonzero_flags_of_word(mask, i, end, size) & 0x8080808080808080ull,
                          end - i);
  }
};

}  // namespace sij::detail
