// FingerprintTable: a growable open-addressing map from a function's 64-bit
// fingerprint (BlobHash::Fingerprint) to a small value, for per-function
// statistics gathered over a whole store when a snapshot is built (millions
// of updates; std::unordered_map's node per entry cost seconds at 1M
// functions). Keyed by fingerprint alone: two functions share an entry with
// probability about n^2 / 2^65 (1M functions: ~3e-8), and the statistics
// kept this way are estimates that tolerate that. Fingerprint 0 is stored
// as 1 (0 marks an empty slot). Not thread-safe; off the hot path.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace blobgraph::engine {

template <typename Value>
class FingerprintTable {
 public:
  // The value of `fingerprint`, inserted (value-initialised) if missing.
  Value& operator[](uint64_t fingerprint) {
    if ((size_ + 1) * 2 > keys_.size()) Grow();
    size_t slot = Find(Key(fingerprint));
    if (keys_[slot] == 0) {
      keys_[slot] = Key(fingerprint);
      ++size_;
    }
    return values_[slot];
  }
  // The value of `fingerprint`, or null.
  const Value* Lookup(uint64_t fingerprint) const {
    if (keys_.empty()) return nullptr;
    size_t slot = Find(Key(fingerprint));
    return keys_[slot] == 0 ? nullptr : &values_[slot];
  }
  void Reserve(size_t entries) {
    while (entries * 2 > keys_.size()) Grow();
  }
  size_t size() const { return size_; }

 private:
  static uint64_t Key(uint64_t fingerprint) { return fingerprint == 0 ? 1 : fingerprint; }
  size_t Find(uint64_t key) const {
    size_t mask = keys_.size() - 1;
    size_t slot = (key ^ (key >> 29)) & mask;
    while (keys_[slot] != 0 && keys_[slot] != key) slot = (slot + 1) & mask;
    return slot;
  }
  void Grow() {
    std::vector<uint64_t> keys = std::move(keys_);
    std::vector<Value> values = std::move(values_);
    size_t slots = keys.empty() ? 1024 : keys.size() * 2;
    keys_.assign(slots, 0);
    values_.assign(slots, Value{});
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == 0) continue;
      size_t slot = Find(keys[i]);
      keys_[slot] = keys[i];
      values_[slot] = values[i];
    }
  }

  std::vector<uint64_t> keys_;
  std::vector<Value> values_;
  size_t size_ = 0;
};

}  // namespace blobgraph::engine
