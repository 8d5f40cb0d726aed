// WasteQueue: wasted predictions, each named by
// the fingerprints (BlobHash::Fingerprint) of its producing edge's caller
// and callee, from the feedback tracker to the engine's flush.
//
// Producers are prefetching threads (the tracker finds a prediction wasted
// while issuing another): TryPush never blocks or allocates and drops the
// event when the queue is full, counting it, so feedback under pressure
// costs a lost count, never a stall. The consumer is the flush.
// Threads: TryPush and TryPop from any thread.
#pragma once

#include <cstdint>

#include "engine/bounded_queue.h"

namespace blobgraph::engine {

struct WastedEdge {
  uint64_t caller_fingerprint = 0;
  uint64_t callee_fingerprint = 0;
};

using WasteQueue = BoundedQueue<WastedEdge>;

}  // namespace blobgraph::engine
