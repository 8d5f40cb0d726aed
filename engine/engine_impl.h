// EngineImpl: the Engine behind Engine::Open.
//
// Owns the published snapshot (SnapshotCell), the call recorder, the
// feedback tracker, the miss queue and one background thread that
//   - answers misses: reads the missing functions' rows from the store and
//     publishes a snapshot extended with them (within ~kMissPoll),
//   - flushes recorded calls every flush_interval or when a thread's buffer
//     reaches max_pending_edges,
//   - rebuilds the snapshot from the store every refresh_interval when the
//     (spaced by at least 4 build times), and at once after a quick first
//     snapshot.
// Locks: build_mutex_ serialises snapshot builds and publishing (and guards
// pinned_); flush_mutex_ serialises drains and their Apply (and guards
// loads_flushed_); load_mutex_ guards this run's first-load order. Order:
// build_mutex_ or flush_mutex_ before load_mutex_. None is taken by Prefetch.
// Loaded functions: the tracker may evict, so the run's first-load order
// (load_order_) is the authority; every snapshot published is marked from
// it (PublishMarked) and OnLoad marks the current one, and the walk's filter
// drops a node whose loaded bit is set.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "blobgraph/engine.h"
#include "engine/call_recorder.h"
#include "engine/feedback_tracker.h"
#include "engine/miss_queue.h"
#include "engine/snapshot_cell.h"
#include "engine/snapshot_loader.h"

namespace blobgraph::engine {

class EngineImpl final : public Engine {
 public:
  static constexpr std::chrono::milliseconds kMissPoll{20};
  static constexpr size_t kMissQueueCapacity = 4096;
  static constexpr size_t kMaxPinnedRows = 1 << 16;

  // `upgrade_pending`: `first` is not the whole store, only what a quick
  // scan fitted in the budget; the background thread rebuilds at once.
  // `lifetime_at_open`: the store's feedback totals when the engine opened;
  // TotalStats() adds this engine's counts to them.
  EngineImpl(GraphStore* store, const EngineOptions& options, LoadedSnapshot first,
             const FeedbackStats& lifetime_at_open);
  ~EngineImpl() override;

  size_t Prefetch(const BlobHash& hash, const PrefetchOptions& options, Prediction* out,
                  size_t capacity) noexcept override;
  void RecordCall(const BlobHash& caller, const BlobHash& callee) noexcept override;
  void OnLoad(const BlobHash& hash) noexcept override;
  size_t StartSet(size_t max, BlobHash* out) const noexcept override;
  Status Flush() override;
  Status Refresh() override;
  FeedbackStats Stats() const override { return tracker_.Stats(); }
  FeedbackStats TotalStats() const override;
  SnapshotInfo Snapshot() const override;

 private:
  static void IncompleteHook(void* context, const BlobHash& hash) noexcept;
  // The walk's filter. Each snapshot node's state byte caches the tracker's
  // answer so a steady-state prefetch skips the tracker's hashed lookup:
  //   loaded -> dropped; issued -> kept with no tracker work (AcceptAndIssue
  //   of a tracked issued or wasted function counts nothing either);
  //   neither -> AcceptAndIssue as before, then the bit it answered is set.
  // The bits only ever mirror what the tracker said, so counts and results
  // are the tracker's, with two exceptions the tracker makes untracked again:
  //   - eviction (table full): once the tracker has evicted anything, the
  //     bytes are ignored for this engine's life and every candidate goes
  //     to the tracker, exactly as before the bytes existed;
  //   - tag collisions (two functions sharing a tracker slot, ~16 / 2^32
  //     per lookup): the bytes tell them apart where the tracker does not.
  // A load racing with a first issue: MarkLoaded and this filter order their
  // tracker and snapshot accesses with seq_cst fences, so either the filter
  // sees the load in the tracker or OnLoad marks the filter's snapshot.
  // New snapshots start with zero bytes (the tracker refills them).
  // `parents[i]`: the node whose edge produced candidates[i] (kNoNode: none);
  // a first issue hands its fingerprint to the tracker for per-edge waste.
  static size_t FilterHook(void* context, const HotSubgraph& graph, uint32_t* nodes,
                           uint32_t* parents, Prediction* candidates, size_t count) noexcept;
  // Appends to out[count, capacity) the start-set entries released by a
  // walk from `start` (the `follow` after it), filtered like walk results
  // and skipping those already in out[0, count). Returns the new count.
  size_t AddStartFollowers(const HotSubgraph& graph, uint32_t start, uint32_t follow,
                           Prediction* out, size_t count, size_t capacity) noexcept;
  // Sets `hash`'s loaded bit in the current snapshot (see FilterHook).
  void MarkLoaded(const BlobHash& hash) noexcept;

  void BackgroundLoop();
  Status FlushOrThrow();
  // Reads queued misses from the store into pinned_; true if a row with
  // callees was added.
  // REQUIRES: build_mutex_ held.
  Result<bool> PullMisses();
  // Re-reads every pinned row from the store. REQUIRES: build_mutex_ held.
  Status RefreshPinned();
  // REQUIRES: build_mutex_ held.
  Status RebuildFromStore();
  // The background loop's step between rebuilds: pulls the queued misses
  // and, if a row with callees came in, publishes the snapshot extended by
  // it; then sets *next_extend. REQUIRES: build_mutex_ held.
  void ExtendWithMisses(std::chrono::steady_clock::time_point* next_extend);
  // Publishes `next` with every function loaded so far marked loaded.
  // REQUIRES: build_mutex_ held.
  void PublishMarked(std::unique_ptr<HotSubgraph> next);
  // Sets the loaded bit in `graph` of load_order_[*marked, end); advances *marked.
  void MarkFromLoadOrder(const HotSubgraph& graph, size_t* marked);
  // Adds load_order_[loads_flushed_, end) to `update` (as the run's start or
  // a continuation) and returns end. REQUIRES: flush_mutex_ held.
  size_t AddUnflushedLoads(GraphUpdate* update);
  // Moves the tracker's queued wasted predictions (and waste_at_close_) into
  // unapplied_waste_, as edges of the current snapshot's hashes; an edge
  // whose ends the snapshot no longer holds is dropped (waste_unresolved_).
  // REQUIRES: flush_mutex_ held.
  void CollectWaste();

  GraphStore* const store_;
  const EngineOptions options_;
  FeedbackTracker tracker_;
  CallRecorder recorder_;
  MissQueue misses_;
  SnapshotCell cell_;

  std::mutex build_mutex_;
  PinnedRows pinned_;
  std::shared_ptr<const ModelEvidence> evidence_;  // of the last full build
  bool upgrade_pending_;
  double last_build_seconds_ = 0;

  const FeedbackStats lifetime_at_open_;

  std::mutex flush_mutex_;
  std::vector<EdgeDelta> unapplied_;  // drained but not yet in the store
  // Wasted predictions per edge, resolved but not yet in the store; written
  // with the recorded calls (one atomic Apply).
  std::vector<EdgeWaste> unapplied_waste_;
  std::vector<WastedEdge> waste_at_close_;  // the run's end (WasteIssued)
  uint64_t waste_unresolved_ = 0;           // dropped: ends not in the snapshot
  FeedbackStats feedback_flushed_;          // this engine's counts already in the store

  size_t loads_flushed_ = 0;  // load_order_[0, loads_flushed_) is in the store

  std::mutex load_mutex_;
  std::vector<BlobHash> load_order_;  // this run's first loads; also marks new snapshots
  std::unordered_set<BlobHash> loaded_once_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread background_;
};

}  // namespace blobgraph::engine
