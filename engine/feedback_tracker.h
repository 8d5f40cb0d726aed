// FeedbackTracker: per-function issue/load state and the feedback counters.
//
// A fixed-capacity, lock-free open-addressing table. Each slot is one atomic
// 64-bit word, changed only by compare-and-swap:
//   bits 63..32  tag: 32 bits mixed from the hash's fingerprint
//   bits 31..2   issue sequence number (mod 2^30) when issued
//   bits  1..0   state: 0 empty, 1 issued, 2 loaded, 3 wasted
// A function's home slot comes from the fingerprint's low bits; probing is
// linear over at most kProbeLimit slots. When none is free the home slot is
// evicted (an issued, unloaded function evicted counts as wasted). Tags are
// 32 bits on top of the home position, so two functions are confused with
// probability about kProbeLimit / 2^32 per lookup; stats are approximate to
// that degree, and such a collision at worst suppresses one prediction.
//
// Counting rules (FeedbackStats in engine.h):
//   Issue() of a function not tracked: issued += 1 (state issued).
//   Load() of an issued function: hits += 1. Of an untracked one: stalls += 1.
//   Load() of a wasted function (loaded too late) counts as neither, so
//   hits + wasted <= issued always holds.
//   The issue with sequence n makes the one with sequence n - waste_window
//   wasted if it is still issued and unloaded (waste_window 0: only eviction
//   wastes).
// Counters are striped per thread over cache-line-sized cells, relaxed.
//
// Per-edge waste: beside each slot two words name the prediction's producing
// edge, the fingerprints of its caller (0: none, e.g. a start-set follower)
// and of the function itself, written by the issue that claimed the slot
// (caller first, callee with release). When an issued function is found
// wasted (the window rule or eviction) the pair goes into a bounded
// WasteQueue (dropped, and counted, when full); WasteIssued() at the end of
// a run adds every prediction still issued and not loaded. The pair is
// trusted only if the callee word's tag matches the slot's, so a slot's
// later occupant never lends its edge to an earlier prediction (up to tag
// collisions, as above). 16 bytes per slot.
// Threads: every method may be called from any thread; none blocks or
// allocates (but WasteIssued, which appends to a vector).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/engine.h"
#include "engine/waste_queue.h"

namespace blobgraph::engine {

class FeedbackTracker {
 public:
  static constexpr size_t kProbeLimit = 16;
  static constexpr uint64_t kNoProducer = 0;
  // Wasted predictions waiting for a flush; past it they are dropped.
  static constexpr size_t kWasteQueueCapacity = 1 << 14;

  FeedbackTracker(size_t tracked_functions, uint64_t waste_window);
  FeedbackTracker(const FeedbackTracker&) = delete;
  FeedbackTracker& operator=(const FeedbackTracker&) = delete;

  // The walk's filter: false if `hash` is loaded; otherwise marks it issued
  // (counting it the first time) and returns true. `producer`: the
  // fingerprint of the caller whose edge produced the prediction
  // (kNoProducer: none), kept with a first issue for per-edge waste.
  bool AcceptAndIssue(const BlobHash& hash, uint64_t producer = kNoProducer) noexcept;
  // Starts loading the slots AcceptAndIssue(hash) will read first; changes
  // nothing (a cache hint for walks that batch their lookups).
  void Warm(const BlobHash& hash) const noexcept {
    uint64_t fingerprint = hash.Fingerprint();
    __builtin_prefetch(&slots_[HomeOf(fingerprint, mask_)]);
  }
  // Returns true if this is the function's first load seen by the tracker.
  bool Load(const BlobHash& hash) noexcept;
  bool IsLoaded(const BlobHash& hash) const noexcept;

  void CountRequest() noexcept { Cell().requests.fetch_add(1, std::memory_order_relaxed); }
  // Whether any slot was ever evicted for lack of room (after which a
  // function once issued or loaded may be untracked again). Relaxed; the
  // flag is written once, so readers share its cache line without traffic.
  bool HasEvicted() const noexcept { return evicted_.load(std::memory_order_relaxed); }
  FeedbackStats Stats() const noexcept;

  // Takes one wasted prediction with a producing edge; false if none is queued.
  bool PopWasted(WastedEdge* edge) noexcept { return waste_queue_.TryPop(edge); }
  // Wasted predictions dropped because the queue was full.
  uint64_t wasted_dropped() const noexcept { return waste_queue_.dropped(); }
  // The end of a run: marks every issued, unloaded function wasted and
  // appends those with a producing edge to `out` (not through the queue, so
  // none is dropped). The stats' `wasted` counter is left as it is: it
  // counts the window and eviction rule only. Not for the hot path (scans
  // the table; may throw std::bad_alloc from `out`).
  void WasteIssued(std::vector<WastedEdge>* out);

 private:
  static size_t HomeOf(uint64_t fingerprint, size_t mask) {
    return (fingerprint ^ (fingerprint >> 29)) & mask;
  }
  enum State : uint64_t { kEmpty = 0, kIssued = 1, kLoaded = 2, kWasted = 3 };
  static constexpr uint64_t kSeqMask = (uint64_t{1} << 30) - 1;
  static State StateOf(uint64_t word) { return static_cast<State>(word & 3); }
  static uint64_t SeqOf(uint64_t word) { return (word >> 2) & kSeqMask; }
  static uint64_t Make(uint32_t tag, uint64_t seq, State state) {
    return (uint64_t{tag} << 32) | ((seq & kSeqMask) << 2) | state;
  }

  struct alignas(64) CounterCell {
    std::atomic<uint64_t> requests{0}, issued{0}, hits{0}, wasted{0}, stalls{0};
  };
  static constexpr size_t kCells = 16;
  CounterCell& Cell() const noexcept;

  // Finds the slot holding `tag` in the probe window, or claims a free (or,
  // when `evict`, the home) slot for it with `fresh` as its word. Returns the
  // slot index and the word found there before (0 if newly claimed).
  size_t FindOrClaim(uint64_t fingerprint, uint64_t fresh, uint64_t* before) noexcept;
  uint64_t NextIssueSeq(size_t slot) noexcept;
  // The producing edge of the prediction whose slot word was `word`, if the
  // slot's producer words still belong to it and name a caller.
  bool ProducerOf(size_t slot, uint64_t word, WastedEdge* edge) const noexcept;
  // Queues the producing edge of a prediction just found wasted.
  void QueueWaste(size_t slot, uint64_t word) noexcept;

  std::unique_ptr<std::atomic<uint64_t>[]> slots_;
  size_t mask_;
  uint64_t waste_window_;
  std::unique_ptr<std::atomic<uint64_t>[]> recent_;  // ring: (slot + 1) << 32 | seq
  // 2 per slot: [2s] caller fingerprint (kNoProducer: none), [2s+1] callee's.
  std::unique_ptr<std::atomic<uint64_t>[]> producers_;
  WasteQueue waste_queue_{kWasteQueueCapacity};
  std::atomic<uint64_t> issue_seq_{0};
  alignas(64) std::atomic<bool> evicted_{false};
  mutable CounterCell cells_[kCells];
};

}  // namespace blobgraph::engine
