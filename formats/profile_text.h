// Internal to formats/: the text profile form (documented in profile_io.h).
#pragma once

#include <memory>
#include <string>

#include "blobgraph/graph_store.h"
#include "blobgraph/profile_io.h"
#include "blobgraph/status.h"
#include "schema/input_file.h"

namespace blobgraph::formats::internal {

inline constexpr std::string_view kTextProfileMagic = "# blobgraph-profile";
// Written in the header; 1 (no load statistics) is read too.
inline constexpr int kTextProfileVersion = 2;

Result<std::unique_ptr<ProfileWriter>> OpenTextProfileWriter(const std::string& path);
// Reads `input` from its current position.
Status ReadTextProfile(schema::InputFile& input, GraphUpdate* out);

// %XX escaping of bytes outside '!'..'~' and of '\', '#', '%'.
std::string EscapeToken(std::string_view text);
// The inverse; kInvalidInput naming what is wrong (malformed %XX).
Result<std::string> UnescapeToken(std::string_view token);

}  // namespace blobgraph::formats::internal
