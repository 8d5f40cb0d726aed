// The store's RocksDB merge operators. Both are stateless and thread-safe;
// RocksDB calls them from any thread. They never throw (RocksDB is not
// exception-safe): a malformed operand or value makes the merge return false,
// which RocksDB reports as a Corruption status on the read or compaction.
// Sums saturate at 2^64 - 1 instead of wrapping: Apply() refuses updates
// that would overflow (storage/apply_writer.h), so this is only a backstop.
#pragma once

#include <memory>

#include <rocksdb/merge_operator.h>

namespace blobgraph::storage {

// Adds edge rows (see key_layout.h, `edges`): a sorted merge of the callees,
// summing the static and dynamic counts of a callee present in both.
std::shared_ptr<rocksdb::MergeOperator> NewEdgeRowMergeOperator();

// Adds vectors of varints elementwise (the shorter one padded with zeros).
// Used by `nodes`, `loads` and the meta counters.
std::shared_ptr<rocksdb::MergeOperator> NewVarintAddMergeOperator();

// The `layers` family: edge-row add for its 'e' keys, varint add for the
// rest (key_layout.h, `layers`).
std::shared_ptr<rocksdb::MergeOperator> NewLayerMergeOperator();

}  // namespace blobgraph::storage
