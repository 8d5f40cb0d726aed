#include "schema/json_string_escapes.h"

#include <cstdint>
#include <cstring>

namespace blobgraph::schema {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the \uXXXX at body[at] ('\\' at `at`), or -1 when the
// four characters after "\u" are not all hex digits (or missing).
int32_t CodeUnitAt(std::string_view body, size_t at) {
  if (at + 6 > body.size() || body[at] != '\\' || body[at + 1] != 'u') return -1;
  int32_t unit = 0;
  for (size_t k = at + 2; k < at + 6; ++k) {
    int digit = HexValue(body[k]);
    if (digit < 0) return -1;
    unit = unit << 4 | digit;
  }
  return unit;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    // The two characters a raw byte cannot stand for inside a JSON string.
    if (code_point == '"' || code_point == '\\') *out += '\\';
    *out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out += static_cast<char>(0xC0 | code_point >> 6);
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out += static_cast<char>(0xE0 | code_point >> 12);
    *out += static_cast<char>(0x80 | (code_point >> 6 & 0x3F));
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | code_point >> 18);
    *out += static_cast<char>(0x80 | (code_point >> 12 & 0x3F));
    *out += static_cast<char>(0x80 | (code_point >> 6 & 0x3F));
    *out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

std::string Hex4(int32_t unit) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) text += kDigits[unit >> shift & 15];
  return text;
}

// The escape as written, for messages: printable ASCII only, at most 12 bytes.
std::string Shown(std::string_view body, size_t at) {
  std::string shown;
  for (size_t k = at; k < body.size() && k < at + 12; ++k) {
    unsigned char c = static_cast<unsigned char>(body[k]);
    if (c == '"' && k > at) break;
    shown += c >= ' ' && c <= '~' ? static_cast<char>(c) : '?';
  }
  return "'" + shown + "'";
}

Status Refuse(size_t offset, const std::string& problem) {
  return Status::InvalidInput("offset " + std::to_string(offset) + ": " + problem);
}

}  // namespace

bool NeedsEscapeRewrite(std::string_view body) {
  return std::memchr(body.data(), '\\', body.size()) != nullptr ||
         std::memchr(body.data(), '\0', body.size()) != nullptr;
}

Status RewriteStringEscapes(std::string_view body, size_t body_offset, std::string* out,
                            bool* changed) {
  *changed = false;
  size_t copied = 0;  // body[0, copied) is already in *out
  for (size_t i = 0; i < body.size();) {
    if (body[i] == '\0') {
      return Refuse(body_offset + i,
                    "a raw NUL byte in a string, which Cap'n Proto Text cannot carry");
    }
    if (body[i] != '\\') {
      ++i;
      continue;
    }
    size_t at = i;
    char kind = at + 1 < body.size() ? body[at + 1] : '\0';
    if (kind != 'u') {
      if (std::strchr("\"\\/bfnrt", kind) == nullptr || kind == '\0') {
        return Refuse(body_offset + at,
                      "unknown escape " + Shown(body, at) +
                          " (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      }
      i += 2;  // a short escape: the codec reads these right
      continue;
    }
    int32_t unit = CodeUnitAt(body, at);
    if (unit < 0) {
      return Refuse(body_offset + at, "escape " + Shown(body, at) + " is not \\u and 4 hex digits");
    }
    uint32_t code_point = static_cast<uint32_t>(unit);
    size_t end = at + 6;
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return Refuse(body_offset + at,
                    "UTF-16 low surrogate " + Hex4(unit) + " without a high surrogate before it");
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int32_t low = CodeUnitAt(body, end);
      if (low < 0xDC00 || low > 0xDFFF) {
        return Refuse(body_offset + at, "UTF-16 high surrogate " + Hex4(unit) +
                                            " without a low surrogate (\\udc00-\\udfff) after it");
      }
      code_point = 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) +
                   (static_cast<uint32_t>(low) - 0xDC00);
      end += 6;
    }
    if (code_point == 0) {
      return Refuse(body_offset + at,
                    "\\u0000 (NUL) in a string, which Cap'n Proto Text cannot carry");
    }
    out->append(body, copied, at - copied);
    AppendUtf8(code_point, out);
    *changed = true;
    copied = i = end;
  }
  out->append(body, copied, std::string_view::npos);
  return Status::Ok();
}

}  // namespace blobgraph::schema
