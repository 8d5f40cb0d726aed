// The unsent layer (layers.h): read as a GraphUpdate, and subtracted by
// MarkSent.
#include <algorithm>
#include <compare>
#include <map>
#include <memory>
#include <vector>

#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/layers.h"
#include "storage/rocks_status.h"
#include "storage/row_plan.h"

namespace blobgraph::storage {
namespace {

bool StartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

Status Corrupt(const DbHandles& handles, std::string_view key, const std::string& problem) {
  return CorruptValue(handles.path, Cf::kLayers, key, problem);
}

Status GetLayer(const DbHandles& handles, std::string_view key, std::string* value, bool* found) {
  rocksdb::Status status = handles.db->Get(rocksdb::ReadOptions(), handles.family(Cf::kLayers),
                                           rocksdb::Slice(key.data(), key.size()), value);
  *found = status.ok();
  if (status.IsNotFound()) return Status::Ok();
  return FromRocks(status, handles.path + ": reading " + DescribeKey(Cf::kLayers, key));
}

Status Refuse(const DbHandles& handles, const std::string& what, const std::string& sent,
              const std::string& unsent) {
  return Status::InvalidInput(handles.path + ": MarkSent: " + what + ": sent " + sent +
                              " but only " + unsent + " is unsent; nothing was marked sent");
}

// Subtracts the sent edges of one caller from its unsent row.
Status MarkCallerSent(const DbHandles& handles, const BlobHash& caller,
                      const std::vector<RowEntry>& sent, WriteSink* batch) {
  std::string key = LayerKey(Layer::kUnsent, LayerKind::kEdges, &caller);
  std::string value;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetLayer(handles, key, &value, &found));
  std::vector<RowEntry> row;
  if (found) {
    if (auto problem = DecodeRow(value, &row))
      return Corrupt(handles, key, "unsent row: " + *problem);
  }
  size_t r = 0;
  for (const RowEntry& entry : sent) {
    while (r < row.size() && row[r].callee < entry.callee) ++r;
    RowEntry* unsent = r < row.size() && row[r].callee == entry.callee ? &row[r] : nullptr;
    uint64_t unsent_static = unsent ? unsent->static_count : 0;
    uint64_t unsent_dynamic = unsent ? unsent->dynamic_count : 0;
    if (entry.static_count > unsent_static || entry.dynamic_count > unsent_dynamic) {
      return Refuse(
          handles, DescribeEdge(caller, entry.callee),
          "static " + std::to_string(entry.static_count) + " dynamic " +
              std::to_string(entry.dynamic_count),
          "static " + std::to_string(unsent_static) + " dynamic " + std::to_string(unsent_dynamic));
    }
    unsent->static_count -= entry.static_count;
    unsent->dynamic_count -= entry.dynamic_count;
  }
  std::erase_if(row, [](const RowEntry& e) { return e.static_count == 0 && e.dynamic_count == 0; });
  if (row.empty()) return found ? batch->Delete(Cf::kLayers, key) : Status::Ok();
  EncodeRow(row, &value);
  return batch->Put(Cf::kLayers, key, value);
}

// Subtracts `sent` from the varint record at `key`; `what` names it.
Status MarkVarintsSent(const DbHandles& handles, const std::string& key, const uint64_t* sent,
                       size_t count, const std::string& what, WriteSink* batch) {
  std::string value;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetLayer(handles, key, &value, &found));
  uint64_t unsent[2] = {0, 0};
  if (found && !DecodeVarints(value, unsent, count)) {
    return Corrupt(handles, key, "unsent record does not decode");
  }
  for (size_t i = 0; i < count; ++i) {
    if (sent[i] > unsent[i]) {
      return Refuse(handles, what, std::to_string(sent[i]) + " (field " + std::to_string(i) + ")",
                    std::to_string(unsent[i]));
    }
    unsent[i] -= sent[i];
  }
  if (std::all_of(unsent, unsent + count, [](uint64_t v) { return v == 0; })) {
    return found ? batch->Delete(Cf::kLayers, key) : Status::Ok();
  }
  EncodeVarints(unsent, count, &value);
  return batch->Put(Cf::kLayers, key, value);
}

}  // namespace

Result<GraphUpdate> ReadUnsent(const DbHandles& handles) {
  return ReadOwnLayer(handles, Layer::kUnsent);
}

