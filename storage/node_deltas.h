// NodeDeltas: what one update adds to each function's node record, keyed by
// hash, built while the update's edge rows are planned (apply_edges.cc) and
// written sorted (apply_writer.cc). Owned by the EmitUpdate call building
// it; one thread. Internal to storage/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "storage/total_checks.h"

namespace blobgraph::storage {

// The first 8 bytes of `hash` as a number that orders like the hash.
inline uint64_t Prefix(const BlobHash& hash) {
  uint64_t value;
  std::memcpy(&value, hash.data(), sizeof(value));
  return __builtin_bswap64(value);
}

// Open-addressing map hash -> NodeDelta. A bulk import touches it once per
// edge; std::unordered_map's node allocations and chained lookups were the
// largest cost of Apply() after compression.
class NodeDeltas {
 public:
  NodeDeltas() : slots_(1024) {}

  NodeDelta& operator[](const BlobHash& key) {
    if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
    return Find(key);
  }

  // Starts loading the slot `key` probes first: a large map misses the
  // cache on nearly every lookup, and a group of callees can miss together.
  void Prefetch(const BlobHash& key) const {
    __builtin_prefetch(&slots_[key.Fingerprint() & (slots_.size() - 1)]);
  }

  // The entries sorted by hash (the order SST files need).
  std::vector<std::pair<BlobHash, NodeDelta>> Sorted() const {
    std::vector<std::pair<BlobHash, NodeDelta>> sorted;
    sorted.reserve(size_);
    for (const Slot& slot : slots_) {
      if (slot.used) sorted.emplace_back(slot.key, slot.delta);
    }
    // Big-endian 8-byte prefixes order like the hashes; only ties (rare
    // among uniform hashes) need the full compare.
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      uint64_t x = Prefix(a.first), y = Prefix(b.first);
      return x != y ? x < y : a.first < b.first;
    });
    return sorted;
  }

 private:
  struct Slot {
    BlobHash key;
    NodeDelta delta;
    bool used = false;
  };

  NodeDelta& Find(const BlobHash& key) {
    size_t mask = slots_.size() - 1;
    // SHA-256 bytes are uniform: the first 8 are a good hash already.
    for (size_t i = key.Fingerprint() & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.used = true;
        slot.key = key;
        ++size_;
        return slot.delta;
      }
      if (slot.key == key) return slot.delta;
    }
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.used) Find(slot.key) = slot.delta;
    }
  }

  std::vector<Slot> slots_;  // size is a power of two
  size_t size_ = 0;
};

}  // namespace blobgraph::storage
