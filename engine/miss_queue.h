// MissQueue: a bounded lock-free queue of functions the snapshot could not
// answer (absent, or a leaf whose callees were left out).
//
// Producers are prefetching threads: TryPush never blocks and drops the hash
// when the queue is full (the function misses again later and gets another
// chance). The consumer is the engine's background thread (or Refresh()).
// Dmitry Vyukov's bounded MPMC queue: each cell carries a sequence number
// that says whether it is free for the producer of ticket t or ready for its
// consumer, so a producer and a consumer touch a cell one after the other.
// Threads: TryPush from any thread; TryPop from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "blobgraph/blob_hash.h"

namespace blobgraph::engine {

class MissQueue {
 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit MissQueue(size_t capacity);
  MissQueue(const MissQueue&) = delete;
  MissQueue& operator=(const MissQueue&) = delete;

  bool TryPush(const BlobHash& hash) noexcept;
  bool TryPop(BlobHash* hash) noexcept;
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Cell {
    std::atomic<uint64_t> sequence;
    BlobHash hash;
  };
  std::unique_ptr<Cell[]> cells_;
  size_t mask_;
  alignas(64) std::atomic<uint64_t> enqueue_{0};
  alignas(64) std::atomic<uint64_t> dequeue_{0};
  alignas(64) std::atomic<uint64_t> dropped_{0};
};

}  // namespace blobgraph::engine
