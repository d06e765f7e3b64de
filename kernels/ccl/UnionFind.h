// Concurrent union-find on an int32 parent array, shared by every backend.
//
// Nodes are linear voxel indices. The forest keeps one invariant: parent[i] <= i. Unions link
// the larger root under the smaller one, so a tree's root is the smallest index in it, which
// is the first voxel of the component in raster order. That makes the final numbering
// deterministic whatever order threads run in.
//
// After the union phase, a root may be overwritten with a negative value to carry a flag or
// a final label; the read-only find treats any negative entry as a root.
#pragma once

#include <cstdint>

#include "kernels/core/Atomic.h"
#include "kernels/core/Macros.h"

namespace sij::detail {

// Root of i while unions are running. Path halving keeps trees shallow; the stores are
// benign races because every value written is an ancestor of the node it is written to.
SIJ_HD inline std::int32_t find_root_halving(std::int32_t* parent, std::int32_t i) {
  while (true) {
    const std::int32_t p = atomic_load(parent[i]);
    if (p == i) return i;
    const std::int32_t grandparent = atomic_load(parent[p]);
    if (grandparent == p) return p;
    atomic_store(parent[i], grandparent);
    i = grandparent;
  }
}

// Root of i once unions are done. Read-only: a halving store here could overwrite a pointer
// that another thread has just flattened straight to the root with an older ancestor.
SIJ_HD inline std::int32_t find_root(std::int32_t* parent, std::int32_t i) {
  while (true) {
    const std::int32_t p = atomic_load(parent[i]);
    if (p == i || p < 0) return i;
    i = p;
  }
}

// Merges the trees of a and b: a CAS links the larger root under the smaller one, retrying
// when another thread moved that root first. Returns the merged tree's root as seen here (a
// later find from it is short); callers joining one node to many pass it back in as `a`.
SIJ_HD inline std::int32_t unite(std::int32_t* parent, std::int32_t a, std::int32_t b) {
  while (true) {
    a = find_root_halving(parent, a);
    b = find_root_halving(parent, b);
    if (a == b) return a;
    if (a < b) {
      const std::int32_t t = a;
      a = b;
      b = t;
    }
    std::int32_t expected = a;  // a is the larger root: it must still be a root to be linked
    if (atomic_compare_exchange(parent[a], expected, b)) return b;
  }
}

}  // namespace sij::detail
