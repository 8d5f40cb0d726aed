#include "blobgraph/prefetcher.h"

#include <algorithm>

namespace blobgraph {

Prefetcher::Prefetcher(Engine* engine, const PrefetchOptions& options)
    : engine_(engine), options_(options) {}

size_t Prefetcher::Prefetch(const BlobHash& hash) {
  std::vector<Prediction> predictions(std::max<uint32_t>(options_.max_results, 1));
  size_t count = engine_->Prefetch(hash, options_, predictions.data(), predictions.size());
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
