#include "blobgraph/prefetcher.h"

#include <algorithm>

namespace blobgraph {

Prefetcher::Prefetcher(Engine* engine, const PrefetchOptions& options)
    : engine_(engine), options_(options) {}

size_t Prefetcher::Prefetch(const BlobHash& hash) {
  // A walk returns at most kMaxPrefetchResults: a buffer that size holds
  // any answer, whatever options_.max_results says (UINT32_MAX must not
  // become a 160 GB allocation).
  Prediction predictions[kMaxPrefetchResults];
  size_t count = engine_->Prefetch(hash, options_, predictions, kMaxPrefetchResults);
  std::lock_guard<std::mutex> lock(mutex_);
  size_t queued = 0;
  for (size_t i = 0; i < count; ++i) {
    if (ever_queued_.insert(predictions[i].hash).second) {
      queue_.push_back(predictions[i].hash);
      ++queued;
    }
  }
  return queued;
}

std::vector<BlobHash> Prefetcher::DrainQueue() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<BlobHash> drained;
  drained.swap(queue_);
  return drained;
}

void Prefetcher::Forget(const BlobHash& hash) {
  std::lock_guard<std::mutex> lock(mutex_);
  ever_queued_.erase(hash);
}

}  // namespace blobgraph
