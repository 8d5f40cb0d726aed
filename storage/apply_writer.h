// apply_writer: turns a GraphUpdate into the store's merge increments and
// hands them to a WriteSink (WriteBatch or SST ingestion) in key order.
// Internal to storage/.
//
// Repeated edges are summed first (sorted by caller, then callee), so each
// caller gets one edge-row operand. Each caller's current row is read once
// (row_plan.h): to learn which callees are new (a new callee's node gets +1
// caller in the same atomic write, keeping `callers` exact), to keep static
// lists set-once (the same list again adds nothing, a different one is
// refused) and to refuse counts that would overflow. The stored node, load
// and meta counters the update adds to are read for the same overflow check
// (total_checks.h). Those reads are only valid while no other write runs,
// hence the REQUIRES below. Every function the update mentions gets a node
// operand, which also counts the mention and (for a caller bringing its
// static list) the static list reference that Retract takes back.
#pragma once

#include "blobgraph/graph_store.h"
#include "storage/layers.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

// Number of items (edges, functions, names, run entries) above which
// WriteMethod::kAuto ingests SST files instead of writing a batch.
inline constexpr size_t kAutoIngestThreshold = 100000;

// Adds every entry `update` implies to `sink` (it does not Commit).
// REQUIRES: the caller holds the store's writer mutex, and has checked the
// profile id. Errors: kInvalidInput (more than 2^32 edges; a static list
// that differs from the stored one, naming the caller; a count or sum that
// would pass 2^64 - 1, naming the caller and callee or the function),
// kCorruption (a stored record it reads does not decode; names the column
// family and key), kIOError. On error nothing must be committed.
// `layer`: the layer the update's planned increments also go to (what it
// adds to the graph: static counts only where the graph takes them, see
// row_plan.h), and for a refresh the rows its removal recomputed.
Status EmitUpdate(const DbHandles& handles, const GraphUpdate& update, WriteSink* sink,
                  const LayerTarget& layer = {});

}  // namespace blobgraph::storage
