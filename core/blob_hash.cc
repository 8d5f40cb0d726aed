#include "blobgraph/blob_hash.h"

#include "core/quote.h"

namespace blobgraph {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kPrefix = "sha256:";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

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
    int high = HexValue(digits[i]);
    int low = HexValue(digits[i + 1]);
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

bool BlobHash::IsZero() const {
  for (uint8_t b : bytes_) {
    if (b != 0) return false;
  }
  return true;
}

void BlobHash::WriteHex(char* out) const {
  for (size_t i = 0; i < kSize; ++i) {
    out[2 * i] = kHexDigits[bytes_[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes_[i] & 15];
  }
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
