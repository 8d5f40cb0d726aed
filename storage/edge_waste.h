// edge_waste: the `waste` column family (key_layout.h), wasted predictions
// per edge that engines flush with their recorded calls (GraphUpdate::wasted,
// EdgeWaste). Internal to storage/; the functions take the store's handles
// and run on the caller's thread. A store opened read-only that has no
// `waste` family (written before it existed) reads as having no waste.
#pragma once

#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/snapshot.h>

#include "blobgraph/graph_store.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

// Adds `wasted` to `sink` as one merge operand per caller, callers and their
// callees ascending (the order an ingested SST needs), repeats summed
// (saturating). Zero counts are left out.
Status EmitEdgeWaste(const std::vector<EdgeWaste>& wasted, WriteSink* sink);

// Sets wasted_count of each of `callees` (one caller's row, any order) from
// the stored `waste_row` (the value of the caller's `waste` key); entries
// for callees not in `callees` are ignored. kCorruption naming the key if
// the value does not decode.
Status FillWaste(const std::string& path, const BlobHash& caller, std::string_view waste_row,
                 std::vector<CalleeInfo>* callees);

// Reads `caller`'s waste row at `snapshot` (null: latest) into *row; *found
// false if there is none (or no `waste` family).
Status ReadWasteRow(const DbHandles& handles, const BlobHash& caller,
                    const rocksdb::Snapshot* snapshot, std::string* row, bool* found);

// Decay's part: every waste count scaled by `factor` (rounding down, like
// dynamic counts), Put into `sink` where it changed, entries at 0 dropped and
// rows left empty Deleted. REQUIRES: an ingest sink's other `waste` keys
// (none) do not interleave. Errors: kCorruption naming the key, kIOError.
Status EmitWasteDecay(const DbHandles& handles, const rocksdb::Snapshot* snapshot, double factor,
                      WriteSink* sink);

}  // namespace blobgraph::storage
