// BlobHash: the 32-byte SHA-256 content hash that names a function blob.
//
// Held by value (32 bytes, trivially copyable), ordered bytewise, hashable.
// Text form: 64 lowercase hex digits. Parse() also accepts upper case and an
// optional "sha256:" prefix, and rejects anything else with a message that
// quotes the input and says what is wrong.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "blobgraph/status.h"

namespace blobgraph {

class BlobHash {
 public:
  static constexpr size_t kSize = 32;
  static constexpr size_t kHexSize = 64;

  // The all-zero hash; in traces it marks a root call (no caller).
  constexpr BlobHash() : bytes_{} {}

  // REQUIRES: `bytes` points at kSize readable bytes.
  static BlobHash FromBytes(const void* bytes) {
    BlobHash hash;
    std::memcpy(hash.bytes_.data(), bytes, kSize);
    return hash;
  }
  // Exactly kSize bytes, else kInvalidInput naming the length found.
  static Result<BlobHash> FromByteString(std::string_view bytes);
  // Hex text, with optional "sha256:" prefix, either case.
  static Result<BlobHash> Parse(std::string_view text);

  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* mutable_data() { return bytes_.data(); }
  std::string_view AsBytes() const { return {reinterpret_cast<const char*>(bytes_.data()), kSize}; }
  bool IsZero() const {
    uint64_t words[4];
    std::memcpy(words, bytes_.data(), sizeof(words));
    return (words[0] | words[1] | words[2] | words[3]) == 0;
  }

  std::string ToHex() const;
  // The first `digits` hex digits, for compact display.
  std::string ShortHex(size_t digits = 12) const;
  // Writes exactly kHexSize characters; no terminator.
  void WriteHex(char* out) const;

  // A 64-bit hash of all 32 bytes. Real SHA-256 hashes are uniform, but
  // hashes in hand-made or hostile inputs need not be (for example 64 hex
  // digits that are mostly zeros), and a hash table keyed by only some of
  // the bytes would then degrade to linear scans. Every byte is mixed in.
  uint64_t Fingerprint() const {
    uint64_t w[4];
    std::memcpy(w, bytes_.data(), sizeof(w));
    // Four independent multiplies, rotated apart, then murmur3's finaliser
    // so that every input bit reaches the low bits tables index by.
    uint64_t h = w[0] * 0x9E3779B97F4A7C15ull ^ Rotl(w[1] * 0xC2B2AE3D27D4EB4Full, 16) ^
                 Rotl(w[2] * 0x165667B19E3779F9ull, 32) ^ Rotl(w[3] * 0xD6E8FEB86659FD93ull, 48);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 33);
  }

  // On the prefetch hot path (one compare per snapshot probe): a memcmp of a
  // constant 32 bytes compiles to inline 8-byte loads and compares (g++ -O2
  // and -O3), no library call, and stops at the first differing half.
  friend bool operator==(const BlobHash& a, const BlobHash& b) {
    return std::memcmp(a.bytes_.data(), b.bytes_.data(), kSize) == 0;
  }
  friend std::strong_ordering operator<=>(const BlobHash& a, const BlobHash& b) {
    int c = std::memcmp(a.bytes_.data(), b.bytes_.data(), kSize);
    return c < 0 ? std::strong_ordering::less
                 : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }
  std::array<uint8_t, kSize> bytes_;
};

static_assert(sizeof(BlobHash) == BlobHash::kSize);

}  // namespace blobgraph

template <>
struct std::hash<blobgraph::BlobHash> {
  size_t operator()(const blobgraph::BlobHash& hash) const noexcept {
    return static_cast<size_t>(hash.Fingerprint());
  }
};
