// EngineImpl's flush (engine_impl.h): what the engine recorded since its
// last flush (calls, feedback, wasted predictions, the run's loads) joins
// the store in one Apply. Off the prefetch path.
#include <algorithm>

#include "engine/engine_impl.h"

namespace blobgraph::engine {

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

}  // namespace blobgraph::engine
