// layers: this store's unsent observations and the pulled layer
// (key_layout.h, column family `layers`). Internal to storage/.
//
// The model: a store sends only what it observed itself. Every update of
// origin kObserved is also added to the unsent layer, which export and push
// hand over (GraphStore::Unsent) and then subtract (MarkSent); merged
// profiles and pulls never enter it. An update of origin kPulled replaces
// what the previous pull added: its dynamic counts and load statistics are
// subtracted from the graph in the same WriteBatch that adds the new pull,
// and the new pull becomes the pulled layer. Static call sites are set once
// and never leave the graph (a refresh removes dynamic counts only).
//
// Every function here that reads and then writes REQUIRES the store's
// writer mutex (as EmitUpdate does): the reads are only exact while no
// other write runs. A store opened read-only from format 2 has no `layers`
// family (DbHandles::family(Cf::kLayers) is null): its layers read as empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <rocksdb/snapshot.h>

#include "blobgraph/graph_store.h"
#include "storage/key_layout.h"
#include "storage/write_sink.h"

namespace blobgraph::storage {

// Edge rows a refresh recomputed, by caller: the row as it will be once the
// batch commits, before the new pull's increments (std::nullopt: deleted).
// Apply plans the new pull's rows against these instead of the stored ones.
using RowOverlay = std::unordered_map<BlobHash, std::optional<std::string>>;

// Which layer an update also goes to (none for merged profiles), and the
// rows a refresh recomputed (null when there was no previous pull).
struct LayerTarget {
  std::optional<Layer> layer;
  const RowOverlay* overlay = nullptr;
};

// ---- pulled layer (pulled_layer.cc) ----

// *any: the store holds a pulled layer (a pull was applied before).
Status HasPulledLayer(const DbHandles& handles, bool* any);

// Subtracts the pulled layer from the graph: Puts the recomputed edge rows
// (Delete when nothing is left), node records, load records, meta "runs" and
// "totals" into `batch`, and Deletes every pulled-layer record. A pulled
// count above the graph's (which Verify reports) takes the graph's count to
// zero, never below. REQUIRES: `batch` is a batch sink (later Merges of the
// same keys apply on top of these Puts). Errors: kCorruption naming the
// column family and key, kIOError.
Status EmitPulledRemoval(const DbHandles& handles, WriteSink* batch, RowOverlay* overlay);

// Decay's part for the pulled layer: each pulled count is scaled like the
// graph's (rounding down), capped by the graph's count after this decay (0
// where the decay drops the edge). Reads at `snapshot`; writes Puts and
// Deletes in key order (an ingest sink).
Status EmitPulledDecay(const DbHandles& handles, const rocksdb::Snapshot* snapshot, double factor,
                       uint64_t drop_below, WriteSink* sink);

// Verify's part: every layer record decodes and every pulled count is at
// most the graph's. Appends one problem per finding.
Status VerifyLayers(const DbHandles& handles, std::vector<std::string>* problems);

// ---- unsent layer (unsent_layer.cc) ----

// The unsent layer as a GraphUpdate (GraphStore::Unsent), names from the
// names column family.
Result<GraphUpdate> ReadUnsent(const DbHandles& handles);

// Writes into `batch` the unsent layer minus `sent` (edges, declared
// functions, loads, run weight; names ignored). kInvalidInput naming the
// edge, function or counter if `sent` holds more than is unsent.
Status EmitMarkSent(const DbHandles& handles, const GraphUpdate& sent, WriteSink* batch);

// The records of an own layer ('U' or 'O') as a GraphUpdate, names from
// the names column family; for 'O' `profile` is the batch's id record.
Result<GraphUpdate> ReadOwnLayer(const DbHandles& handles, Layer layer);

// ---- outgoing layer (outgoing_layer.cc) ----

// Moves every unsent record into the outgoing layer (same key, byte 0 'O')
// and writes the id record for `info`, into `batch`. *moved: how many
// records moved (0: nothing unsent, nothing written). REQUIRES: the writer
// mutex; no outgoing batch exists.
Status EmitSealUnsent(const DbHandles& handles, const ProfileInfo& info, WriteSink* batch,
                      size_t* moved);

// Deletes every outgoing record into `batch`. REQUIRES: the writer mutex.
Status EmitClearOutgoing(const DbHandles& handles, WriteSink* batch);

// Edge entries of `layer` (StoreStats::unsent_edges, pulled_edges, outgoing_edges).
Status CountLayerEdges(const DbHandles& handles, Layer layer, const rocksdb::Snapshot* snapshot,
                       uint64_t* edges);

}  // namespace blobgraph::storage
