// QuoteForMessage: untrusted text, quoted for an error message.
//
// At most 80 characters, in single quotes; unprintable bytes and quotes are
// written \xNN, and a longer text ends in "...". Used by every parser so
// that all messages quote input the same way. Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace blobgraph {

std::string QuoteForMessage(std::string_view text);

}  // namespace blobgraph
