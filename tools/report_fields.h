// The members that more than one command's --json report carries, written in
// one place so that the same quantity has the same key everywhere (README,
// "JSON reports"): a function, an edge to a callee, a function's totals, the
// store's counts, prefetch feedback counters and walk settings.
// Each writes members into the object `report` has open.
#pragma once

#include "blobgraph/engine.h"
#include "blobgraph/feedback_stats.h"
#include "blobgraph/graph_store.h"
#include "tools/command_line.h"
#include "tools/json_report.h"

namespace blobgraph::tools {

// "hash", "name" (null when the store has none, or there is no local store).
void WriteFunctionFields(const BlobHash& hash, const NameLookup& names, JsonReport* report);

// The callee as a function, then "static", "dynamic" (the edge's call sites
// and observed calls) and "probability" (p(callee | caller)).
void WriteCalleeFields(const CalleeInfo& callee, const NameLookup& names, JsonReport* report);

// A function's totals: "in_static", "in_dynamic", "out_static",
// "out_dynamic", "caller_count", "callee_count".
void WriteNodeCounts(const NodeRecord& node, JsonReport* report);

// What a store holds, locally or on a server: "functions", "edges",
// "static_total", "dynamic_total", "bytes_on_disk", "runs", "profiles".
void WriteStoreCounts(const StoreStats& stats, JsonReport* report);

// "requests", "issued", "hits", "wasted", "stalls".
void WriteFeedbackFields(const FeedbackStats& feedback, JsonReport* report);

// The walk's flags: "depth", "top", "min_prob", "max", "start_follow".
void WriteWalkSettings(const PrefetchOptions& options, JsonReport* report);

}  // namespace blobgraph::tools
