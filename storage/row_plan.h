// row_plan: decides what one caller's part of an update writes into its edge
// row, against the row as stored. Internal to storage/ (apply_writer).
//
// Two rules, both checked before anything is written:
//
//  * Static call sites are facts of a content hash: a caller's static list
//    (the callees with a static count, and those counts) is set once. An
//    update whose static list for the caller equals the stored one adds no
//    static count (a retried import is a no-op); one that differs is refused
//    (kInvalidInput naming the caller) and so is the whole update. A caller
//    with no stored static count takes the update's list as it is.
//  * No count wraps: an edge's dynamic count, and the sums of static and of
//    dynamic counts over the caller's edges, must stay within 2^64 - 1, or
//    the update is refused (kInvalidInput naming caller and callee).
//
// Exact only while no other write runs between the read of the stored row
// and the commit: Apply() holds the store's writer mutex for both, and
// RocksDB's LOCK keeps other processes out (see graph_store_impl.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "blobgraph/status.h"
#include "storage/key_layout.h"

namespace blobgraph::storage {

// REQUIRES: `entries` are the update's increments for `caller`, summed per
// callee and sorted ascending by callee; `stored_row` is the caller's stored
// row if `found` (a view into the caller's buffer).
// On OK, `entries` holds what to merge (static counts removed when they
// repeat the stored list; entries left without counts dropped) and
// `new_callee[i]` says whether entries[i]'s callee is new to the row.
// Errors: kInvalidInput (static conflict, overflow), kCorruption (the stored
// row does not decode; names the edges key). `path` is for messages.
Status PlanCallerRow(const std::string& path, const BlobHash& caller, std::string_view stored_row,
                     bool found, std::vector<RowEntry>* entries, std::vector<uint8_t>* new_callee);

// "edge <caller hex> -> <callee hex>" for messages.
std::string DescribeEdge(const BlobHash& caller, const BlobHash& callee);

}  // namespace blobgraph::storage
