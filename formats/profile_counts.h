// profile_counts: refuses a profile whose own counts overflow: summed per
// edge and per caller (what the store will add up), the static and dynamic
// counts of one file must stay within 2^64 - 1, and so must the run and
// position weights of its load entries summed per function. Pure; any thread.
#pragma once

#include <string>

#include "blobgraph/graph_store.h"

namespace blobgraph::formats {

// OK, or kInvalidInput "<path>: edge #N (CALLER -> CALLEE): ..." naming the
// file's edge entry (1-based, in file order) at which a sum passes 2^64 - 1,
// or "<path>: load #N (HASH): ..." naming the load entry likewise.
Status CheckProfileCounts(const std::string& path, const GraphUpdate& update);

}  // namespace blobgraph::formats
