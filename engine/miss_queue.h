// MissQueue: the functions the snapshot could not answer (absent, or a leaf
// whose callees were left out), from prefetching threads to the engine's
// background thread (or Refresh()). A full queue drops the hash: the
// function misses again later and gets another chance.
#pragma once

#include "blobgraph/blob_hash.h"
#include "engine/bounded_queue.h"

namespace blobgraph::engine {

using MissQueue = BoundedQueue<BlobHash>;

}  // namespace blobgraph::engine
