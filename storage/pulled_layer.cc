// The pulled layer (layers.h): removal before a refresh, ageing, and the
// checks Verify runs over both layers.
#include <algorithm>
#include <memory>

#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/layers.h"
#include "storage/rocks_status.h"
#include "storage/total_checks.h"

namespace blobgraph::storage {
namespace {

bool StartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

// The hash after a layer key's two prefix bytes; false if the key is not 34 bytes.
bool LayerKeyHash(std::string_view key, BlobHash* hash) {
  if (key.size() != kLayerKeyPrefix + BlobHash::kSize) return false;
  *hash = BlobHash::FromBytes(key.data() + kLayerKeyPrefix);
  return true;
}

Status Get(const DbHandles& handles, const rocksdb::Snapshot* snapshot, Cf cf, std::string_view key,
           std::string* value, bool* found) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  rocksdb::Status status =
      handles.db->Get(read, handles.family(cf), rocksdb::Slice(key.data(), key.size()), value);
  *found = status.ok();
  if (status.IsNotFound()) return Status::Ok();
  return FromRocks(status, handles.path + ": reading " + DescribeKey(cf, key));
}

uint64_t SubtractClamped(uint64_t value, uint64_t taken) {
  return value > taken ? value - taken : 0;
}

// Reads a varint vector record (absent: zeros) for read-modify-write.
Status GetVarints(const DbHandles& handles, const rocksdb::Snapshot* snapshot, Cf cf,
                  std::string_view key, uint64_t* values, size_t count, bool* found) {
  std::string value;
  BLOBGRAPH_RETURN_IF_ERROR(Get(handles, snapshot, cf, key, &value, found));
  std::fill(values, values + count, 0);
  if (*found && !DecodeVarints(value, values, count)) {
    return CorruptValue(handles.path, cf, key, "record does not decode");
  }
  return Status::Ok();
}

// One pulled edge entry and the graph's row for the same caller (absent row:
// empty, *found false), both decoded; the removal and the ageing both start here.
Status ReadPulledEdge(const DbHandles& handles, const rocksdb::Snapshot* snapshot,
                      const rocksdb::Iterator& it, BlobHash* hash, std::vector<RowEntry>* pulled,
                      std::vector<RowEntry>* row, std::string* value, bool* found) {
  std::string_view key = View(it.key());
  if (!LayerKeyHash(key, hash)) return CorruptValue(handles.path, Cf::kLayers, key, "bad key");
  if (auto problem = DecodeRow(View(it.value()), pulled)) {
    return CorruptValue(handles.path, Cf::kLayers, key, "pulled edge row: " + *problem);
  }
  BLOBGRAPH_RETURN_IF_ERROR(Get(handles, snapshot, Cf::kEdges, HashKey(*hash), value, found));
  row->clear();
  if (*found) {
    if (auto problem = DecodeRow(*value, row)) {
      return CorruptValue(handles.path, Cf::kEdges, HashKey(*hash), "edge row: " + *problem);
    }
  }
  return Status::Ok();
}

// The graph's row minus the pulled entries (dynamic counts only; an entry
// left with no count goes, and its callee loses a caller).
void SubtractRow(const std::vector<RowEntry>& pulled, std::vector<RowEntry>* row,
                 std::unordered_map<BlobHash, NodeDelta>* node_removed, uint64_t* dynamic_removed) {
  size_t kept = 0, p = 0;
  for (size_t i = 0; i < row->size(); ++i) {
    RowEntry entry = (*row)[i];
    while (p < pulled.size() && pulled[p].callee < entry.callee) ++p;
    if (p < pulled.size() && pulled[p].callee == entry.callee) {
      uint64_t taken = std::min(pulled[p].dynamic_count, entry.dynamic_count);
      entry.dynamic_count -= taken;
      *dynamic_removed = SaturatingAdd(*dynamic_removed, taken);
      NodeDelta& node = (*node_removed)[entry.callee];
      node.in_dynamic = SaturatingAdd(node.in_dynamic, taken);
      if (entry.static_count == 0 && entry.dynamic_count == 0) {
        ++node.callers;
        continue;
      }
    }
    (*row)[kept++] = entry;
  }
  row->resize(kept);
}

}  // namespace

