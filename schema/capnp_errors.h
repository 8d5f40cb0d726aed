// The one place where Cap'n Proto's kj::Exception becomes a Status.
//
// Cap'n Proto and kj report malformed messages, premature end of file and
// failed writes by throwing kj::Exception. Every schema/ codec runs its
// Cap'n Proto work inside GuardCapnp, so no exception leaves schema/ (and
// none reaches formats/ or the public API). Any thread.
#pragma once

#include <functional>
#include <string>

#include "blobgraph/status.h"

namespace blobgraph::schema {

// Runs `body` and returns its Status. If it throws kj::Exception (or
// std::bad_alloc), returns a Status of `code` whose message is
// "<where()>: <exception description>"; `where` is evaluated only then, so it
// can report the position reached (file, message index, byte offset).
Status GuardCapnp(Status::Code code, const std::function<std::string()>& where,
                  const std::function<Status()>& body);

}  // namespace blobgraph::schema
