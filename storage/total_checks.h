// total_checks: before an update is written, reads the stored per-function
// and store-wide counters it adds to and refuses (kInvalidInput, naming the
// function or counter) any sum that would pass 2^64 - 1. The merge operators
// saturate as a backstop; this is where an overflow becomes an error the
// user sees, with nothing of the update applied. Internal to storage/
// (apply_writer); same REQUIRES as EmitUpdate: the writer mutex is held.
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "blobgraph/blob_hash.h"
#include "blobgraph/feedback_stats.h"
#include "blobgraph/status.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

// What an update adds to one function's node record (nodes CF).
struct NodeDelta {
  uint64_t in_static = 0;
  uint64_t in_dynamic = 0;
  uint64_t callers = 0;
  uint64_t static_refs = 0;  // reference counts for Retract (key_layout.h, `nodes`)
  uint64_t mentions = 0;
};

// What an update adds to one function's load record (loads CF), in
// fixed-point run weights (key_layout.h).
struct LoadDelta {
  uint64_t runs = 0;
  uint64_t position_sum = 0;
};

// Sums of every edge's static and dynamic counts (meta key "totals").
struct StoreTotals {
  uint64_t static_total = 0;
  uint64_t dynamic_total = 0;
};

// Every node's incoming totals are at most the store-wide totals, so when
// those stay within 2^64 - 1 after adding `added`, no node total can
// overflow: *fit is set and CheckNodeTotals' reads are not needed (the
// usual case; the stored totals are one read). Errors: kCorruption (the
// totals record does not decode), kIOError.
Status StoreTotalsFit(const DbHandles& handles, const StoreTotals& added, bool* fit);

// REQUIRES: `nodes` sorted ascending by hash. Errors: kInvalidInput (a sum
// would overflow), kCorruption (a stored record does not decode), kIOError.
Status CheckNodeTotals(const DbHandles& handles,
                       std::span<const std::pair<BlobHash, NodeDelta>> nodes);
// REQUIRES: `loads` sorted ascending by hash. `runs`: the run weight the
// update adds to the meta "runs" counter.
Status CheckLoadTotals(const DbHandles& handles,
                       std::span<const std::pair<BlobHash, LoadDelta>> loads, uint64_t runs);
Status CheckFeedbackTotals(const DbHandles& handles, const FeedbackStats& feedback);

}  // namespace blobgraph::storage
