// Prefetcher: the reference's queue-style interface over an Engine.
//
// Prefetch(hash) walks from `hash` and appends new predictions to a queue;
// DrainQueue() hands the queued hashes to the runtime's fetch/compile
// workers. A hash already queued or already loaded (Engine::OnLoad) is not
// queued again. Unlike Engine::Prefetch this path takes a mutex and may
// allocate: it is for runtimes that want a queue, not for the hot path.
// Threads: any.
#pragma once

#include <mutex>
#include <unordered_set>
#include <vector>

#include "blobgraph/engine.h"

namespace blobgraph {

class Prefetcher {
 public:
  // `engine` must outlive the prefetcher.
  Prefetcher(Engine* engine, const PrefetchOptions& options);

  // Queues the predictions for `hash`; returns how many were newly queued.
  size_t Prefetch(const BlobHash& hash);
  // Returns and clears the queue, most probable first within each request.
  std::vector<BlobHash> DrainQueue();
  // Forget that `hash` was queued (for example after evicting it).
  void Forget(const BlobHash& hash);

  const PrefetchOptions& options() const { return options_; }

 private:
  Engine* engine_;
  PrefetchOptions options_;
  std::mutex mutex_;
  std::vector<BlobHash> queue_;
  std::unordered_set<BlobHash> ever_queued_;
};

}  // namespace blobgraph