Result<GraphUpdate> ReadOwnLayer(const DbHandles& handles, Layer layer) {
  const std::string what = layer == Layer::kOutgoing ? "outgoing" : "unsent";
  GraphUpdate unsent;
  if (handles.family(Cf::kLayers) == nullptr) return unsent;
  rocksdb::ManagedSnapshot snapshot(handles.db);
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.snapshot();
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(read, handles.family(Cf::kLayers)));
  std::string prefix(1, static_cast<char>(layer));
  std::vector<RowEntry> row;
  std::vector<BlobHash> mentioned;
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    std::string_view key = View(it->key());
    char kind = key.size() > 1 ? key[1] : 0;
    bool hashed = key.size() == kLayerKeyPrefix + BlobHash::kSize;
    BlobHash hash = hashed ? BlobHash::FromBytes(key.data() + kLayerKeyPrefix) : BlobHash();
    if (kind == static_cast<char>(LayerKind::kEdges) && hashed) {
      if (auto problem = DecodeRow(View(it->value()), &row)) {
        return Corrupt(handles, key, what + " row: " + *problem);
      }
      mentioned.push_back(hash);
      for (const RowEntry& entry : row) {
        unsent.edges.push_back({hash, entry.callee, entry.static_count, entry.dynamic_count});
        mentioned.push_back(entry.callee);
      }
    } else if (kind == static_cast<char>(LayerKind::kFunction) && hashed) {
      unsent.functions.push_back(hash);
      mentioned.push_back(hash);
    } else if (kind == static_cast<char>(LayerKind::kLoad) && hashed) {
      uint64_t values[2];
      if (!DecodeVarints(View(it->value()), values, 2)) {
        return Corrupt(handles, key, what + " load record does not decode");
      }
      unsent.loads.push_back({hash, values[0], values[1]});
      mentioned.push_back(hash);
    } else if (kind == static_cast<char>(LayerKind::kRunWeight) && key.size() == kLayerKeyPrefix) {
      if (!DecodeVarints(View(it->value()), &unsent.run_weight, 1)) {
        return Corrupt(handles, key, what + " run weight does not decode");
      }
    } else if (layer == Layer::kOutgoing && kind == static_cast<char>(LayerKind::kOutgoingInfo) &&
               key.size() == kLayerKeyPrefix) {
      ProfileInfo info;
      if (!DecodeOutgoingInfo(View(it->value()), &info)) {
        return Corrupt(handles, key, "outgoing batch id record does not decode");
      }
      unsent.profile = std::move(info);
    } else {
      return Corrupt(handles, key, "not an " + what + "-layer record");
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(
      FromRocks(it->status(), handles.path + ": scanning the " + what + " layer"));
  std::sort(mentioned.begin(), mentioned.end());
  mentioned.erase(std::unique(mentioned.begin(), mentioned.end()), mentioned.end());
  std::string name;
  for (const BlobHash& hash : mentioned) {
    rocksdb::Status got = handles.db->Get(
        read, handles.family(Cf::kNames),
        rocksdb::Slice(reinterpret_cast<const char*>(hash.data()), BlobHash::kSize), &name);
    if (got.IsNotFound()) continue;
    BLOBGRAPH_RETURN_IF_ERROR(
        FromRocks(got, handles.path + ": reading " + DescribeKey(Cf::kNames, HashKey(hash))));
    unsent.names.emplace_back(hash, name);
  }
  return unsent;
}

Status EmitMarkSent(const DbHandles& handles, const GraphUpdate& sent, WriteSink* batch) {
  // Sorted by caller and callee (what Unsent returns is already: the sort
  // is a check), repeats summed as Apply sums them. A vector, not a map:
  // a first export after a bulk import marks millions of edges.
  auto by_edge = [](const EdgeDelta& x, const EdgeDelta& y) {
    if (auto c = x.caller <=> y.caller; std::is_neq(c)) return std::is_lt(c);
    return x.callee < y.callee;
  };
  std::vector<EdgeDelta> sorted;
  const std::vector<EdgeDelta>* view = &sent.edges;
  if (!std::is_sorted(sent.edges.begin(), sent.edges.end(), by_edge)) {
    sorted = sent.edges;
    std::sort(sorted.begin(), sorted.end(), by_edge);
    view = &sorted;
  }
  const std::vector<EdgeDelta>& edges = *view;
  std::vector<RowEntry> group;
  for (size_t i = 0; i < edges.size();) {
    const BlobHash caller = edges[i].caller;
    group.clear();
    for (; i < edges.size() && edges[i].caller == caller; ++i) {
      const EdgeDelta& edge = edges[i];
      if (group.empty() || group.back().callee != edge.callee) {
        group.push_back({edge.callee, 0, 0});
      }
      RowEntry& entry = group.back();
      if (!CheckedAdd(entry.static_count, edge.static_count, &entry.static_count) ||
          !CheckedAdd(entry.dynamic_count, edge.dynamic_count, &entry.dynamic_count)) {
        return Status::InvalidInput(handles.path +
                                    ": MarkSent: " + DescribeEdge(edge.caller, edge.callee) +
                                    ": counts sum past 2^64 - 1; nothing was marked sent");
      }
    }
    BLOBGRAPH_RETURN_IF_ERROR(MarkCallerSent(handles, caller, group, batch));
  }
  std::vector<BlobHash> functions = sent.functions;
  std::sort(functions.begin(), functions.end());
  functions.erase(std::unique(functions.begin(), functions.end()), functions.end());
  for (const BlobHash& function : functions) {
    std::string key = LayerKey(Layer::kUnsent, LayerKind::kFunction, &function), value;
    bool found = false;
    BLOBGRAPH_RETURN_IF_ERROR(GetLayer(handles, key, &value, &found));
    if (!found) {
      return Status::InvalidInput(handles.path + ": MarkSent: declared function " +
                                  function.ToHex() + " is not unsent; nothing was marked sent");
    }
    BLOBGRAPH_RETURN_IF_ERROR(batch->Delete(Cf::kLayers, key));
  }
  std::map<BlobHash, std::array<uint64_t, 2>> loads;
  for (const LoadWeights& load : sent.loads) {
    auto& sum = loads[load.hash];
    if (!CheckedAdd(sum[0], load.run_weight, &sum[0]) ||
        !CheckedAdd(sum[1], load.position_weight, &sum[1])) {
      return Status::InvalidInput(handles.path + ": MarkSent: load record of " + load.hash.ToHex() +
                                  ": sums past 2^64 - 1");
    }
  }
  for (const auto& [hash, sum] : loads) {
    BLOBGRAPH_RETURN_IF_ERROR(
        MarkVarintsSent(handles, LayerKey(Layer::kUnsent, LayerKind::kLoad, &hash), sum.data(), 2,
                        "load record of " + hash.ToHex(), batch));
  }
  if (sent.run_weight != 0) {
    BLOBGRAPH_RETURN_IF_ERROR(MarkVarintsSent(handles,
                                              LayerKey(Layer::kUnsent, LayerKind::kRunWeight),
                                              &sent.run_weight, 1, "run weight", batch));
  }
  return Status::Ok();
}

}  // namespace blobgraph::storage
