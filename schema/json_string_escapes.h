// JSON string escapes that Cap'n Proto's JSON codec reads right.
//
// Cap'n Proto 0.9.2's JSON decoder (capnp/compat/json.c++, unescapeAndAppend)
// takes a hex letter of a \uXXXX escape as its value minus ten ('a' and 'A'
// as 0, 'f' as 5): "A\u004aB" comes back as "A@B", "\u001b" as 0x11,
// "\u00e9" as 'I', and every UTF-16 surrogate (all hold a 'd') as some other
// character. Escapes of digits only, the short escapes (\" \\ \/ \b \f \n \r
// \t) and raw bytes (UTF-8, even control characters) it reads right.
//
// RewriteStringEscapes decodes every \uXXXX of one string literal itself,
// surrogate pairs included, and gives the codec the character as raw UTF-8
// bytes (a '"' or '\' as \" or \\), so the codec's decoder never meets a \u.
// Everything else is left for the codec. Any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "blobgraph/status.h"

namespace blobgraph::schema {

// True when `body` (a literal's text between its quotes, as in the file)
// holds something RewriteStringEscapes may change or refuse: an escape or a
// NUL byte. Cheap; most strings of a profile (hashes, plain names) have none.
bool NeedsEscapeRewrite(std::string_view body);

// Appends to *out the body with every \uXXXX decoded as described above;
// *changed tells whether it differs from `body` (a \u was decoded).
// `body_offset` is where the body starts in the document, for messages.
// Errors (kInvalidInput, "offset N: <problem>", N the escape's offset):
//   a \u without 4 hex digits, a high surrogate without a low one after it,
//   a low surrogate alone, an unknown escape (\x), and a NUL character
//   (\u0000 or a raw 0 byte), which Cap'n Proto Text cannot carry.
// On error *out holds a partial body; the caller discards it.
Status RewriteStringEscapes(std::string_view body, size_t body_offset, std::string* out,
                            bool* changed);

}  // namespace blobgraph::schema
