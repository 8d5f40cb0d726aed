// The one place where Cap'n Proto's kj::Exception and Status meet, both ways.
//
// Cap'n Proto and kj report malformed messages, premature end of file and
// failed writes by throwing kj::Exception. Every schema/ codec runs its
// Cap'n Proto work inside GuardCapnp, so no exception leaves schema/ (and
// none reaches formats/ or the public API).
//
// Over RPC (server/) a Status travels as a kj::Exception: ThrowStatus makes
// one whose text is the message and which carries the code in a structured
// field, and StatusFromException turns any exception back into a Status with
// that code. kj 0.9's exceptions have no detail slots, so the code rides in
// the remote-trace field, the one field besides type and text that Cap'n
// Proto RPC carries (rpc.capnp Exception.trace); each RPC system sends it
// with SetStatusTraceEncoder. No message text is ever parsed for a code.
// Any thread.
#pragma once

#include <functional>
#include <string>

#include <kj/exception.h>

#include "blobgraph/status.h"

namespace blobgraph::schema {

// Runs `body` and returns its Status. If it throws kj::Exception (or
// std::bad_alloc), returns StatusFromException with `code` as the fallback
// and "<where()>" as the context; `where` is evaluated only then, so it can
// report the position reached (file, message index, byte offset).
Status GuardCapnp(Status::Code code, const std::function<std::string()>& where,
                  const std::function<Status()>& body);

// Throws a kj::Exception for a non-OK `status`: OVERLOADED for kBusy (peers
// back off and retry), FAILED otherwise; its text is status.message(), its
// code travels as described above.
[[noreturn]] void ThrowStatus(const Status& status);

// The Status for `exception`: the code ThrowStatus gave it (here or in a
// peer), else kIOError for DISCONNECTED (message "disconnected: ..."), kBusy
// for OVERLOADED, `fallback` for anything else. The message is
// "<context>: <text>" (just the text for an empty context), without the
// "remote exception: " the RPC system puts before a peer's text.
Status StatusFromException(const kj::Exception& exception, Status::Code fallback,
                           const std::string& context);

// What an RpcSystem's trace encoder sends with an exception: the code
// ThrowStatus attached, or nothing. For RpcSystem::setTraceEncoder.
kj::String EncodeStatusTrace(const kj::Exception& exception);

}  // namespace blobgraph::schema
