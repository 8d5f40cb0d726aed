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
  return std::unique_ptr<Engine>(new engine::EngineImpl(store, options, std::move(*first), *lifetime));
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

// No exception crosses the public API: building the update allocates.
Status EngineImpl::Flush() {
  try {
    return FlushOrThrow();
  } catch (const std::exception& e) {
    return Status::IOError(store_->path() + ": engine flush: " + e.what() +
                           " (what was not written is kept for the next flush)");
  }
}

Status EngineImpl::FlushOrThrow() {
  std::lock_guard<std::mutex> lock(flush_mutex_);
  recorder_.Drain(&unapplied_);
  // A read-only store (a replay, an inspecting command) is only predicted
  // from: what was recorded is dropped, not reported as a failed write.
  CollectWaste();
  if (store_->options().read_only) {
    unapplied_.clear();
    unapplied_waste_.clear();
    return Status::Ok();
  }
  // This engine's feedback since its last flush, and the loads since the
  // last flush, join the store in the same atomic write as the recorded calls.
  FeedbackStats feedback_now = tracker_.Stats();
  GraphUpdate update;
  update.edges = std::move(unapplied_);
  unapplied_.clear();
  update.feedback = feedback_now - feedback_flushed_;
  update.wasted = std::move(unapplied_waste_);
  unapplied_waste_.clear();
  size_t loads_now = AddUnflushedLoads(&update);
  if (update.empty()) return Status::Ok();
  Status status = store_->Apply(update);
  // Keep what failed so the next flush retries it: nothing is dropped
  // while the engine lives.
  if (!status.ok()) {
    unapplied_ = std::move(update.edges);
    unapplied_waste_ = std::move(update.wasted);
    return status;
  }
  feedback_flushed_ = feedback_now;
  loads_flushed_ = loads_now;
  return status;
}

void EngineImpl::CollectWaste() {
  // The tracker knows predictions by fingerprint; the snapshot they were
  // issued from is usually still the current one, and a later one keeps
  // the functions that stayed hot, which are the ones worth feedback.
  SnapshotCell::Guard snapshot(cell_);
  auto add = [&](const WastedEdge& edge) {
    uint32_t caller = snapshot->FindFingerprint(edge.caller_fingerprint);
    uint32_t callee = snapshot->FindFingerprint(edge.callee_fingerprint);
    if (caller == kNoNode || callee == kNoNode) {
      ++waste_unresolved_;
      return;
    }
    unapplied_waste_.push_back(EdgeWaste{snapshot->hash(caller), snapshot->hash(callee), 1});
  };
  WastedEdge edge;
  while (tracker_.PopWasted(&edge)) add(edge);
  for (const WastedEdge& at_close : waste_at_close_) add(at_close);
  waste_at_close_.clear();
}

size_t EngineImpl::AddUnflushedLoads(GraphUpdate* update) {
  std::lock_guard<std::mutex> lock(load_mutex_);
  size_t end = load_order_.size();
  if (end == loads_flushed_) return end;
  std::vector<BlobHash> loads(load_order_.begin() + loads_flushed_, load_order_.begin() + end);
  // The first write of this run counts it; later ones continue it, so two
  // flushes and a close record one run, each load at its position.
  if (loads_flushed_ == 0) {
    update->runs.push_back(std::move(loads));
  } else {
    update->run_continuations.push_back(RunContinuation{loads_flushed_, std::move(loads)});
  }
  return end;
}

Result<bool> EngineImpl::PullMisses() {
  bool added = false;
  BlobHash hash;
  SnapshotCell::Guard snapshot(cell_);
  while (misses_.TryPop(&hash)) {
    uint32_t node = snapshot->Find(hash);
    if ((node != kNoNode && snapshot->complete(node)) || pinned_.count(hash)) continue;
    auto row = store_->Callees(hash);
    if (!row.ok()) return row.status().WithContext("engine: pulling " + hash.ShortHex());
    if (pinned_.size() >= kMaxPinnedRows) pinned_.clear();
    pinned_[hash] = std::move(*row);
    // A function without callees has nothing to predict: it is remembered
    // (no second store read) and joins the next full rebuild, but is not
    // worth copying the snapshot for now.
    added |= !pinned_[hash].empty();
  }
  return added;
}

