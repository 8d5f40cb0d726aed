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
  std::string_view AsBytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), kSize};
  }
  bool IsZero() const;

  std::string ToHex() const;
  // The first `digits` hex digits, for compact display.
  std::string ShortHex(size_t digits = 12) const;
  // Writes exactly kHexSize characters; no terminator.
  void WriteHex(char* out) const;

  // SHA-256 output is uniform, so its first 8 bytes are already a good hash.
  uint64_t Fingerprint() const {
    uint64_t value;
    std::memcpy(&value, bytes_.data(), sizeof(value));
    return value;
  }

  friend bool operator==(const BlobHash& a, const BlobHash& b) {
    return std::memcmp(a.bytes_.data(), b.bytes_.data(), kSize) == 0;
  }
  friend std::strong_ordering operator<=>(const BlobHash& a, const BlobHash& b) {
    int c = std::memcmp(a.bytes_.data(), b.bytes_.data(), kSize);
    return c < 0 ? std::strong_ordering::less
                 : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
  }

 private:
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
