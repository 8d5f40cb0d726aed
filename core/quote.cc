#include "core/quote.h"

#include "core/hex.h"

namespace blobgraph {

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxShown = 80;
  std::string out = "'";
  size_t shown = text.size() > kMaxShown ? kMaxShown : text.size();
  for (size_t i = 0; i < shown; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kLowerHexDigits[c >> 4];
      out += kLowerHexDigits[c & 15];
    }
  }
  if (shown < text.size()) out += "...";
  return out + "'";
}

}  // namespace blobgraph
