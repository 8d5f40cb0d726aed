#include "engine/engine_impl.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "engine/prefetch_walk.h"

namespace blobgraph {

namespace {

Result<std::unique_ptr<Engine>> OpenEngine(GraphStore* store, const EngineOptions& options) {
  engine::LoadOptions load;
  load.budget_bytes = options.hot_budget_bytes;
  load.model = options.model;
  load.prefetch_model = options.prefetch_model;
  // One scan that stops when the budget is full: the whole store if it
  // fits, else a first snapshot the background thread replaces with the
  // hottest functions right after Open returns.
  load.mode = engine::LoadMode::kQuick;
  auto first = engine::LoadSnapshot(*store, load, {});
  if (!first.ok()) return first.status().WithContext(store->path());
  auto lifetime = store->LifetimeFeedback();
  if (!lifetime.ok()) return lifetime.status();
  return std::unique_ptr<Engine>(
      new engine::EngineImpl(store, options, std::move(*first), *lifetime));
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(GraphStore* store, const EngineOptions& options) {
  if (store == nullptr) return Status::InvalidInput("engine: no store given");
  BLOBGRAPH_RETURN_IF_ERROR(ValidateEngineOptions(options));
  // No exception crosses the public API: the snapshot, the tracker's table
  // and the background thread are allocated here.
  try {
    return OpenEngine(store, options);
  } catch (const std::bad_alloc&) {
    return Status::IOError(store->path() + ": engine: out of memory opening (hot_budget_bytes " +
                           std::to_string(options.hot_budget_bytes) + ", tracked_functions " +
                           std::to_string(options.tracked_functions) + ")");
  } catch (const std::exception& e) {
    return Status::IOError(store->path() + ": engine: " + e.what());
  }
}

namespace engine {
EngineImpl::EngineImpl(GraphStore* store, const EngineOptions& options, LoadedSnapshot first,
                       const FeedbackStats& lifetime_at_open)
    : store_(store),
      options_(options),
      tracker_(options.tracked_functions, options.waste_window),
      recorder_(options.max_pending_edges),
      misses_(kMissQueueCapacity),
      cell_(std::move(first.graph)),
      evidence_(std::move(first.evidence)),
      upgrade_pending_(!first.whole),
      lifetime_at_open_(lifetime_at_open) {
  background_ = std::thread([this] { BackgroundLoop(); });
}

EngineImpl::~EngineImpl() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  background_.join();
  // Errors cannot leave a destructor; what failed to apply is lost, as a
  // crash would lose it. Callers wanting the status call Flush() first.
  // Flush writes the rest of this run's load order too, and the run's end
  // makes every prediction still issued and not loaded a wasted one.
  try {
    {
      std::lock_guard<std::mutex> lock(flush_mutex_);
      tracker_.WasteIssued(&waste_at_close_);
    }
    (void)Flush();
  } catch (const std::exception&) {
    // Out of memory building the update: lost, as in a crash.
  }
}

size_t EngineImpl::FilterHook(void* context, const HotSubgraph& graph, uint32_t* nodes,
                              uint32_t* parents, Prediction* candidates, size_t count) noexcept {
  FeedbackTracker& tracker = static_cast<EngineImpl*>(context)->tracker_;
  // After an eviction the state bytes may disagree with the tracker (see the
  // header): every candidate goes to the tracker, as before they existed.
  // The loaded bit is kept regardless: it is set from the engine's own
  // loaded set (OnLoad, and every published snapshot is marked from
  // load_order_), which never evicts.
  bool use_state = !tracker.HasEvicted();
  uint8_t state_mask = use_state ? 0xff : kNodeLoaded;
  uint8_t states[kMaxWalkResults];
  bool any_unknown = false;
  for (size_t i = 0; i < count; ++i) {
    states[i] = graph.node_state(nodes[i]).load(std::memory_order_relaxed) & state_mask;
    if (states[i] == 0) {
      // Start every unknown candidate's tracker lookup before waiting on the first.
      tracker.Warm(candidates[i].hash);
      any_unknown = true;
    }
  }
  // Pairs with the fence in MarkLoaded: the tracker is read after the
  // snapshot pointer, so a load it misses marks this snapshot.
  if (any_unknown) std::atomic_thread_fence(std::memory_order_seq_cst);
  size_t kept = 0;
  for (size_t i = 0; i < count; ++i) {
    uint8_t state = states[i];
    if (state & kNodeLoaded) continue;
    if (state == 0) {
      // Only a first issue reaches here, so the producer's hash is read
      // only then (the steady state keeps to the state bytes).
      uint64_t producer = parents[i] == kNoNode ? FeedbackTracker::kNoProducer
                                                : graph.hash(parents[i]).Fingerprint();
      bool accepted = tracker.AcceptAndIssue(candidates[i].hash, producer);
      if (use_state) {
        graph.node_state(nodes[i]).fetch_or(accepted ? kNodeIssued : kNodeLoaded,
                                            std::memory_order_relaxed);
      }
      if (!accepted) continue;
    }
    if (i != kept) {
      candidates[kept] = candidates[i];
      nodes[kept] = nodes[i];
      parents[kept] = parents[i];
    }
    ++kept;
  }
  return kept;
}

void EngineImpl::IncompleteHook(void* context, const BlobHash& hash) noexcept {
  static_cast<EngineImpl*>(context)->misses_.TryPush(hash);
}

size_t EngineImpl::Prefetch(const BlobHash& hash, const PrefetchOptions& options, Prediction* out,
                            size_t capacity) noexcept {
  if (!options.enabled) return 0;
  tracker_.CountRequest();
  SnapshotCell::Guard snapshot(cell_);
  uint32_t start = snapshot->Find(hash);
  if (start == kNoNode) {
    misses_.TryPush(hash);
    return 0;
  }
  WalkHooks hooks;
  hooks.filter = &FilterHook;
  hooks.incomplete = &IncompleteHook;
  hooks.context = this;
  size_t count = PrefetchWalk(*snapshot, start, options, hooks, out, capacity);
  if (options.start_follow == 0 || count >= capacity) return count;
  return AddStartFollowers(*snapshot, start, options.start_follow, out, count, capacity);
}

size_t EngineImpl::AddStartFollowers(const HotSubgraph& graph, uint32_t start, uint32_t follow,
                                     Prediction* out, size_t count, size_t capacity) noexcept {
  uint32_t rank = graph.StartRank(start);
  if (rank == kNoNode) return count;
  size_t end = std::min<size_t>(graph.start_set().size(),
                                size_t{rank} + 1 + std::min<size_t>(follow, kMaxWalkResults));
  // Gathered on the stack, at most the room left, skipping entries already
  // marked loaded so they do not take the room of later ones; the filter
  // then decides as for walk results (and counts only what is returned).
  Prediction candidates[kMaxWalkResults];
  uint32_t nodes[kMaxWalkResults];
  uint32_t parents[kMaxWalkResults];  // no edge produced a follower: no feedback
  size_t gathered = 0;
  for (size_t r = size_t{rank} + 1; r < end && gathered < capacity - count; ++r) {
    uint32_t node = graph.start_node(r);
    if (node == kNoNode) continue;
    if (graph.node_state(node).load(std::memory_order_relaxed) & kNodeLoaded) continue;
    const BlobHash& hash = graph.hash(node);
    bool duplicate = false;
    for (size_t i = 0; i < count && !duplicate; ++i) duplicate = out[i].hash == hash;
    if (duplicate) continue;
    nodes[gathered] = node;
    parents[gathered] = kNoNode;
    candidates[gathered++] = Prediction{hash, graph.start_share()[r], 0};
  }
  size_t kept = FilterHook(this, graph, nodes, parents, candidates, gathered);
  std::copy_n(candidates, kept, out + count);
  return count + kept;
}

void EngineImpl::RecordCall(const BlobHash& caller, const BlobHash& callee) noexcept {
  if (caller.IsZero()) return;  // a root call is not an edge
  recorder_.Record(caller, callee);
}

void EngineImpl::MarkLoaded(const BlobHash& hash) noexcept {
  // A prefetch racing with a Publish may have issued `hash` on a newer
  // snapshot than the one first marked here: mark until the snapshot current
  // after marking is the one marked (held, so its address is not reused).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (;;) {
    SnapshotCell::Guard marked(cell_);
    uint32_t node = marked->Find(hash);
    if (node != kNoNode) marked->node_state(node).fetch_or(kNodeLoaded, std::memory_order_relaxed);
    SnapshotCell::Guard now(cell_);
    if (now.get() == marked.get()) return;
  }
}

void EngineImpl::OnLoad(const BlobHash& hash) noexcept {
  if (!tracker_.Load(hash)) return;
  {
    // Before MarkLoaded: a snapshot published after this push is marked
    // from load_order_ by PublishMarked; one published before it is marked
    // by MarkLoaded below.
    std::lock_guard<std::mutex> lock(load_mutex_);
    try {
      if (loaded_once_.insert(hash).second) load_order_.push_back(hash);
    } catch (const std::bad_alloc&) {
      // Out of memory: this load is left out of the run's start-set data
      // (the prediction filter below still sees it). OnLoad must not throw.
      loaded_once_.erase(hash);
    }
  }
  MarkLoaded(hash);
}

void EngineImpl::MarkFromLoadOrder(const HotSubgraph& graph, size_t* marked) {
  // In chunks, so OnLoad callers wait at most one chunk for load_mutex_.
  constexpr size_t kChunk = 4096;
  for (;;) {
    std::lock_guard<std::mutex> lock(load_mutex_);
    size_t end = std::min(load_order_.size(), *marked + kChunk);
    for (size_t i = *marked; i < end; ++i) {
      uint32_t node = graph.Find(load_order_[i]);
      if (node != kNoNode) graph.node_state(node).fetch_or(kNodeLoaded, std::memory_order_relaxed);
    }
    *marked = end;
    if (end == load_order_.size()) return;
  }
}

void EngineImpl::PublishMarked(std::unique_ptr<HotSubgraph> next) {
  // A new snapshot starts with zero state bytes: mark every function loaded
  // in this run first, so Prefetch never offers one again (the tracker may
  // have evicted it). Loads pushed while marking or publishing are caught by
  // the second pass; later ones by their own MarkLoaded, which sees `next`.
  const HotSubgraph* published = next.get();
  size_t marked = 0;
  MarkFromLoadOrder(*published, &marked);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  cell_.Publish(std::move(next));
  MarkFromLoadOrder(*published, &marked);
}

size_t EngineImpl::StartSet(size_t max, BlobHash* out) const noexcept {
  SnapshotCell::Guard snapshot(cell_);
  std::span<const BlobHash> ranked = snapshot->start_set();
  size_t count = std::min(max, ranked.size());
  std::copy_n(ranked.begin(), count, out);
  return count;
}

FeedbackStats EngineImpl::TotalStats() const {
  FeedbackStats total = lifetime_at_open_;
  total += tracker_.Stats();
  return total;
}

SnapshotInfo EngineImpl::Snapshot() const {
  SnapshotCell::Guard snapshot(cell_);
  SnapshotInfo info;
  info.version = snapshot->version;
  info.functions = snapshot->node_count();
  info.edges = snapshot->edge_count();
  info.bytes = snapshot->bytes();
  info.build_seconds = snapshot->build_seconds;
  return info;
}

}  // namespace engine
}  // namespace blobgraph
