// ProfileInfo's helpers (declared in include/blobgraph/graph_store.h).
#include <unistd.h>

#include <chrono>
#include <random>

#include "blobgraph/graph_store.h"
#include "core/quote.h"

namespace blobgraph {

ProfileInfo ProfileInfo::NewForThisHost() {
  ProfileInfo profile;
  std::random_device random;
  for (size_t i = 0; i < profile.id.size(); i += 4) {
    uint32_t word = random();
    for (size_t k = 0; k < 4; ++k) profile.id[i + k] = static_cast<uint8_t>(word >> (8 * k));
  }
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) profile.source_host = host;
  profile.created_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  return profile;
}

std::string ProfileInfo::IdHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(id.size() * 2);
  for (uint8_t byte : id) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

Result<std::array<uint8_t, 16>> ProfileInfo::ParseId(std::string_view hex) {
  std::array<uint8_t, 16> id{};
  if (hex.size() != id.size() * 2) {
    return Status::InvalidInput("profile id " + QuoteForMessage(hex) + " has " +
                                std::to_string(hex.size()) + " hex digits, expected 32");
  }
  for (size_t i = 0; i < hex.size(); ++i) {
    char c = hex[i];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) {
      return Status::InvalidInput("profile id " + QuoteForMessage(hex) +
                                  " has a non-hex character " + QuoteForMessage(hex.substr(i, 1)) +
                                  " at position " + std::to_string(i));
    }
    id[i / 2] = static_cast<uint8_t>(id[i / 2] << 4 | digit);
  }
  return id;
}

}  // namespace blobgraph
