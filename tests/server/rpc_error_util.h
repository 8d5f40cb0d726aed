// How the server tests read a failed RPC: the peer's error as a client
// decodes it. Any thread, on the thread whose event loop `wait_scope` is.
#pragma once

#include <kj/async.h>
#include <kj/exception.h>

#include <string>

namespace blobgraph::server::testing {

// "<code name>: <message>", the code from the exception's structured field
// (schema/capnp_errors.h), e.g. "invalid input: addEdges: edges[2]: ...".
std::string ErrorText(const kj::Exception& exception);

// Waits for `promise`; its ErrorText if it failed, "" if it succeeded.
template <typename P>
std::string ErrorOf(P&& promise, kj::WaitScope& wait_scope) {
  std::string text;
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() { promise.wait(wait_scope); })) {
    text = ErrorText(*exception);
  }
  return text;
}

}  // namespace blobgraph::server::testing
