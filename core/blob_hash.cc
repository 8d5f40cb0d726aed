#include "blobgraph/blob_hash.h"

#include "core/hex.h"
#include "core/quote.h"

namespace blobgraph {
namespace {

constexpr std::string_view kPrefix = "sha256:";

}  // namespace

Result<BlobHash> BlobHash::FromByteString(std::string_view bytes) {
  if (bytes.size() != kSize) {
    return Status::InvalidInput("hash has " + std::to_string(bytes.size()) + " bytes, expected 32");
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
    return Status::InvalidInput("hash " + QuoteForMessage(text) + " has " +
                                std::to_string(digits.size()) + " hex digits, expected 64");
  }
  BlobHash hash;
  if (DecodeHex(digits.data(), kSize, hash.bytes_.data())) return hash;
  size_t bad = 0;
  while (HexDigitValue(digits[bad]) >= 0) ++bad;
  return Status::InvalidInput("hash " + QuoteForMessage(text) + " has a non-hex character " +
                              QuoteForMessage(digits.substr(bad, 1)) + " at position " +
                              std::to_string(offset + bad));
}

void BlobHash::WriteHex(char* out) const { blobgraph::WriteHex(bytes_.data(), kSize, out); }

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