Status EngineImpl::RefreshPinned() {
  // Rows pulled in after a miss are re-read, so counts added to the store
  // since (by this engine's flushes or another writer) reach their
  // predictions. Rows that are in the scanned hot set win anyway.
  for (auto& [hash, callees] : pinned_) {
    auto row = store_->Callees(hash);
    if (!row.ok()) return row.status().WithContext("engine: refreshing " + hash.ShortHex());
    callees = std::move(*row);
  }
  return Status::Ok();
}

Status EngineImpl::RebuildFromStore() {
  auto started = std::chrono::steady_clock::now();
  BLOBGRAPH_RETURN_IF_ERROR(RefreshPinned());
  double refresh_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  LoadOptions load;
  load.budget_bytes = options_.hot_budget_bytes;
  load.model = options_.model;
  load.prefetch_model = options_.prefetch_model;
  auto next = LoadSnapshot(*store_, load, pinned_);
  if (!next.ok()) return next.status().WithContext(store_->path());
  evidence_ = std::move(next->evidence);
  last_build_seconds_ = next->graph->build_seconds + refresh_seconds;
  PublishMarked(std::move(next->graph));
  upgrade_pending_ = false;
  return Status::Ok();
}

Status EngineImpl::Refresh() {
  Status flushed = Flush();
  try {
    std::lock_guard<std::mutex> lock(build_mutex_);
    auto pulled = PullMisses();
    if (!pulled.ok()) return pulled.status();
    BLOBGRAPH_RETURN_IF_ERROR(RebuildFromStore());
  } catch (const std::exception& e) {
    // The current snapshot keeps serving.
    return Status::IOError(store_->path() + ": engine refresh: " + e.what());
  }
  return flushed;
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

void EngineImpl::BackgroundLoop() {
  using Clock = std::chrono::steady_clock;
  auto next_flush = Clock::now() + options_.flush_interval;
  auto next_refresh = Clock::now() + options_.refresh_interval;
  auto next_extend = Clock::now();
  std::unique_lock<std::mutex> wake_lock(wake_mutex_);
  while (!stopping_) {
    wake_.wait_for(wake_lock, kMissPoll, [this] { return stopping_; });
    if (stopping_) break;
    wake_lock.unlock();
    // Errors here have no caller to go to; the work is retried next round.
    try {
      auto now = Clock::now();
      if (recorder_.NeedsDrain() ||
          (options_.flush_interval.count() > 0 && now >= next_flush)) {
        (void)Flush();
        next_flush = now + options_.flush_interval;
      }
      std::lock_guard<std::mutex> lock(build_mutex_);
      bool refresh_due = options_.refresh_interval.count() > 0 && now >= next_refresh;
      if (upgrade_pending_ || refresh_due) {
        (void)PullMisses();
        (void)RebuildFromStore();
        // GraphStore cannot say cheaply whether it changed (Stats() is a
        // scan), so rebuilds are periodic; spacing them at least 4 build
        // times apart keeps the background under ~20% of a core on big stores.
        auto spacing = std::max<Clock::duration>(
            options_.refresh_interval,
            std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(4 * last_build_seconds_)));
        next_refresh = Clock::now() + spacing;
      } else if (now >= next_extend) {
        auto pulled = PullMisses();
        if (pulled.ok() && *pulled) {
          std::unique_ptr<HotSubgraph> extended;
          {
            // Released before Publish, which waits for every reader.
            SnapshotCell::Guard current(cell_);
            extended = ExtendSnapshot(*current, pinned_, *evidence_);
          }
          double seconds = extended->build_seconds;
          PublishMarked(std::move(extended));
          // Copying a big snapshot per miss batch would eat a core: space
          // extensions at least 4 copy times apart.
          next_extend = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(4 * seconds));
        }
      }
    } catch (const std::exception&) {
      // Out of memory building a snapshot: keep serving the current one.
    }
    wake_lock.lock();
  }
}

}  // namespace engine
}  // namespace blobgraph
