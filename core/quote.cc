#include "core/quote.h"

#include "core/hex.h"

namespace blobgraph {
namespace {

void AppendHexByte(std::string& out, unsigned char c) {
  out += "\\x";
  out += kLowerHexDigits[c >> 4];
  out += kLowerHexDigits[c & 15];
}

// Length of the well-formed UTF-8 sequence starting at text[i] (2..4), or 0
// when the bytes there are not one (overlong forms, surrogates and code
// points past U+10FFFF included).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length;
  unsigned char low = 0x80, high = 0xbf;  // allowed range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return length;
}

}  // namespace

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxShown = 80;
  std::string out = "'";
  size_t shown = text.size() > kMaxShown ? kMaxShown : text.size();
  for (size_t i = 0; i < shown; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'') {
      out += static_cast<char>(c);
    } else {
      AppendHexByte(out, c);
    }
  }
  if (shown < text.size()) out += "...";
  return out + "'";
}

std::string EscapeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t length = c >= 0x80 ? Utf8SequenceLength(text, i) : 0;
    // U+0080..U+009F (C1 controls) are well-formed UTF-8 but still controls.
    bool c1 = length == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if (length == 0 || c1) {
      AppendHexByte(out, c);
      if (c1) AppendHexByte(out, static_cast<unsigned char>(text[i + 1]));
      i += c1 ? 2 : 1;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace blobgraph