Status HasPulledLayer(const DbHandles& handles, bool* any) {
  *any = false;
  if (handles.family(Cf::kLayers) == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(
      handles.db->NewIterator(rocksdb::ReadOptions(), handles.family(Cf::kLayers)));
  std::string prefix(1, static_cast<char>(Layer::kPulled));
  it->Seek(prefix);
  *any = it->Valid() && StartsWith(it->key(), prefix);
  return FromRocks(it->status(), handles.path + ": scanning layers");
}

Status EmitPulledRemoval(const DbHandles& handles, WriteSink* batch, RowOverlay* overlay) {
  std::unordered_map<BlobHash, NodeDelta> node_removed;
  uint64_t dynamic_removed = 0, runs_removed = 0;
  std::vector<RowEntry> pulled, row;
  std::string value, encoded;
  std::string prefix(1, static_cast<char>(Layer::kPulled));
  std::unique_ptr<rocksdb::Iterator> it(
      handles.db->NewIterator(rocksdb::ReadOptions(), handles.family(Cf::kLayers)));
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    std::string_view key = View(it->key());
    BlobHash hash;
    char kind = key.size() > 1 ? key[1] : 0;
    if (kind == static_cast<char>(LayerKind::kEdges)) {
      bool found = false;
      BLOBGRAPH_RETURN_IF_ERROR(
          ReadPulledEdge(handles, nullptr, *it, &hash, &pulled, &row, &value, &found));
      SubtractRow(pulled, &row, &node_removed, &dynamic_removed);
      if (row.empty()) {
        if (found) BLOBGRAPH_RETURN_IF_ERROR(batch->Delete(Cf::kEdges, HashKey(hash)));
        (*overlay)[hash] = std::nullopt;
      } else {
        EncodeRow(row, &encoded);
        BLOBGRAPH_RETURN_IF_ERROR(batch->Put(Cf::kEdges, HashKey(hash), encoded));
        (*overlay)[hash] = encoded;
      }
    } else if (kind == static_cast<char>(LayerKind::kLoad)) {
      uint64_t taken[2], load[2];
      if (!LayerKeyHash(key, &hash) || !DecodeVarints(View(it->value()), taken, 2)) {
        return CorruptValue(handles.path, Cf::kLayers, key, "pulled load record does not decode");
      }
      bool found = false;
      BLOBGRAPH_RETURN_IF_ERROR(
          GetVarints(handles, nullptr, Cf::kLoads, HashKey(hash), load, 2, &found));
      load[0] = SubtractClamped(load[0], taken[0]);
      load[1] = SubtractClamped(load[1], taken[1]);
      if (load[0] == 0) {  // as Decay: a record with no run weight goes
        if (found) BLOBGRAPH_RETURN_IF_ERROR(batch->Delete(Cf::kLoads, HashKey(hash)));
      } else {
        EncodeVarints(load, 2, &encoded);
        BLOBGRAPH_RETURN_IF_ERROR(batch->Put(Cf::kLoads, HashKey(hash), encoded));
      }
    } else if (kind == static_cast<char>(LayerKind::kRunWeight) && key.size() == kLayerKeyPrefix) {
      if (!DecodeVarints(View(it->value()), &runs_removed, 1)) {
        return CorruptValue(handles.path, Cf::kLayers, key, "pulled run weight does not decode");
      }
    } else {
      return CorruptValue(handles.path, Cf::kLayers, key, "not a pulled-layer record");
    }
    BLOBGRAPH_RETURN_IF_ERROR(batch->Delete(Cf::kLayers, key));
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), handles.path + ": scanning the pulled layer"));

  for (const auto& [hash, removed] : node_removed) {
    // All fields, the retraction's reference counts too: they pass through.
    uint64_t node[kNodeFields] = {};
    bool found = false;
    BLOBGRAPH_RETURN_IF_ERROR(
        GetVarints(handles, nullptr, Cf::kNodes, HashKey(hash), node, kNodeFields, &found));
    if (!found) continue;  // every callee has one; nothing to take from a missing one
    node[1] = SubtractClamped(node[1], removed.in_dynamic);
    node[2] = SubtractClamped(node[2], removed.callers);
    EncodeVarints(node, (node[3] | node[4]) == 0 ? 3 : kNodeFields, &encoded);
    BLOBGRAPH_RETURN_IF_ERROR(batch->Put(Cf::kNodes, HashKey(hash), encoded));
  }
  if (runs_removed != 0) {
    uint64_t runs = 0;
    bool found = false;
    BLOBGRAPH_RETURN_IF_ERROR(GetVarints(handles, nullptr, Cf::kMeta, kRunsKey, &runs, 1, &found));
    runs = SubtractClamped(runs, runs_removed);
    EncodeVarints(&runs, 1, &encoded);
    BLOBGRAPH_RETURN_IF_ERROR(batch->Put(Cf::kMeta, kRunsKey, encoded));
  }
  if (dynamic_removed != 0) {
    uint64_t totals[2];
    bool found = false;
    BLOBGRAPH_RETURN_IF_ERROR(
        GetVarints(handles, nullptr, Cf::kMeta, kTotalsKey, totals, 2, &found));
    // Saturated totals (a store past 2^64) stay an upper bound.
    if (totals[1] != kMaxCount) totals[1] = SubtractClamped(totals[1], dynamic_removed);
    EncodeVarints(totals, 2, &encoded);
    BLOBGRAPH_RETURN_IF_ERROR(batch->Put(Cf::kMeta, kTotalsKey, encoded));
  }
  return Status::Ok();
}

