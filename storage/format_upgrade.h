// format_upgrade: converts an older store's records to the current format
// (storage/key_layout.h) when it is opened for writing. Internal to
// storage/; called by GraphStore::Open before the store is handed out, so
// no other read or write of this process runs meanwhile.
#pragma once

#include <cstdint>

#include "blobgraph/status.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

// Run weight per recorded run in a store of `format_version` (1 for format
// 1, which stored whole runs; kRunWeightUnit from format 2 on).
uint64_t RunWeightUnitOf(int format_version);

// Rewrites every record whose encoding differs in `from_version` and the
// format key, in one synced WriteBatch: all of it or nothing.
// Format 1 -> 2: load records and the meta "runs" counter are multiplied by
// kRunWeightUnit, and the meta "totals" are summed from the edges.
// Format 2 -> 3: the `layers` family (created empty by the read-write open,
// storage/open.cc): the store's existing counts become neither unsent nor
// pulled, so a converted store's first export sends only what it observes
// from then on (export --all writes everything).
// Errors: kCorruption (a record does not decode, naming the column family
// and key; or a count too large to convert), kIOError.
Status UpgradeFormat(const DbHandles& handles, int from_version);

}  // namespace blobgraph::storage
