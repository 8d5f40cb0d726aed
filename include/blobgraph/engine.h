// Engine: what a runtime calls on every function entry.
//
// It answers "what should I fetch and compile next?" from an immutable hot
// snapshot of the store (rebuilt in the background, published by one atomic
// pointer swap), records observed calls and loads, and keeps feedback stats.
//
// Ownership: the engine borrows the GraphStore, which must outlive it. On a
// store opened read-only the engine predicts but writes nothing: recorded
// calls and this run's load order are dropped.
// Threads: Prefetch, RecordCall, OnLoad and StartSet may be called from any
// number of threads at once. Prefetch takes no lock, allocates nothing, does
// no I/O and throws nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "blobgraph/blob_hash.h"
#include "blobgraph/feedback_stats.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/prefetch_model.h"
#include "blobgraph/probability.h"
#include "blobgraph/status.h"

namespace blobgraph {

// A walk goes at most this deep and returns at most this many predictions,
// whatever PrefetchOptions and the caller's capacity ask for.
inline constexpr uint32_t kMaxPrefetchDepth = 16;
inline constexpr size_t kMaxPrefetchResults = 128;

struct PrefetchOptions {
  uint32_t max_depth = 2;        // 1 = direct callees; 2 adds their callees
  uint32_t top_n = 8;            // callees expanded per node, most probable first
  double min_probability = 0.2;  // minimum path probability of a result
  uint32_t max_results = 16;     // also bounded by the caller's buffer
  // Start-set functions after this one that Prefetch of a start-set
  // function adds to the walk's results, in the buffer's room after them
  // (the start set released as the run reaches it; see StartSet). 0: none.
  uint32_t start_follow = 16;
  bool enabled = true;  // false: Prefetch returns 0 and counts nothing
};

// kInvalidInput if min_probability is NaN or outside [0, 1]. Depth, top and
// max are never an error: 0 makes Prefetch return nothing, values above
// kMaxPrefetchDepth / kMaxPrefetchResults act as those limits.
Status ValidatePrefetchOptions(const PrefetchOptions& options);

// One predicted function: the product of edge probabilities along the best
// path from the start, and that path's length.
struct Prediction {
  BlobHash hash;
  float probability = 0;
  uint32_t depth = 0;
};

struct SnapshotInfo {
  uint64_t version = 0;  // increases with every published snapshot
  uint64_t functions = 0;
  uint64_t edges = 0;
  uint64_t bytes = 0;  // memory the snapshot holds
  double build_seconds = 0;
};

struct EngineOptions {
  // Memory for the hot snapshot. The default holds ~1M edges; the whole
  // store when it fits, else the functions with the highest call totals.
  size_t hot_budget_bytes = 32ull << 20;
  // Background snapshot rebuild and call-count flush intervals; zero turns
  // the background thread's periodic work off (Refresh/Flush still work).
  std::chrono::milliseconds refresh_interval{2000};
  std::chrono::milliseconds flush_interval{1000};
  // Distinct recorded edges held in memory before a flush is forced.
  size_t max_pending_edges = 1 << 18;
  // An issued hash not loaded within this many later issues counts as wasted.
  // Each wasted prediction (and, when the engine closes, each one issued and
  // never loaded) also counts against the edge that produced it, the last
  // edge of its best path (start-set followers have none): flushed with the
  // recorded calls as GraphUpdate::wasted, it lowers that edge's probability
  // in later snapshots (PrefetchModel, w). Up to 16384 per flush interval are
  // kept; more are dropped.
  uint64_t waste_window = 4096;
  // Distinct functions whose issue/load state is tracked for feedback stats
  // (24 bytes each: the state word and the producing edge's fingerprints).
  size_t tracked_functions = 1 << 20;
  // Scores functions for the hot set when the store does not fit the
  // budget (static sites weighted by prior_weight against observed calls).
  ProbabilityModel model;
  // p(callee | caller) of the walks (include/blobgraph/prefetch_model.h).
  PrefetchModel prefetch_model;
};

// The largest values EngineOptions take (Engine::Open refuses larger ones
// with kInvalidInput): the tracker and waste ring are allocated up front,
// and intervals are added to steady_clock time points.
inline constexpr size_t kMaxTrackedFunctions = size_t{1} << 30;
inline constexpr uint64_t kMaxWasteWindow = uint64_t{1} << 29;
inline constexpr std::chrono::milliseconds kMaxEngineInterval{0xffffffffLL};  // ~49.7 days
// kInvalidInput naming the field if an option is out of range (see above;
// negative intervals, a model outside ValidateProbabilityModel).
Status ValidateEngineOptions(const EngineOptions& options);

class Engine {
 public:
  // Builds the first snapshot before returning, so the engine answers at once.
  // Never throws: options out of range are kInvalidInput (ValidateEngineOptions),
  // running out of memory is kIOError naming what could not be allocated.
  static Result<std::unique_ptr<Engine>> Open(GraphStore* store, const EngineOptions& options = {});
  // Flushes recorded calls and loads, then stops the background thread.
  virtual ~Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Writes up to min(capacity, options.max_results) walk predictions for
  // `hash` into `out`, most probable first, then (if `hash` is in the start
  // set) up to options.start_follow released start-set entries in the room
  // left (each call at most kMaxPrefetchResults of them), and returns how many. Never returns
  // `hash` itself, a function already loaded (OnLoad) or a duplicate.
  // REQUIRES: `out` has room for `capacity` entries. Any thread.
  virtual size_t Prefetch(const BlobHash& hash, const PrefetchOptions& options, Prediction* out,
                          size_t capacity) noexcept = 0;

  // Counts one observed call. Any thread; cheap (aggregated in memory,
  // flushed to the store on an interval, a size limit and on close).
  virtual void RecordCall(const BlobHash& caller, const BlobHash& callee) noexcept = 0;

  // The runtime loaded `hash` (fetched and compiled it). Any thread.
  virtual void OnLoad(const BlobHash& hash) noexcept = 0;

  // Up to `max` functions to fetch at start, earliest first: the functions
  // loaded by at least half of the recorded runs (by run weight), in the
  // order of their mean first-load position (learned from OnLoad order).
  // A runtime fetches a few at start; the rest are released as the run
  // reaches them: Prefetch(h) of a start-set function h also returns the
  // next PrefetchOptions::start_follow functions after h in this order (as
  // depth-0 predictions with their share of runs as probability), so a run
  // that goes elsewhere than the recorded ones stops pulling them in.
  // Returns how many.
  virtual size_t StartSet(size_t max, BlobHash* out) const noexcept = 0;

  // Writes recorded calls and this run's load order so far to the store,
  // in one atomic update: after Flush returns OK, a process crash loses
  // neither (a power cut too on a store with sync_writes), and
  // the next engine's StartSet includes this run. The run is counted once
  // however often Flush is called (later flushes add only the loads since
  // the previous one, at their positions in the run).
  virtual Status Flush() = 0;
  // Rebuilds and publishes a snapshot now (off the caller's hot path).
  virtual Status Refresh() = 0;

  virtual FeedbackStats Stats() const = 0;  // this engine since Open
  // The store's lifetime totals when this engine opened, plus this engine's
  // counts. Engines add their counts to the store on Flush() and on close
  // (with the recorded calls, atomically); `blobgraph stats` shows them.
  virtual FeedbackStats TotalStats() const = 0;
  virtual SnapshotInfo Snapshot() const = 0;

 protected:
  Engine() = default;
};

}  // namespace blobgraph
