// WasteQueue: a bounded lock-free queue of wasted predictions, each named by
// the fingerprints (BlobHash::Fingerprint) of its producing edge's caller
// and callee, from the feedback tracker to the engine's flush.
//
// Producers are prefetching threads (the tracker finds a prediction wasted
// while issuing another): TryPush never blocks or allocates and drops the
// event when the queue is full, counting it, so feedback under pressure
// costs a lost count, never a stall. The consumer is the flush.
// Dmitry Vyukov's bounded MPMC queue, as MissQueue.
// Threads: TryPush and TryPop from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace blobgraph::engine {

struct WastedEdge {
  uint64_t caller_fingerprint = 0;
  uint64_t callee_fingerprint = 0;
};

class WasteQueue {
 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit WasteQueue(size_t capacity);
  WasteQueue(const WasteQueue&) = delete;
  WasteQueue& operator=(const WasteQueue&) = delete;

  bool TryPush(const WastedEdge& edge) noexcept;
  bool TryPop(WastedEdge* edge) noexcept;
  // Events TryPush dropped because the queue was full. Relaxed.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Cell {
    std::atomic<uint64_t> sequence;
    WastedEdge edge;
  };
  std::unique_ptr<Cell[]> cells_;
  size_t mask_;
  alignas(64) std::atomic<uint64_t> enqueue_{0};
  alignas(64) std::atomic<uint64_t> dequeue_{0};
  alignas(64) std::atomic<uint64_t> dropped_{0};
};

}  // namespace blobgraph::engine
