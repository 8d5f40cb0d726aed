#include "server/wire.h"

#include <cstring>

#include <kj/debug.h>

namespace blobgraph::server {

capnp::ReaderOptions RpcReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kRpcTraversalLimitWords;
  options.nestingLimit = kRpcNestingLimit;
  return options;
}

BlobHash DecodeHash(capnp::Data::Reader data, const char* what, size_t index) {
  if (data.size() != BlobHash::kSize) {
    ThrowStatus(Status::InvalidInput(std::string(what) + ": entry " + std::to_string(index) +
                                     ": hash has " + std::to_string(data.size()) +
                                     " bytes, expected 32"));
  }
  return BlobHash::FromBytes(data.begin());
}

void CheckChunkSize(size_t entries, const char* what) {
  if (entries > schema::K_MAX_CHUNK_ENTRIES) {
    ThrowStatus(Status::InvalidInput(std::string(what) + ": chunk has " + std::to_string(entries) +
                                     " entries, limit " + std::to_string(schema::K_MAX_CHUNK_ENTRIES)));
  }
}

void DecodeEdges(capnp::List<schema::ProfileEdge>::Reader edges, const char* what,
                 std::vector<EdgeDelta>* out) {
  CheckChunkSize(edges.size(), what);
  // No exact reserve here: chunks arrive one by one, and reserving exactly
  // each time would defeat the vector's geometric growth (quadratic copying).
  size_t index = 0;
  for (auto edge : edges) {
    EdgeDelta delta;
    delta.caller = DecodeHash(edge.getCaller(), what, index);
    delta.callee = DecodeHash(edge.getCallee(), what, index);
    delta.static_count = edge.getStaticCount();
    delta.dynamic_count = edge.getDynamicCount();
    out->push_back(delta);
    ++index;
  }
}

void DecodeNames(capnp::List<schema::NamedFunction>::Reader names, const char* what,
                 std::vector<std::pair<BlobHash, std::string>>* out) {
  CheckChunkSize(names.size(), what);
  size_t index = 0;
  for (auto named : names) {
    auto name = named.getName();
    out->emplace_back(DecodeHash(named.getHash(), what, index),
                      std::string(name.begin(), name.size()));
    ++index;
  }
}

void DecodeHashes(capnp::List<capnp::Data>::Reader hashes, const char* what,
                  std::vector<BlobHash>* out) {
  CheckChunkSize(hashes.size(), what);
  for (size_t i = 0; i < hashes.size(); ++i) out->push_back(DecodeHash(hashes[i], what, i));
}

void DecodeLoads(capnp::List<schema::FunctionLoad>::Reader loads, const char* what,
                 std::vector<LoadWeights>* out) {
  CheckChunkSize(loads.size(), what);
  for (size_t i = 0; i < loads.size(); ++i) {
    LoadWeights load{DecodeHash(loads[i].getHash(), what, i), loads[i].getRunWeight(),
                     loads[i].getPositionWeight()};
    if (load.run_weight == 0 && load.position_weight != 0) {
      ThrowStatus(Status::InvalidInput(std::string(what) + ": entry " + std::to_string(i) +
                                       ": function " + load.hash.ToHex() + ": position weight " +
                                       std::to_string(load.position_weight) +
                                       " without a run weight"));
    }
    out->push_back(load);
  }
}

ProfileInfo DecodeIdentity(schema::ProfileIdentity::Reader identity) {
  ProfileInfo info;
  auto id = identity.getId();
  if (id.size() != info.id.size()) {
    ThrowStatus(Status::InvalidInput("beginPush: profile id has " + std::to_string(id.size()) +
                                     " bytes, expected 16"));
  }
  std::memcpy(info.id.data(), id.begin(), info.id.size());
  auto host = identity.getSourceHost();
  info.source_host.assign(host.begin(), host.size());
  info.created_unix_ms = identity.getCreatedUnixMs();
  return info;
}

void EncodeEdges(std::span<const EdgeDelta> edges, capnp::List<schema::ProfileEdge>::Builder out) {
  for (size_t i = 0; i < edges.size(); ++i) {
    auto edge = out[i];
    edge.setCaller(HashData(edges[i].caller));
    edge.setCallee(HashData(edges[i].callee));
    edge.setStaticCount(edges[i].static_count);
    edge.setDynamicCount(edges[i].dynamic_count);
  }
}

void EncodeNames(std::span<const std::pair<BlobHash, std::string>> names,
                 capnp::List<schema::NamedFunction>::Builder out) {
  for (size_t i = 0; i < names.size(); ++i) {
    out[i].setHash(HashData(names[i].first));
    out[i].setName(capnp::Text::Reader(names[i].second.data(), names[i].second.size()));
  }
}

void EncodeHashes(std::span<const BlobHash> hashes, capnp::List<capnp::Data>::Builder out) {
  for (size_t i = 0; i < hashes.size(); ++i) out.set(i, HashData(hashes[i]));
}

void EncodeLoads(std::span<const LoadWeights> loads,
                 capnp::List<schema::FunctionLoad>::Builder out) {
  for (size_t i = 0; i < loads.size(); ++i) {
    out[i].setHash(HashData(loads[i].hash));
    out[i].setRunWeight(loads[i].run_weight);
    out[i].setPositionWeight(loads[i].position_weight);
  }
}

void EncodeIdentity(const ProfileInfo& info, schema::ProfileIdentity::Builder out) {
  out.setId(capnp::Data::Reader(info.id.data(), info.id.size()));
  out.setSourceHost(capnp::Text::Reader(info.source_host.data(), info.source_host.size()));
  out.setCreatedUnixMs(info.created_unix_ms);
}

}  // namespace blobgraph::server
