// Hex text of bytes, and hex digit values: the one encoder and decoder that
// hashes, profile ids, quoted input and escaped names share. Pure; any thread.
#pragma once

#include <array>
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

// Hex digit values by byte, 0xff for anything that is not a hex digit: one
// table load per digit keeps DecodeHex free of branches (text import decodes
// two hashes per line this way).
inline constexpr std::array<uint8_t, 256> kHexDigitValues = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : 0xff;
  }
  return table;
}();

// 0..15 for a hex digit of either case, -1 for anything else.
inline int HexDigitValue(char c) {
  uint8_t value = kHexDigitValues[static_cast<uint8_t>(c)];
  return value == 0xff ? -1 : value;
}

// Decodes the 2 * `size` hex digits (either case) at `text` into `size` bytes
// at `out`. False if any character is not a hex digit; `out` then holds
// garbage (find the culprit with HexDigitValue for a message).
// REQUIRES: `text` has 2 * `size` readable characters.
inline bool DecodeHex(const char* text, size_t size, uint8_t* out) {
  uint8_t bad = 0;
  for (size_t i = 0; i < size; ++i) {
    uint8_t high = kHexDigitValues[static_cast<uint8_t>(text[2 * i])];
    uint8_t low = kHexDigitValues[static_cast<uint8_t>(text[2 * i + 1])];
    bad |= (high | low) & 0xf0;
    out[i] = static_cast<uint8_t>(high << 4 | (low & 0x0f));
  }
  return bad == 0;
}

}  // namespace blobgraph
