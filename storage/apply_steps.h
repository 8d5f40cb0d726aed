// The two large steps of EmitUpdate (apply_writer.h), each in its own file:
// the edge rows (apply_edges.cc) and the load records (apply_loads.cc). Both
// write into `sink` in ascending key order per column family, as an ingest
// sink needs. Internal to storage/.
#pragma once

#include <vector>

#include "blobgraph/graph_store.h"
#include "storage/layers.h"
#include "storage/node_deltas.h"
#include "storage/total_checks.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

// Merges each caller's planned increments into its edge row (and into
// `layer`'s), adds what they bring to each callee (and caller) to `nodes`,
// and to `*added` the sums of what the edge operands add (saturating; for
// the store-wide totals, see total_checks.h). kInvalidInput for an update
// of 2^32 edges or more, or counts that would sum past 2^64 - 1.
Status EmitEdges(const DbHandles& handles, const std::vector<EdgeDelta>& edges, WriteSink* sink,
                 NodeDeltas* nodes, StoreTotals* added, const LayerTarget& layer);

// Merges the update's load orders and load statistics into the load records
// (and `layer`'s) and its run weight into the store's; kInvalidInput when a
// sum would pass 2^64 - 1.
Status EmitRuns(const DbHandles& handles, const GraphUpdate& update, const LayerTarget& layer,
                WriteSink* sink);

}  // namespace blobgraph::storage
