// The server's side of one push: the PushSession capability that
// Session.beginPush and Session.beginRetract hand out
// (schema/profile_service.capnp). Chunks are decoded on the event loop,
// charged to the push budgets (push_budget.h) and kept until commit, which
// applies them (or, for a retraction, takes the profile back; retract_rpc.h)
// on the writer thread. Internal to server/.
#pragma once

#include <memory>

#include "blobgraph/graph_store.h"
#include "schema/profile_service.capnp.h"
#include "server/server_core.h"

namespace blobgraph::server {

// REQUIRES: OpenPushSession admitted the push on `info`'s connection; `core`
// outlives the session. `retract`: the contents stream in the same way, and
// commit takes the profile back instead of applying it. Loop thread only.
schema::PushSession::Client NewPushSession(ServerCore& core, std::shared_ptr<ConnectionInfo> info,
                                           ProfileInfo profile, bool retract);

}  // namespace blobgraph::server
