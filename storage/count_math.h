// count_math: overflow-aware arithmetic on the store's 64-bit counts.
// Internal to storage/; pure, any thread.
//
// Two policies, used in different places on purpose:
//   CheckedAdd    - Apply() and the readers: an update whose counts would
//                   pass 2^64 - 1 is refused with a message, never stored.
//   SaturatingAdd - the merge operators and read-side sums: a backstop that
//                   can never wrap (RocksDB calls the merge operators where
//                   no error can be reported but "false"), and that Verify()
//                   then reports as a count at its ceiling.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace blobgraph::storage {

inline constexpr uint64_t kMaxCount = std::numeric_limits<uint64_t>::max();

// *sum = a + b; false (and *sum unspecified) if that passes kMaxCount.
[[nodiscard]] inline bool CheckedAdd(uint64_t a, uint64_t b, uint64_t* sum) {
  return !__builtin_add_overflow(a, b, sum);
}

// *product = a * b; false (and *product unspecified) if that passes kMaxCount.
[[nodiscard]] inline bool CheckedMul(uint64_t a, uint64_t b, uint64_t* product) {
  return !__builtin_mul_overflow(a, b, product);
}

inline uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  uint64_t sum;
  return __builtin_add_overflow(a, b, &sum) ? kMaxCount : sum;
}

// floor(value * factor) for 0 < factor <= 1: Decay's rounding, shared by
// the graph and the pulled layer so that a pulled count never ends above
// the graph's.
inline uint64_t ScaleDown(uint64_t value, double factor) {
  if (factor >= 1.0) return value;
  return static_cast<uint64_t>(std::floor(static_cast<long double>(value) * factor));
}

inline uint64_t SaturatingMul(uint64_t a, uint64_t b) {
  uint64_t product;
  return __builtin_mul_overflow(a, b, &product) ? kMaxCount : product;
}

}  // namespace blobgraph::storage
