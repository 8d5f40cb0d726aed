#include "server/wire.h"

namespace blobgraph::server {
namespace {

// Throws a decoder's error with `what` (the method, maybe a list) in front.
void ThrowIfError(const Status& status, std::string_view what) {
  if (!status.ok()) ThrowStatus(status.WithContext(std::string(what)));
}

}  // namespace

capnp::ReaderOptions RpcReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kRpcTraversalLimitWords;
  options.nestingLimit = kRpcNestingLimit;
  return options;
}

BlobHash DecodeHash(capnp::Data::Reader data, const char* what, size_t index) {
  auto hash = schema::DecodeHash(data, "");
  ThrowIfError(hash.status(), schema::EntryName(what, index));
  return *hash;
}

void CheckChunkSize(size_t entries, const char* what) {
  ThrowIfError(schema::CheckChunkSize("", entries), what);
}

void DecodeEdges(capnp::List<schema::ProfileEdge>::Reader edges, const char* what,
                 std::vector<EdgeDelta>* out) {
  CheckChunkSize(edges.size(), what);
  ThrowIfError(schema::DecodeEdges(edges, out), what);
}

void DecodeNames(capnp::List<schema::NamedFunction>::Reader names, const char* what,
                 std::vector<std::pair<BlobHash, std::string>>* out) {
  CheckChunkSize(names.size(), what);
  ThrowIfError(schema::DecodeNames(names, out), what);
}

void DecodeHashes(capnp::List<capnp::Data>::Reader hashes, const char* what,
                  std::vector<BlobHash>* out) {
  CheckChunkSize(hashes.size(), what);
  ThrowIfError(schema::DecodeHashes(hashes, "hashes", out), what);
}

void DecodeLoads(capnp::List<schema::FunctionLoad>::Reader loads, const char* what,
                 std::vector<LoadWeights>* out) {
  CheckChunkSize(loads.size(), what);
  ThrowIfError(schema::DecodeLoads(loads, out), what);
}

ProfileInfo DecodeIdentity(schema::ProfileIdentity::Reader identity, const char* what) {
  auto info = schema::DecodeIdentity(identity);
  ThrowIfError(info.status(), what);
  return std::move(info).value();
}

}  // namespace blobgraph::server
