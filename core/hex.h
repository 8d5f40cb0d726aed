// Hex text of bytes, and hex digit values: the one encoder and decoder that
// hashes, profile ids, quoted input and escaped names share. Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace blobgraph {

inline constexpr char kLowerHexDigits[] = "0123456789abcdef";

// Writes 2 * `size` lowercase hex digits to `out` (no terminator).
inline void WriteHex(const uint8_t* bytes, size_t size, char* out) {
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kLowerHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kLowerHexDigits[bytes[i] & 15];
  }
}

inline std::string ToHex(const uint8_t* bytes, size_t size) {
  std::string out(2 * size, '0');
  WriteHex(bytes, size, out.data());
  return out;
}

// 0..15 for a hex digit of either case, -1 for anything else.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace blobgraph
