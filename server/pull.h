// The pull job: streams the merged graph, or its hot part, from the store
// into a client's ProfileSink.
//
// Runs on a reader thread (it scans the store); every chunk is handed to the
// event loop with Executor::executeSync, which encodes it into a streaming
// call and blocks this thread until flow control admits more, so at most a
// window of chunks is buffered however slow the client reads. A chunk not
// admitted within --pull-send-timeout fails the pull (send_deadline.h), so
// a receiver that stops reading cannot hold this thread.
// Internal to server/.
#pragma once

#include <memory>

#include "schema/profile_service.capnp.h"
#include "server/server_core.h"

namespace blobgraph::server {

struct PullRequest {
  uint64_t max_functions = 0;
  uint64_t max_bytes = 0;
  uint64_t min_calls = 0;
  bool include_names = true;
  bool include_loads = false;  // the client's sink takes `loads`
  bool hot() const { return max_functions || max_bytes || min_calls; }
};

struct PullSummary {
  uint64_t functions = 0;
  uint64_t edges = 0;
  uint64_t names = 0;
  uint64_t declared = 0;
  uint64_t loads = 0;
  uint64_t run_weight = 0;  // the store's, with include_loads
};

// The sink as the reader thread sees it. Created and cleared on the loop
// thread; `sink` is touched only inside executeSync (on the loop thread).
// Cleared when the pull call ends either way, so a job still running after
// its client went away fails its next chunk instead of using a dead sink.
struct PullChannel {
  kj::Maybe<schema::ProfileSink::Client> sink;
};

// Runs the pull; throws kj::Exception on a store error, a cancelled pull or
// a server shutdown. REQUIRES: called on a reader thread.
PullSummary RunPull(ServerCore& core, const PullRequest& request,
                    const std::shared_ptr<PullChannel>& channel);

}  // namespace blobgraph::server
