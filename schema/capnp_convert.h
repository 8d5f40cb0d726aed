// The one conversion between the Cap'n Proto structs of schema/blobgraph.capnp
// and blobgraph's types. Stream files (stream_codec) and RPC messages
// (server/wire) carry the same structs, and both convert through here: one
// encoder and one decoder per struct, and list forms of each.
//
// Decoders check what our types need: hashes of exactly 32 bytes, profile ids
// of 16, no position weight without a run weight. A failure is kInvalidInput
// naming the entry, the field and what was found, subject first:
//   "edges[2]: callee hash has 31 bytes, expected 32"
// The caller puts where in front (file and message, or the RPC method) with
// Status::WithContext. Readers of a malformed message may still throw
// kj::Exception from their accessors, so callers decode inside GuardCapnp
// (capnp_errors.h) or an RPC method. Encoders have nothing to refuse.
// Any thread; no state.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blobgraph/blob_hash.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"
#include "schema/blobgraph.capnp.h"
#include "schema/stream_codec.h"

namespace blobgraph::schema {

// A view of `hash`'s bytes, valid as long as `hash` is.
inline capnp::Data::Reader HashData(const BlobHash& hash) {
  return capnp::Data::Reader(hash.data(), BlobHash::kSize);
}

// "<list>[<index>]", how every message names an entry.
std::string EntryName(std::string_view list, size_t index);

// `data` as a hash; else "<field> hash has N bytes, expected 32" (just
// "hash has ..." for an empty field).
Result<BlobHash> DecodeHash(capnp::Data::Reader data, std::string_view field);

// kInvalidInput "<list> chunk has N entries, at most 65536" (just "chunk has
// ..." for an empty list) when `entries` is over kMaxChunkEntries.
Status CheckChunkSize(std::string_view list, size_t entries);

// kInvalidInput "function <hex>: position weight N without a run weight (no
// run loaded it)" for a position weight without a run weight, which no run
// can have produced. For loads of every form (stream, RPC, JSON).
Status CheckLoad(const LoadWeights& load);

// One entry. Decoder errors name the field, not the entry (the list forms
// below put "<list>[<index>]: " in front).
void EncodeEdge(const EdgeDelta& edge, ProfileEdge::Builder out);
Result<EdgeDelta> DecodeEdge(ProfileEdge::Reader edge);
void EncodeName(const BlobHash& hash, const std::string& name, NamedFunction::Builder out);
Result<NamedHash> DecodeName(NamedFunction::Reader named);
void EncodeLoad(const LoadWeights& load, FunctionLoad::Builder out);
Result<LoadWeights> DecodeLoad(FunctionLoad::Reader load);  // CheckLoad included
void EncodeEvent(const TraceEvent& event, CallEvent::Builder out);
Result<TraceEvent> DecodeEvent(CallEvent::Reader event);
// An empty name is left unset.
void EncodeFunction(const FunctionDeps& function, Function::Builder out);
// Overwrites *out, reusing its buffers; "callees[3]: hash has ..." names a
// bad callee.
Status DecodeFunction(Function::Reader function, FunctionDeps* out);
void EncodeIdentity(const ProfileInfo& info, ProfileIdentity::Builder out);
// Errors: "profile id has N bytes, expected 16".
Result<ProfileInfo> DecodeIdentity(ProfileIdentity::Reader identity);

// Whole lists. REQUIRES for encoders: `out` has exactly the span's size.
void EncodeEdges(std::span<const EdgeDelta> edges, capnp::List<ProfileEdge>::Builder out);
void EncodeNames(std::span<const NamedHash> names, capnp::List<NamedFunction>::Builder out);
void EncodeNames(std::span<const std::pair<BlobHash, std::string>> names,
                 capnp::List<NamedFunction>::Builder out);
void EncodeLoads(std::span<const LoadWeights> loads, capnp::List<FunctionLoad>::Builder out);
void EncodeEvents(std::span<const TraceEvent> events, capnp::List<CallEvent>::Builder out);
void EncodeHashes(std::span<const BlobHash> hashes, capnp::List<capnp::Data>::Builder out);

// Decoders append every entry to *out (no size limit: see CheckChunkSize).
// The first bad entry stops them: kInvalidInput "edges[2]: ...", with the
// entries before it appended. The lists are named "edges", "names", "loads",
// "events"; hashes by `list`.
Status DecodeEdges(capnp::List<ProfileEdge>::Reader edges, std::vector<EdgeDelta>* out);
Status DecodeNames(capnp::List<NamedFunction>::Reader names, std::vector<NamedHash>* out);
Status DecodeNames(capnp::List<NamedFunction>::Reader names,
                   std::vector<std::pair<BlobHash, std::string>>* out);
Status DecodeLoads(capnp::List<FunctionLoad>::Reader loads, std::vector<LoadWeights>* out);
Status DecodeEvents(capnp::List<CallEvent>::Reader events, std::vector<TraceEvent>* out);
Status DecodeHashes(capnp::List<capnp::Data>::Reader hashes, std::string_view list,
                    std::vector<BlobHash>* out);

}  // namespace blobgraph::schema
