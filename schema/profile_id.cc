#include "schema/profile_id.h"

namespace blobgraph::schema {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ProfileIdToHex(const std::array<uint8_t, 16>& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (size_t i = 0; i < id.size(); ++i) {
    out[2 * i] = kDigits[id[i] >> 4];
    out[2 * i + 1] = kDigits[id[i] & 15];
  }
  return out;
}

Result<std::array<uint8_t, 16>> ProfileIdFromHex(std::string_view text) {
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  if (text.size() != 32) {
    return Status::InvalidInput("profile id '" + shown + "' has " + std::to_string(text.size()) +
                                " hex digits, expected 32");
  }
  std::array<uint8_t, 16> id{};
  for (size_t i = 0; i < 32; ++i) {
    int value = HexValue(text[i]);
    if (value < 0) {
      return Status::InvalidInput("profile id '" + shown + "' has a non-hex character at position " +
                                  std::to_string(i));
    }
    id[i / 2] = static_cast<uint8_t>(id[i / 2] << 4 | value);
  }
  return id;
}

}  // namespace blobgraph::schema
