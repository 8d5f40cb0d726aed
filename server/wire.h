// The RPC side of schema/capnp_convert.h: the same conversions between the
// structs of profile_service.capnp's messages and blobgraph's types, with
// the checks every message from a peer gets.
//
// Decoders validate (hashes of exactly 32 bytes, ids of 16, chunk sizes) and
// throw the decoder's Status as a kj::Exception (ThrowStatus), its message
// naming the method and the entry ("addEdges: edges[2]: callee hash has 31
// bytes, expected 32"): the RPC layer turns it into an error for the caller.
// Encoders never fail and are schema's own.
// Internal to server/. Any thread; no state.
#pragma once

#include <capnp/list.h>
#include <capnp/message.h>
#include <kj/exception.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/status.h"
#include "schema/blobgraph.capnp.h"
#include "schema/capnp_convert.h"
#include "schema/capnp_errors.h"
#include "schema/profile_service.capnp.h"

namespace blobgraph::server {

// What one ProfileEdge costs on the wire (struct + two 32-byte Data), used
// to size a pull under a byte budget.
inline constexpr uint64_t kEdgeWireBytes = 96;
inline constexpr uint64_t kFunctionWireBytes = 48;

// Reader limits for every RPC message: a full chunk of the largest entry
// kind fits (64k edges * 12 words, or 64k names of up to ~200 bytes), a
// message claiming more is refused before anything is allocated for it.
inline constexpr uint64_t kRpcTraversalLimitWords = 4ull << 20;  // 32 MiB
inline constexpr int kRpcNestingLimit = 16;

// Errors cross the wire as schema/capnp_errors.h's exceptions, code included.
using schema::ThrowStatus;

// The reader limits above, for both ends' two-party networks.
capnp::ReaderOptions RpcReaderOptions();
// Makes `rpc` send each exception's Status code to the peer (capnp_errors.h).
template <typename RpcSystem>
void SendStatusCodes(RpcSystem& rpc) {
  rpc.setTraceEncoder(
      [](const kj::Exception& exception) { return schema::EncodeStatusTrace(exception); });
}

// "<what>[<index>]: hash has N bytes, expected 32" for a bad hash.
BlobHash DecodeHash(capnp::Data::Reader data, const char* what, size_t index);
// "<what>: chunk has N entries, at most 65536".
void CheckChunkSize(size_t entries, const char* what);

// Each refuses an oversized chunk as CheckChunkSize does, and a bad entry
// with `what` before schema's message. They append to *out.
void DecodeEdges(capnp::List<schema::ProfileEdge>::Reader edges, const char* what,
                 std::vector<EdgeDelta>* out);
void DecodeNames(capnp::List<schema::NamedFunction>::Reader names, const char* what,
                 std::vector<std::pair<BlobHash, std::string>>* out);
void DecodeHashes(capnp::List<capnp::Data>::Reader hashes, const char* what,
                  std::vector<BlobHash>* out);
// Also refuses a position weight without a run weight, as profile readers do.
void DecodeLoads(capnp::List<schema::FunctionLoad>::Reader loads, const char* what,
                 std::vector<LoadWeights>* out);
// "<what>: profile id has N bytes, expected 16".
ProfileInfo DecodeIdentity(schema::ProfileIdentity::Reader identity, const char* what);

// The encoders, schema's (capnp_convert.h).
using schema::EncodeEdges;
using schema::EncodeHashes;
using schema::EncodeIdentity;
using schema::EncodeLoads;
using schema::EncodeNames;
using schema::HashData;

}  // namespace blobgraph::server
