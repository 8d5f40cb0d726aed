// profile_export: what `blobgraph export` and blobgraph_export_profile
// write. A store sends only what it observed itself: the unsent
// observations (GraphStore::Unsent), which the caller marks sent once the
// file is complete; or, asked for, the whole graph. Uses only the public
// GraphStore interface; any thread that may read the store.
#pragma once

#include <cstdint>
#include <functional>

#include "blobgraph/graph_store.h"
#include "blobgraph/profile_io.h"

namespace blobgraph::formats {

// Writes `unsent` (what GraphStore::Unsent returned) under a new profile
// identity and finishes the file: names, declared functions, the edges at
// or above `min_count` (static + dynamic; a caller that loses some edges
// keeps only the observed calls of the others: call sites go as whole
// lists), load statistics and run weight (only when there are some).
// `*written` gets exactly what the file holds: the update to MarkSent.
// REQUIRES: unsent.edges grouped by caller (Unsent's order).
Status WriteUnsentProfile(const GraphUpdate& unsent, ProfileWriter* writer, uint64_t min_count,
                          GraphUpdate* written);

// Writes the whole graph under a new profile identity and finishes the
// file: names, functions known only by declaration, edges (`min_count` as
// above), every load record and the store's run weight; importing the
// result reproduces every count. `progress` (may be empty) is called per
// caller written; `*edges_written` counts the edges.
Status WriteWholeGraph(const GraphStore& store, ProfileWriter* writer, uint64_t min_count,
                       const std::function<void(uint64_t callers)>& progress,
                       uint64_t* edges_written);

}  // namespace blobgraph::formats