Status EmitPulledDecay(const DbHandles& handles, const rocksdb::Snapshot* snapshot, double factor,
                       uint64_t drop_below, WriteSink* sink) {
  if (handles.family(Cf::kLayers) == nullptr) return Status::Ok();
  std::vector<RowEntry> pulled, row, kept;
  std::string value, encoded;
  std::string prefix(1, static_cast<char>(Layer::kPulled));
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(read, handles.family(Cf::kLayers)));
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    std::string_view key = View(it->key());
    BlobHash hash;
    char kind = key.size() > 1 ? key[1] : 0;
    if (kind == static_cast<char>(LayerKind::kEdges)) {
      bool found = false;
      BLOBGRAPH_RETURN_IF_ERROR(
          ReadPulledEdge(handles, snapshot, *it, &hash, &pulled, &row, &value, &found));
      kept.clear();
      size_t g = 0;
      for (const RowEntry& entry : pulled) {
        while (g < row.size() && row[g].callee < entry.callee) ++g;
        // What the graph's decay leaves of this edge (0 if it drops it).
        uint64_t graph_after = 0;
        if (g < row.size() && row[g].callee == entry.callee) {
          graph_after = ScaleDown(row[g].dynamic_count, factor);
          if (row[g].static_count == 0 && graph_after < drop_below) graph_after = 0;
        }
        uint64_t scaled = std::min(ScaleDown(entry.dynamic_count, factor), graph_after);
        if (scaled != 0) kept.push_back({entry.callee, 0, scaled});
      }
      if (kept.empty()) {
        BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kLayers, key));
      } else {
        EncodeRow(kept, &encoded);
        BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kLayers, key, encoded));
      }
      continue;
    }
    bool load = kind == static_cast<char>(LayerKind::kLoad);
    uint64_t values[2];
    if (!(load ? LayerKeyHash(key, &hash) : kind == static_cast<char>(LayerKind::kRunWeight)) ||
        !DecodeVarints(View(it->value()), values, load ? 2 : 1)) {
      return CorruptValue(handles.path, Cf::kLayers, key, "pulled-layer record does not decode");
    }
    values[0] = ScaleDown(values[0], factor);
    if (load) values[1] = ScaleDown(values[1], factor);
    if (values[0] == 0) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kLayers, key));
    } else {
      EncodeVarints(values, load ? 2 : 1, &encoded);
      BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kLayers, key, encoded));
    }
  }
  return FromRocks(it->status(), handles.path + ": decay: scanning the pulled layer");
}

Status CountLayerEdges(const DbHandles& handles, Layer layer, const rocksdb::Snapshot* snapshot,
                       uint64_t* edges) {
  *edges = 0;
  if (handles.family(Cf::kLayers) == nullptr) return Status::Ok();
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.fill_cache = false;  // a scan: keep the point-lookup working set
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(read, handles.family(Cf::kLayers)));
  std::string prefix = LayerPrefix(layer, LayerKind::kEdges);
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    RowReader reader(View(it->value()));
    uint64_t count = 0;
    if (!reader.Start(&count)) {
      return CorruptValue(handles.path, Cf::kLayers, View(it->key()),
                          "layer edge row: bad entry count");
    }
    *edges = SaturatingAdd(*edges, count);
  }
  return FromRocks(it->status(), handles.path + ": scanning layers");
}

