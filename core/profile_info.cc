// ProfileInfo's helpers (declared in include/blobgraph/graph_store.h).
#include <unistd.h>

#include <chrono>
#include <random>

#include "blobgraph/graph_store.h"
#include "core/hex.h"
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

std::string ProfileInfo::IdHex() const { return ToHex(id.data(), id.size()); }

Result<std::array<uint8_t, 16>> ProfileInfo::ParseId(std::string_view hex) {
  std::array<uint8_t, 16> id{};
  if (hex.size() != id.size() * 2) {
    return Status::InvalidInput("profile id " + QuoteForMessage(hex) + " has " +
                                std::to_string(hex.size()) + " hex digits, expected 32");
  }
  for (size_t i = 0; i < hex.size(); ++i) {
    int digit = HexDigitValue(hex[i]);
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
