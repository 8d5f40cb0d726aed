// A deadline for a streaming call to a client's sink (--pull-send-timeout):
// a pull whose receiver takes no chunk for that long is cancelled, so it
// cannot hold a reader thread for as long as the client stays connected.
// Loop thread. Internal to server/.
#pragma once

#include <kj/async.h>

#include "server/server_core.h"

namespace blobgraph::server {

// `send` (a streaming call's promise), failing with an I/O error naming
// --pull-send-timeout when it does not complete within the limit.
kj::Promise<void> WithSendDeadline(ServerCore& core, kj::Promise<void> send);

}  // namespace blobgraph::server
