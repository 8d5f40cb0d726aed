// SnapshotCell publishes the current HotSubgraph to lock-free readers and
// frees a replaced one only when no reader can still hold it.
//
// Readers: a raw atomic pointer, read under a Guard. A guard adds one to a
// reader counter for the current epoch parity, in one of kStripes
// cache-line-sized stripes chosen per thread (so readers on different
// threads do not share a line), re-checks the epoch, then loads the pointer.
// Cost: two uncontended atomic adds per read; no lock.
// Writer: Publish() swaps the pointer, flips the epoch, and waits until the
// old parity's counters drain to zero — every reader that could have loaded
// the old pointer counted itself there — then deletes the old snapshot.
// Publish() calls are serialised by the caller (the engine's build mutex).
//
// Why the re-check: a reader that read epoch e, stalled across a whole
// Publish, and then counted itself under e's parity after the writer stopped
// waiting would otherwise be invisible to the *next* Publish, which waits on
// the other parity.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/hot_subgraph.h"

namespace blobgraph::engine {

class SnapshotCell {
 public:
  static constexpr size_t kStripes = 32;

  explicit SnapshotCell(std::unique_ptr<HotSubgraph> initial);
  ~SnapshotCell();
  SnapshotCell(const SnapshotCell&) = delete;
  SnapshotCell& operator=(const SnapshotCell&) = delete;

  // Holds the snapshot current at construction alive until destruction.
  // Any thread; noexcept; no allocation. Guards must not outlive the cell.
  class Guard {
   public:
    explicit Guard(const SnapshotCell& cell) noexcept;
    ~Guard() { counter_->fetch_sub(1, std::memory_order_release); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    const HotSubgraph* get() const { return snapshot_; }
    const HotSubgraph* operator->() const { return snapshot_; }
    const HotSubgraph& operator*() const { return *snapshot_; }

   private:
    std::atomic<uint64_t>* counter_;
    const HotSubgraph* snapshot_;
  };

  // Publishes `next` (version is set to the previous one's + 1) and deletes
  // the snapshot it replaces once no guard can hold it. Blocks only for the
  // duration of in-flight reads. REQUIRES: not called concurrently with itself.
  void Publish(std::unique_ptr<HotSubgraph> next);

 private:
  struct alignas(64) Stripe {
    std::atomic<uint64_t> readers[2] = {0, 0};
  };
  static size_t ThreadStripe() noexcept;

  std::atomic<const HotSubgraph*> current_;
  std::atomic<uint64_t> epoch_{0};
  mutable Stripe stripes_[kStripes];
};

}  // namespace blobgraph::engine
