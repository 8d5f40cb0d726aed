// Untrusted text made safe to show.
//
// QuoteForMessage: untrusted text, quoted for an error message. At most 80
// characters, in single quotes; unprintable bytes and quotes are written
// \xNN, and a longer text ends in "...". Used by every parser so that all
// messages quote input the same way.
//
// EscapeForTerminal: untrusted text (a function name, a source host, a peer's
// message) for a log line or the CLI's human-readable output, whole and
// unquoted. Printable ASCII and well-formed UTF-8 pass unchanged; every byte
// a terminal or a log reader would act on is written \xNN: C0 controls (LF,
// CR, ESC, ...), DEL, the C1 controls U+0080..U+009F (in their UTF-8 form, as
// \xc2\xNN) and bytes that are not well-formed UTF-8 (an 8-bit C1 byte such
// as 0x9b is a CSI on some terminals). A backslash is written \\ so the
// escaped text reads back unambiguously. Machine formats (export, --json)
// keep their own escaping and do not use this.
//
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace blobgraph {

std::string QuoteForMessage(std::string_view text);

std::string EscapeForTerminal(std::string_view text);

}  // namespace blobgraph
