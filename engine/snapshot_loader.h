// Snapshot loading: builds a HotSubgraph from a GraphStore (read through the
// public GraphStore interface only) under a memory budget.
//
//   kQuick   (Engine::Open) one ForEachCaller pass that stops as soon as the
//            budget is full. If it never fills, that was the whole store.
//            Otherwise the snapshot holds the callers that come first in
//            hash order, and the background thread replaces it with the hot
//            set right away. GraphStore::Stats() is a full scan, so the
//            scan itself is how Open learns whether the store fits.
//   kBest    a ForEachNode pass scores every function by its call totals
//            (calls in and out, static sites weighted by the model's prior);
//            if everything fits, one ForEachCaller pass copies the whole
//            store; otherwise the highest scores are chosen under the budget
//            and a ForEachCaller pass copies their rows.
// Pinned rows (functions pulled in after a miss) are always included.
// Edge probabilities are p(callee | caller) of the engine's PrefetchModel,
// computed from the stored counts and the store-wide ModelEvidence gathered
// first (the whole store for kBest; for kQuick as many edges as the budget
// holds), and rows re-sorted, so the engine's model governs.
// The start set comes from ForEachLoadRecord: the functions whose run
// weight is at least half the largest, by mean first-load position (then
// hash), each with its share of the largest run weight.
//
// Threads: called by the engine's builder (one at a time); not the hot path.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "blobgraph/graph_store.h"
#include "blobgraph/prefetch_model.h"
#include "blobgraph/probability.h"
#include "blobgraph/status.h"
#include "engine/hot_subgraph.h"
#include "engine/model_evidence.h"

namespace blobgraph::engine {

enum class LoadMode { kBest, kQuick };

// Rows read from the store after a miss; an empty row is a function the
// store knows no callees of.
// Kept as stored, so every build converts them under its own evidence.
using PinnedRows = std::unordered_map<BlobHash, std::vector<CalleeInfo>>;

struct LoadOptions {
  size_t budget_bytes = 32ull << 20;
  ProbabilityModel model;  // hot-set scores
  PrefetchModel prefetch_model;
  LoadMode mode = LoadMode::kBest;
  size_t start_set_max = 1 << 16;
};

struct LoadedSnapshot {
  std::unique_ptr<HotSubgraph> graph;
  bool whole = false;                             // every function of the store is in it, complete
  std::shared_ptr<const ModelEvidence> evidence;  // what its probabilities came from
};

// Reads `store` into a new snapshot. Errors are the store's, with context.
Result<LoadedSnapshot> LoadSnapshot(const GraphStore& store, const LoadOptions& options,
                                    const PinnedRows& pinned);

// A copy of `current` with `pinned` rows added (rows already complete in
// `current` are kept as they are). No store access: used to answer misses
// between full rebuilds.
// Pinned rows are converted under `evidence` (the last full build's).
std::unique_ptr<HotSubgraph> ExtendSnapshot(const HotSubgraph& current, const PinnedRows& pinned,
                                            const ModelEvidence& evidence);

}  // namespace blobgraph::engine
