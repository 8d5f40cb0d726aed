#include "blobgraph/blob_hash.h"

#include "core/hex.h"
#include "core/quote.h"

namespace blobgraph {
namespace {

constexpr std::string_view kPrefix = "sha256:";

}  // namespace

Result<BlobHash> BlobHash::FromByteString(std::string_view bytes) {
  if (bytes.size() != kSize) {
    return Status::InvalidInput("hash has " + std::to_string(bytes.size()) +
                                " bytes, expected 32");
  }
  return FromBytes(bytes.data());
}

Result<BlobHash> BlobHash::Parse(std::string_view text) {
  std::string_view digits = text;
  size_t offset = 0;
  if (digits.substr(0, kPrefix.size()) == kPrefix) {
    digits.remove_prefix(kPrefix.size());
    offset = kPrefix.size();
  }
  if (digits.size() != kHexSize) {
    return Status::InvalidInput("hash " + QuoteForMessage(text) + " has " + std::to_string(digits.size()) +
                                " hex digits, expected 64");
  }
  BlobHash hash;
  for (size_t i = 0; i < kHexSize; i += 2) {
    int high = HexDigitValue(digits[i]);
    int low = HexDigitValue(digits[i + 1]);
    if (high < 0 || low < 0) {
      size_t bad = high < 0 ? i : i + 1;
      return Status::InvalidInput("hash " + QuoteForMessage(text) + " has a non-hex character " +
                                  QuoteForMessage(digits.substr(bad, 1)) + " at position " +
                                  std::to_string(offset + bad));
    }
    hash.bytes_[i / 2] = static_cast<uint8_t>(high << 4 | low);
  }
  return hash;
}

void BlobHash::WriteHex(char* out) const {
  blobgraph::WriteHex(bytes_.data(), kSize, out);
}

std::string BlobHash::ToHex() const {
  std::string out(kHexSize, '0');
  WriteHex(out.data());
  return out;
}

std::string BlobHash::ShortHex(size_t digits) const {
  std::string hex = ToHex();
  return hex.substr(0, digits < kHexSize ? digits : kHexSize);
}

}  // namespace blobgraph
