// LifetimeStats: feedback counters summed over every engine opened on one
// store in this process (by store path), for Engine::TotalStats().
//
// GraphStore has no place to keep engine counters, so they live in process
// memory: closed engines add their final counts, live ones are summed on
// demand. They do not survive the process (see the engine report: a
// GraphStore meta-value API would let them persist).
// Threads: any; a mutex guards the table (never on the prefetch path).
#pragma once

#include <string>

#include "blobgraph/engine.h"

namespace blobgraph::engine {

class FeedbackTracker;

// Registers a live engine's tracker under `store_path`.
void RegisterLiveTracker(const std::string& store_path, const FeedbackTracker* tracker);
// Removes it and adds its final counts to the store's closed total.
void RetireTracker(const std::string& store_path, const FeedbackTracker* tracker);
// Closed totals plus every live tracker's current counts.
FeedbackStats LifetimeTotals(const std::string& store_path);

}  // namespace blobgraph::engine