Status VerifyLayers(const DbHandles& handles, std::vector<std::string>* problems) {
  if (handles.family(Cf::kLayers) == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(
      handles.db->NewIterator(rocksdb::ReadOptions(), handles.family(Cf::kLayers)));
  std::vector<RowEntry> entries, row;
  std::string value;
  auto report = [&](std::string_view key, const std::string& problem) {
    problems->push_back(DescribeKey(Cf::kLayers, key) + ": " + problem);
  };
  bool outgoing_records = false, outgoing_id = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = View(it->key());
    BlobHash hash;
    char layer = key.empty() ? 0 : key[0];
    char kind = key.size() > 1 ? key[1] : 0;
    bool pulled = layer == static_cast<char>(Layer::kPulled);
    bool outgoing = layer == static_cast<char>(Layer::kOutgoing);
    if (!pulled && !outgoing && layer != static_cast<char>(Layer::kUnsent)) {
      report(key, "not a layer key (first byte is not 'O', 'P' or 'U')");
      continue;
    }
    if (outgoing) {
      outgoing_records = true;
      if (kind == static_cast<char>(LayerKind::kOutgoingInfo)) {
        ProfileInfo info;
        if (key.size() != kLayerKeyPrefix || !DecodeOutgoingInfo(View(it->value()), &info)) {
          report(key, "outgoing batch id record does not decode");
        }
        outgoing_id = true;
        continue;
      }
    }
    if (kind == static_cast<char>(LayerKind::kEdges)) {
      if (!LayerKeyHash(key, &hash)) {
        report(key, "layer edge key is not 34 bytes");
        continue;
      }
      if (auto problem = DecodeRow(View(it->value()), &entries)) {
        report(key, "layer edge row does not decode: " + *problem);
        continue;
      }
      if (!pulled) continue;
      bool found = false;
      BLOBGRAPH_RETURN_IF_ERROR(Get(handles, nullptr, Cf::kEdges, HashKey(hash), &value, &found));
      row.clear();
      if (found && DecodeRow(value, &row)) continue;  // the edges check reports that row
      size_t g = 0;
      for (const RowEntry& entry : entries) {
        while (g < row.size() && row[g].callee < entry.callee) ++g;
        uint64_t graph = g < row.size() && row[g].callee == entry.callee ? row[g].dynamic_count : 0;
        if (entry.static_count != 0 || entry.dynamic_count > graph) {
          report(key, "pulled edge " + hash.ToHex() + " -> " + entry.callee.ToHex() +
                          ": pulled dynamic " + std::to_string(entry.dynamic_count) + " static " +
                          std::to_string(entry.static_count) + ", the graph holds dynamic " +
                          std::to_string(graph) + " (a pulled layer never exceeds the graph)");
        }
      }
    } else if (kind == static_cast<char>(LayerKind::kFunction)) {
      if (pulled || !LayerKeyHash(key, &hash) || !it->value().empty()) {
        report(key, "bad declared-function record");
      }
    } else if (kind == static_cast<char>(LayerKind::kLoad) ||
               kind == static_cast<char>(LayerKind::kRunWeight)) {
      bool load = kind == static_cast<char>(LayerKind::kLoad);
      uint64_t values[2];
      if ((load ? !LayerKeyHash(key, &hash) : key.size() != kLayerKeyPrefix) ||
          !DecodeVarints(View(it->value()), values, load ? 2 : 1)) {
        report(key, "layer load record does not decode");
        continue;
      }
      if (!pulled) continue;
      uint64_t graph[2];
      bool found = false;
      Status read = load ? GetVarints(handles, nullptr, Cf::kLoads, HashKey(hash), graph, 2, &found)
                         : GetVarints(handles, nullptr, Cf::kMeta, kRunsKey, graph, 1, &found);
      if (!read.ok()) continue;  // reported by the loads / meta checks
      if (values[0] > graph[0] || (load && values[1] > graph[1])) {
        report(key, std::string("pulled ") + (load ? "load record" : "run weight") +
                        " exceeds the graph's (pulled " + std::to_string(values[0]) + ", graph " +
                        std::to_string(graph[0]) + ")");
      }
    } else {
      report(key, "unknown layer record kind");
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), handles.path + ": verifying layers"));
  if (outgoing_records && !outgoing_id) {
    problems->push_back(std::string(CfName(Cf::kLayers)) +
                        ": outgoing records without the batch id record ('O','i')");
  }
  return Status::Ok();
}

}  // namespace blobgraph::storage
