// CallRecorder aggregates observed calls in memory, per recording thread,
// until the engine drains them into one GraphStore::Apply.
//
// Each thread that records gets its own buffer (an open-addressing table of
// (caller, callee) -> count) on first use, found again through a one-entry
// thread_local cache keyed by the recorder's process-unique id. A buffer has
// a spinlock that only its owner takes on the recording path (uncontended:
// one atomic exchange) and the drainer takes for the instant it swaps the
// table out; the drainer then reads the old table without holding anything.
// Buffers belong to the recorder and outlive their threads, so calls
// recorded by a thread that has exited are still drained.
//
// Threads: Record from any thread; Drain from any thread (the engine
// serialises drains).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"

namespace blobgraph::engine {

class CallRecorder {
 public:
  // `flush_threshold`: distinct edges in one thread's buffer at which
  // NeedsDrain() turns true.
  explicit CallRecorder(size_t flush_threshold);
  ~CallRecorder();
  CallRecorder(const CallRecorder&) = delete;
  CallRecorder& operator=(const CallRecorder&) = delete;

  // Counts one call. REQUIRES: caller is not the zero hash (roots are not
  // edges; the engine filters them). May allocate when a buffer grows.
  void Record(const BlobHash& caller, const BlobHash& callee) noexcept;

  // Appends every recorded (caller, callee, count) since the last drain to
  // `out` as dynamic-count deltas and empties the buffers.
  void Drain(std::vector<EdgeDelta>* out);

  // True once some buffer holds flush_threshold distinct edges.
  bool NeedsDrain() const { return needs_drain_.load(std::memory_order_relaxed); }
  // Calls not counted because memory for a buffer could not be had.
  uint64_t dropped_calls() const { return dropped_calls_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    BlobHash caller;
    BlobHash callee;
    uint64_t count;  // 0: empty slot
  };
  struct Table {
    explicit Table(size_t capacity) : entries(capacity), mask(capacity - 1) {
      for (Entry& e : entries) e.count = 0;
    }
    std::vector<Entry> entries;
    size_t mask;
    size_t size = 0;
  };
  struct alignas(64) ThreadBuffer {
    std::atomic<bool> locked{false};
    std::unique_ptr<Table> table;
  };

  ThreadBuffer* LocalBuffer() noexcept;
  ThreadBuffer* RegisterThread() noexcept;
  ThreadBuffer* RegisterThreadOrThrow();
  static void Insert(Table* table, const BlobHash& caller, const BlobHash& callee, uint64_t count);
  static void Grow(ThreadBuffer* buffer);

  const uint64_t id_;
  const size_t flush_threshold_;
  std::atomic<bool> needs_drain_{false};
  std::atomic<uint64_t> dropped_calls_{0};
  std::mutex registry_mutex_;
  std::vector<std::unique_ptr<ThreadBuffer>> buffers_;
  std::vector<std::thread::id> owners_;  // beside buffers_, by index
};

}  // namespace blobgraph::engine
