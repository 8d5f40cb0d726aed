// Printing profile records (blobgraph profiles, locally and --server): one
// line per profile, or a JSON document. Host names come from other machines:
// printed escaped (core/quote.h, JSON escapes), never raw to a terminal.
#pragma once

#include <cstdint>
#include <vector>

#include "blobgraph/graph_store.h"

namespace blobgraph::tools {

// `total`/`truncated`: how many the source holds and whether `records` is
// only the first part (a server's answer is capped).
void PrintProfiles(const std::vector<ProfileRecord>& records, uint64_t total, bool truncated,
                   bool json);

}  // namespace blobgraph::tools
