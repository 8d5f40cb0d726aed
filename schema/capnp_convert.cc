#include "schema/capnp_convert.h"

#include <cstring>

namespace blobgraph::schema {
namespace {

capnp::Text::Reader TextOf(const std::string& text) {
  return capnp::Text::Reader(text.data(), text.size());
}

std::string StringOf(capnp::Text::Reader text) { return std::string(text.cStr(), text.size()); }

// The list form of every decoder: decodes each entry with `decode`, names the
// first bad one. No reserve: chunks arrive one by one into the same vector,
// and reserving exactly each time would defeat its geometric growth.
template <typename List, typename Decode, typename Out>
Status DecodeEach(List list, std::string_view label, Decode decode, std::vector<Out>* out) {
  for (size_t i = 0; i < list.size(); ++i) {
    auto entry = decode(list[i]);
    if (!entry.ok()) return entry.status().WithContext(EntryName(label, i));
    out->push_back(std::move(entry).value());
  }
  return Status::Ok();
}

}  // namespace

std::string EntryName(std::string_view list, size_t index) {
  return std::string(list) + "[" + std::to_string(index) + "]";
}

Result<BlobHash> DecodeHash(capnp::Data::Reader data, std::string_view field) {
  if (data.size() != BlobHash::kSize) {
    std::string subject = field.empty() ? "hash" : std::string(field) + " hash";
    return Status::InvalidInput(subject + " has " + std::to_string(data.size()) +
                                " bytes, expected " + std::to_string(BlobHash::kSize));
  }
  return BlobHash::FromBytes(data.begin());
}

Status CheckChunkSize(std::string_view list, size_t entries) {
  if (entries > K_MAX_CHUNK_ENTRIES) {
    std::string subject = list.empty() ? "chunk" : std::string(list) + " chunk";
    return Status::InvalidInput(subject + " has " + std::to_string(entries) + " entries, at most " +
                                std::to_string(K_MAX_CHUNK_ENTRIES));
  }
  return Status::Ok();
}

Status CheckLoad(const LoadWeights& load) {
  if (load.run_weight == 0 && load.position_weight != 0) {
    return Status::InvalidInput("function " + load.hash.ToHex() + ": position weight " +
                                std::to_string(load.position_weight) +
                                " without a run weight (no run loaded it)");
  }
  return Status::Ok();
}

void EncodeEdge(const EdgeDelta& edge, ProfileEdge::Builder out) {
  out.setCaller(HashData(edge.caller));
  out.setCallee(HashData(edge.callee));
  out.setStaticCount(edge.static_count);
  out.setDynamicCount(edge.dynamic_count);
}

Result<EdgeDelta> DecodeEdge(ProfileEdge::Reader edge) {
  auto caller = DecodeHash(edge.getCaller(), "caller");
  if (!caller.ok()) return caller.status();
  auto callee = DecodeHash(edge.getCallee(), "callee");
  if (!callee.ok()) return callee.status();
  return EdgeDelta{*caller, *callee, edge.getStaticCount(), edge.getDynamicCount()};
}

void EncodeName(const BlobHash& hash, const std::string& name, NamedFunction::Builder out) {
  out.setHash(HashData(hash));
  out.setName(TextOf(name));
}

Result<NamedHash> DecodeName(NamedFunction::Reader named) {
  auto hash = DecodeHash(named.getHash(), "function");
  if (!hash.ok()) return hash.status();
  return NamedHash{*hash, StringOf(named.getName())};
}

void EncodeLoad(const LoadWeights& load, FunctionLoad::Builder out) {
  out.setHash(HashData(load.hash));
  out.setRunWeight(load.run_weight);
  out.setPositionWeight(load.position_weight);
}

Result<LoadWeights> DecodeLoad(FunctionLoad::Reader load) {
  auto hash = DecodeHash(load.getHash(), "function");
  if (!hash.ok()) return hash.status();
  LoadWeights weights{*hash, load.getRunWeight(), load.getPositionWeight()};
  BLOBGRAPH_RETURN_IF_ERROR(CheckLoad(weights));
  return weights;
}

void EncodeEvent(const TraceEvent& event, CallEvent::Builder out) {
  out.setCaller(HashData(event.caller));
  out.setCallee(HashData(event.callee));
}

Result<TraceEvent> DecodeEvent(CallEvent::Reader event) {
  auto caller = DecodeHash(event.getCaller(), "caller");
  if (!caller.ok()) return caller.status();
  auto callee = DecodeHash(event.getCallee(), "callee");
  if (!callee.ok()) return callee.status();
  return TraceEvent{*caller, *callee};
}

void EncodeFunction(const FunctionDeps& function, Function::Builder out) {
  out.setHash(HashData(function.hash));
  if (!function.name.empty()) out.setName(TextOf(function.name));
  EncodeHashes(function.callees, out.initCallees(function.callees.size()));
}

Status DecodeFunction(Function::Reader function, FunctionDeps* out) {
  auto hash = DecodeHash(function.getHash(), "function");
  if (!hash.ok()) return hash.status();
  out->hash = *hash;
  out->name.assign(function.getName().cStr(), function.getName().size());
  out->callees.clear();
  return DecodeHashes(function.getCallees(), "callees", &out->callees);
}

void EncodeIdentity(const ProfileInfo& info, ProfileIdentity::Builder out) {
  out.setId(capnp::Data::Reader(info.id.data(), info.id.size()));
  out.setSourceHost(TextOf(info.source_host));
  out.setCreatedUnixMs(info.created_unix_ms);
}

Result<ProfileInfo> DecodeIdentity(ProfileIdentity::Reader identity) {
  ProfileInfo info;
  auto id = identity.getId();
  if (id.size() != info.id.size()) {
    return Status::InvalidInput("profile id has " + std::to_string(id.size()) +
                                " bytes, expected " + std::to_string(info.id.size()));
  }
  std::memcpy(info.id.data(), id.begin(), info.id.size());
  info.source_host = StringOf(identity.getSourceHost());
  info.created_unix_ms = identity.getCreatedUnixMs();
  return info;
}

void EncodeEdges(std::span<const EdgeDelta> edges, capnp::List<ProfileEdge>::Builder out) {
  for (size_t i = 0; i < edges.size(); ++i) EncodeEdge(edges[i], out[i]);
}

void EncodeNames(std::span<const NamedHash> names, capnp::List<NamedFunction>::Builder out) {
  for (size_t i = 0; i < names.size(); ++i) EncodeName(names[i].hash, names[i].name, out[i]);
}

void EncodeNames(std::span<const std::pair<BlobHash, std::string>> names,
                 capnp::List<NamedFunction>::Builder out) {
  for (size_t i = 0; i < names.size(); ++i) EncodeName(names[i].first, names[i].second, out[i]);
}

void EncodeLoads(std::span<const LoadWeights> loads, capnp::List<FunctionLoad>::Builder out) {
  for (size_t i = 0; i < loads.size(); ++i) EncodeLoad(loads[i], out[i]);
}

void EncodeEvents(std::span<const TraceEvent> events, capnp::List<CallEvent>::Builder out) {
  for (size_t i = 0; i < events.size(); ++i) EncodeEvent(events[i], out[i]);
}

void EncodeHashes(std::span<const BlobHash> hashes, capnp::List<capnp::Data>::Builder out) {
  for (size_t i = 0; i < hashes.size(); ++i) out.set(i, HashData(hashes[i]));
}

Status DecodeEdges(capnp::List<ProfileEdge>::Reader edges, std::vector<EdgeDelta>* out) {
  return DecodeEach(edges, "edges", DecodeEdge, out);
}

Status DecodeNames(capnp::List<NamedFunction>::Reader names, std::vector<NamedHash>* out) {
  return DecodeEach(names, "names", DecodeName, out);
}

Status DecodeNames(capnp::List<NamedFunction>::Reader names,
                   std::vector<std::pair<BlobHash, std::string>>* out) {
  auto as_pair = [](NamedFunction::Reader named) -> Result<std::pair<BlobHash, std::string>> {
    auto name = DecodeName(named);
    if (!name.ok()) return name.status();
    return std::pair<BlobHash, std::string>(name->hash, std::move(name->name));
  };
  return DecodeEach(names, "names", as_pair, out);
}

Status DecodeLoads(capnp::List<FunctionLoad>::Reader loads, std::vector<LoadWeights>* out) {
  return DecodeEach(loads, "loads", DecodeLoad, out);
}

Status DecodeEvents(capnp::List<CallEvent>::Reader events, std::vector<TraceEvent>* out) {
  return DecodeEach(events, "events", DecodeEvent, out);
}

Status DecodeHashes(capnp::List<capnp::Data>::Reader hashes, std::string_view list,
                    std::vector<BlobHash>* out) {
  auto decode = [](capnp::Data::Reader data) { return DecodeHash(data, ""); };
  return DecodeEach(hashes, list, decode, out);
}

}  // namespace blobgraph::schema
