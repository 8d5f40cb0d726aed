// apply_writer: turns a GraphUpdate into the store's merge increments and
// hands them to a WriteSink (WriteBatch or SST ingestion) in key order.
// Internal to storage/.
//
// Repeated edges are summed first (sorted by caller, then callee), so each
// caller gets one edge-row operand. To keep `callers` exact, each caller's
// current row is read once to learn which callees are new; a new callee's
// node gets +1 caller in the same atomic write. That read is only valid while
// no other write runs, hence the REQUIRES below. A caller whose row exists
// already has its node record, so it gets no (all-zero) node operand.
#pragma once

#include "blobgraph/graph_store.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

// Number of items (edges, functions, names, run entries) above which
// WriteMethod::kAuto ingests SST files instead of writing a batch.
inline constexpr size_t kAutoIngestThreshold = 100000;

// Adds every entry `update` implies to `sink` (it does not Commit).
// REQUIRES: the caller holds the store's writer mutex, and has checked the
// profile id. Errors: kInvalidInput (more than 2^32 edges), kCorruption
// (an existing row does not decode), kIOError.
Status EmitUpdate(const DbHandles& handles, const GraphUpdate& update, WriteSink* sink);

}  // namespace blobgraph::storage
