// EngineImpl's background work (engine_impl.h): pulling rows the walks
// missed, rebuilding the snapshot from the store, and the background thread
// that runs both and the periodic flush. Off the prefetch path.
#include <algorithm>
#include <chrono>

#include "engine/engine_impl.h"

namespace blobgraph::engine {

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

void EngineImpl::ExtendWithMisses(std::chrono::steady_clock::time_point* next_extend) {
  using Clock = std::chrono::steady_clock;
  auto pulled = PullMisses();
  if (!pulled.ok() || !*pulled) return;
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
  *next_extend = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(4 * seconds));
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
      if (recorder_.NeedsDrain() || (options_.flush_interval.count() > 0 && now >= next_flush)) {
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
            options_.refresh_interval, std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(4 * last_build_seconds_)));
        next_refresh = Clock::now() + spacing;
      } else if (now >= next_extend) {
        ExtendWithMisses(&next_extend);
      }
    } catch (const std::exception&) {
      // Out of memory building a snapshot: keep serving the current one.
    }
    wake_lock.lock();
  }
}

}  // namespace blobgraph::engine
