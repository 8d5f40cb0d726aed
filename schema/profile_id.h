// Text form of a profile id (ProfileInfo::id): 32 lowercase hex digits.
// Kept here so schema/ and formats/ do not depend on where ProfileInfo's own
// helpers are defined. Pure functions; any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "blobgraph/status.h"

namespace blobgraph::schema {

std::string ProfileIdToHex(const std::array<uint8_t, 16>& id);
// Exactly 32 hex digits, either case; kInvalidInput quoting the text otherwise.
Result<std::array<uint8_t, 16>> ProfileIdFromHex(std::string_view text);

}  // namespace blobgraph::schema
