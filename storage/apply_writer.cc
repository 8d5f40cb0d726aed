#include "storage/apply_writer.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "storage/corrupt_value.h"
#include "storage/edge_waste.h"
#include "storage/count_math.h"
#include "storage/key_layout.h"
#include "storage/profile_records.h"
#include "storage/rocks_status.h"
#include "storage/row_plan.h"
#include "storage/total_checks.h"

namespace blobgraph::storage {
namespace {

// The first 8 bytes of `hash` as a number that orders like the hash.
uint64_t Prefix(const BlobHash& hash) {
  uint64_t value;
  std::memcpy(&value, hash.data(), sizeof(value));
  return __builtin_bswap64(value);
}

// Open-addressing map hash -> NodeDelta. A bulk import touches it once per
// edge; std::unordered_map's node allocations and chained lookups were the
// largest cost of Apply() after compression.
class NodeDeltas {
 public:
  NodeDeltas() : slots_(1024) {}

  NodeDelta& operator[](const BlobHash& key) {
    if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
    return Find(key);
  }

  // Starts loading the slot `key` probes first: a large map misses the
  // cache on nearly every lookup, and a group of callees can miss together.
  void Prefetch(const BlobHash& key) const {
    __builtin_prefetch(&slots_[key.Fingerprint() & (slots_.size() - 1)]);
  }

  // The entries sorted by hash (the order SST files need).
  std::vector<std::pair<BlobHash, NodeDelta>> Sorted() const {
    std::vector<std::pair<BlobHash, NodeDelta>> sorted;
    sorted.reserve(size_);
    for (const Slot& slot : slots_) {
      if (slot.used) sorted.emplace_back(slot.key, slot.delta);
    }
    // Big-endian 8-byte prefixes order like the hashes; only ties (rare
    // among uniform hashes) need the full compare.
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      uint64_t x = Prefix(a.first), y = Prefix(b.first);
      return x != y ? x < y : a.first < b.first;
    });
    return sorted;
  }

 private:
  struct Slot {
    BlobHash key;
    NodeDelta delta;
    bool used = false;
  };

  NodeDelta& Find(const BlobHash& key) {
    size_t mask = slots_.size() - 1;
    // SHA-256 bytes are uniform: the first 8 are a good hash already.
    for (size_t i = key.Fingerprint() & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.used = true;
        slot.key = key;
        ++size_;
        return slot.delta;
      }
      if (slot.key == key) return slot.delta;
    }
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.used) Find(slot.key) = slot.delta;
    }
  }

  std::vector<Slot> slots_;  // size is a power of two
  size_t size_ = 0;
};

// Sorting 24-byte keys (big-endian hash prefixes) instead of indices into
// the 80-byte EdgeDelta array keeps the sort in cache; full hashes break the
// rare prefix ties.
struct SortKey {
  uint64_t caller_prefix;
  uint64_t callee_prefix;
  uint32_t index;
};

std::vector<uint32_t> SortedEdgeOrder(const std::vector<EdgeDelta>& edges, NodeDeltas* nodes) {
  std::vector<SortKey> keys;
  keys.reserve(edges.size());
  for (uint32_t i = 0; i < edges.size(); ++i) {
    const EdgeDelta& edge = edges[i];
    if (edge.static_count == 0 && edge.dynamic_count == 0) {
      // Adds no edge, but both ends are functions the store should know.
      (*nodes)[edge.caller];
      (*nodes)[edge.callee];
      continue;
    }
    keys.push_back({Prefix(edge.caller), Prefix(edge.callee), i});
  }
  std::sort(keys.begin(), keys.end(), [&edges](const SortKey& a, const SortKey& b) {
    if (a.caller_prefix != b.caller_prefix) return a.caller_prefix < b.caller_prefix;
    const EdgeDelta& x = edges[a.index];
    const EdgeDelta& y = edges[b.index];
    if (auto c = x.caller <=> y.caller; c != 0) return c < 0;
    if (a.callee_prefix != b.callee_prefix) return a.callee_prefix < b.callee_prefix;
    return x.callee < y.callee;
  });
  std::vector<uint32_t> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].index;
  return order;
}

// Reads the current edge rows of a chunk of callers with one batched
// MultiGet (sorted keys let RocksDB share index and filter work across them;
// cheaper than an iterator Seek per caller, which positions every level).
class ExistingRows {
 public:
  ExistingRows(const DbHandles& handles, const RowOverlay* overlay)
      : handles_(handles), overlay_(overlay) {}

  // REQUIRES: `callers` ascending. Afterwards Row(i) is the i-th caller's row.
  Status Fetch(const std::vector<rocksdb::Slice>& callers) {
    values_.clear();
    values_.resize(callers.size());
    statuses_.assign(callers.size(), rocksdb::Status());
    handles_.db->MultiGet(rocksdb::ReadOptions(), handles_.family(Cf::kEdges), callers.size(),
                          callers.data(), values_.data(), statuses_.data(),
                          /*sorted_input=*/true);
    for (size_t i = 0; i < callers.size(); ++i) {
      if (!statuses_[i].ok() && !statuses_[i].IsNotFound()) {
        return FromRocks(statuses_[i], handles_.path + ": reading " +
                                           DescribeKey(Cf::kEdges, View(callers[i])));
      }
      if (overlay_ == nullptr) continue;
      // A refresh rewrote this row in the same batch: plan against that.
      auto recomputed = overlay_->find(BlobHash::FromBytes(callers[i].data()));
      if (recomputed == overlay_->end()) continue;
      if (!recomputed->second) {
        statuses_[i] = rocksdb::Status::NotFound();
        values_[i].Reset();
      } else {
        values_[i].PinSelf(*recomputed->second);
        statuses_[i] = rocksdb::Status::OK();
      }
    }
    return Status::Ok();
  }
  bool Found(size_t i) const { return statuses_[i].ok(); }
  // Points into this object; valid until the next Fetch().
  std::string_view Row(size_t i) const { return {values_[i].data(), values_[i].size()}; }

 private:
  const DbHandles& handles_;
  const RowOverlay* overlay_;
  std::vector<rocksdb::PinnableSlice> values_;
  std::vector<rocksdb::Status> statuses_;
};

// Adds the caller's planned entries to the node deltas (+1 caller for each
// callee new to the row). Sums over the update's callers are checked here;
// the stored totals they add to are checked by CheckNodeTotals.
Status AddNodeDeltas(const std::string& path, const BlobHash& caller,
                     const std::vector<RowEntry>& entries, const std::vector<uint8_t>& new_callee,
                     NodeDeltas* nodes) {
  for (const RowEntry& entry : entries) nodes->Prefetch(entry.callee);
  for (size_t i = 0; i < entries.size(); ++i) {
    const RowEntry& entry = entries[i];
    NodeDelta& delta = (*nodes)[entry.callee];
    if (!CheckedAdd(delta.in_static, entry.static_count, &delta.in_static) ||
        !CheckedAdd(delta.in_dynamic, entry.dynamic_count, &delta.in_dynamic)) {
      return Status::InvalidInput(path + ": function " + entry.callee.ToHex() +
                                  ": the update's calls into it would sum past 2^64 - 1 (at " +
                                  DescribeEdge(caller, entry.callee) +
                                  "); nothing of this update was applied");
    }
    delta.callers += new_callee[i];
  }
  return Status::Ok();
}

// Sums the update's repeats of one edge; refuses a sum past 2^64 - 1.
Status AddRepeat(const std::string& path, const EdgeDelta& edge, RowEntry* entry) {
  if (CheckedAdd(entry->static_count, edge.static_count, &entry->static_count) &&
      CheckedAdd(entry->dynamic_count, edge.dynamic_count, &entry->dynamic_count)) {
    return Status::Ok();
  }
  return Status::InvalidInput(path + ": " + DescribeEdge(edge.caller, edge.callee) +
                              ": the update's counts for it sum past 2^64 - 1; nothing of this "
                              "update was applied");
}

// `*added` gets the sums of what the edge operands add (saturating; for the
// store-wide totals, see total_checks.h).
// What the caller's planned increments add to `layer`: all of them for the
// unsent layer; the dynamic counts alone for the pulled one.
Status EmitLayerRow(const LayerTarget& layer, const BlobHash& caller,
                    const std::vector<RowEntry>& entries, WriteSink* sink) {
  if (!layer.layer) return Status::Ok();
  std::string encoded;
  if (*layer.layer == Layer::kPulled) {
    std::vector<RowEntry> dynamic;
    for (const RowEntry& entry : entries) {
      if (entry.dynamic_count != 0) dynamic.push_back({entry.callee, 0, entry.dynamic_count});
    }
    if (dynamic.empty()) return Status::Ok();
    EncodeRow(dynamic, &encoded);
  } else {
    EncodeRow(entries, &encoded);
  }
  return sink->Merge(Cf::kLayers, LayerKey(*layer.layer, LayerKind::kEdges, &caller), encoded);
}

Status EmitEdges(const DbHandles& handles, const std::vector<EdgeDelta>& edges, WriteSink* sink,
                 NodeDeltas* nodes, StoreTotals* added, const LayerTarget& layer) {
  if (edges.size() >= (uint64_t{1} << 32)) {
    return Status::InvalidInput("update has " + std::to_string(edges.size()) +
                                " edges; split it below 2^32");
  }
  constexpr size_t kChunkCallers = 1024;
  constexpr size_t kPrefetchAhead = 16;
  std::vector<uint32_t> order = SortedEdgeOrder(edges, nodes);
  ExistingRows existing(handles, layer.overlay);
  std::vector<size_t> group_starts;  // into `order`, one per caller of the chunk
  std::vector<rocksdb::Slice> keys;
  std::vector<RowEntry> entries;
  std::vector<uint8_t> new_callee;
  std::string encoded;
  for (size_t chunk_start = 0; chunk_start < order.size();) {
    group_starts.clear();
    keys.clear();
    size_t i = chunk_start;
    while (i < order.size() && group_starts.size() < kChunkCallers) {
      const BlobHash& caller = edges[order[i]].caller;
      group_starts.push_back(i);
      keys.emplace_back(reinterpret_cast<const char*>(caller.data()), BlobHash::kSize);
      while (i < order.size() && edges[order[i]].caller == caller) {
        // `order` jumps around a large array: fetch ahead of the compare.
        if (i + kPrefetchAhead < order.size()) {
          __builtin_prefetch(&edges[order[i + kPrefetchAhead]]);
        }
        ++i;
      }
    }
    group_starts.push_back(i);
    BLOBGRAPH_RETURN_IF_ERROR(existing.Fetch(keys));
    for (size_t g = 0; g + 1 < group_starts.size(); ++g) {
      const BlobHash& caller = edges[order[group_starts[g]]].caller;
      entries.clear();
      for (size_t k = group_starts[g]; k < group_starts[g + 1]; ++k) {
        const EdgeDelta& edge = edges[order[k]];
        if (!entries.empty() && entries.back().callee == edge.callee) {
          BLOBGRAPH_RETURN_IF_ERROR(AddRepeat(handles.path, edge, &entries.back()));
        } else {
          entries.push_back({edge.callee, edge.static_count, edge.dynamic_count});
        }
      }
      bool brings_static = std::any_of(entries.begin(), entries.end(),
                                       [](const RowEntry& e) { return e.static_count != 0; });
      // A repeated static list adds nothing to its callees, but mentions
      // them (Retract's reference counts): their node operands must exist.
      if (brings_static) {
        for (const RowEntry& entry : entries) (*nodes)[entry.callee];
      }
      BLOBGRAPH_RETURN_IF_ERROR(PlanCallerRow(handles.path, caller, existing.Row(g),
                                              existing.Found(g), &entries, &new_callee));
      BLOBGRAPH_RETURN_IF_ERROR(AddNodeDeltas(handles.path, caller, entries, new_callee, nodes));
      // The caller is a function too, and this update mentions it (and may
      // bring, or repeat, its static list): its reference counts for
      // Retract (key_layout.h, `nodes`) need the operand.
      (*nodes)[caller].static_refs = brings_static ? 1 : 0;
      if (entries.empty()) continue;  // a repeated static list: nothing to add
      for (const RowEntry& entry : entries) {
        added->static_total = SaturatingAdd(added->static_total, entry.static_count);
        added->dynamic_total = SaturatingAdd(added->dynamic_total, entry.dynamic_count);
      }
      EncodeRow(entries, &encoded);
      BLOBGRAPH_RETURN_IF_ERROR(sink->Merge(Cf::kEdges, HashKey(caller), encoded));
      BLOBGRAPH_RETURN_IF_ERROR(EmitLayerRow(layer, caller, entries, sink));
    }
    chunk_start = i;
  }
  return Status::Ok();
}

// `totals_fit`: the store-wide totals stay within 2^64 - 1 after the update,
// so no node total can overflow and the stored records need no read.
Status EmitNodes(const DbHandles& handles, const NodeDeltas& nodes, bool totals_fit,
                 WriteSink* sink) {
  std::vector<std::pair<BlobHash, NodeDelta>> sorted = nodes.Sorted();
  if (!totals_fit) BLOBGRAPH_RETURN_IF_ERROR(CheckNodeTotals(handles, sorted));
  std::string value;
  for (const auto& [hash, delta] : sorted) {
    // Every function in `nodes` is one this update mentions (mentions += 1).
    uint64_t values[kNodeFields] = {delta.in_static, delta.in_dynamic, delta.callers,
                                    delta.static_refs, 1};
    EncodeVarints(values, kNodeFields, &value);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Merge(Cf::kNodes, HashKey(hash), value));
  }
  return Status::Ok();
}

Status EmitNames(const std::vector<std::pair<BlobHash, std::string>>& names, WriteSink* sink) {
  std::vector<uint32_t> order(names.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&names](uint32_t a, uint32_t b) { return names[a].first < names[b].first; });
  for (size_t i = 0; i < order.size(); ++i) {
    // Of several names for one hash the last one given wins.
    if (i + 1 < order.size() && names[order[i + 1]].first == names[order[i]].first) continue;
    const auto& [hash, name] = names[order[i]];
    BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kNames, HashKey(hash), name));
  }
  return Status::Ok();
}

Status EmitRuns(const DbHandles& handles, const GraphUpdate& update, const LayerTarget& layer,
                WriteSink* sink) {
  const std::vector<std::vector<BlobHash>>& runs = update.runs;
  const std::vector<RunContinuation>& continuations = update.run_continuations;
  if (runs.empty() && continuations.empty() && update.loads.empty() && update.run_weight == 0) {
    return Status::Ok();
  }
  std::unordered_map<BlobHash, LoadDelta> loads;
  // One first load at `position` of its run, in fixed-point run weights
  // (key_layout.h, `loads`).
  auto add_load = [&](const BlobHash& hash, uint64_t position) {
    LoadDelta& load = loads[hash];
    uint64_t position_weight;
    if (!CheckedMul(position, kRunWeightUnit, &position_weight) ||
        !CheckedAdd(load.runs, kRunWeightUnit, &load.runs) ||
        !CheckedAdd(load.position_sum, position_weight, &load.position_sum)) {
      return Status::InvalidInput(handles.path + ": load record of " + hash.ToHex() +
                                  ": the update's positions sum past 2^64 - 1");
    }
    return Status::Ok();
  };
  for (const std::vector<BlobHash>& run : runs) {
    for (size_t position = 0; position < run.size(); ++position) {
      BLOBGRAPH_RETURN_IF_ERROR(add_load(run[position], position));
    }
  }
  // A continuation's loads count like a run's; its run was counted already
  // (by the update that brought the run's first part).
  for (const RunContinuation& part : continuations) {
    for (size_t i = 0; i < part.loads.size(); ++i) {
      uint64_t position;
      if (!CheckedAdd(part.first_position, i, &position)) {
        return Status::InvalidInput(handles.path + ": run continuation positions pass 2^64 - 1");
      }
      BLOBGRAPH_RETURN_IF_ERROR(add_load(part.loads[i], position));
    }
  }
  // Aggregated statistics (a profile's): already in fixed point.
  for (const LoadWeights& weights : update.loads) {
    LoadDelta& load = loads[weights.hash];
    if (!CheckedAdd(load.runs, weights.run_weight, &load.runs) ||
        !CheckedAdd(load.position_sum, weights.position_weight, &load.position_sum)) {
      return Status::InvalidInput(handles.path + ": load record of " + weights.hash.ToHex() +
                                  ": the update's run weights sum past 2^64 - 1");
    }
  }
  std::vector<std::pair<BlobHash, LoadDelta>> sorted(loads.begin(), loads.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  uint64_t run_weight;
  if (!CheckedMul(runs.size(), kRunWeightUnit, &run_weight) ||
      !CheckedAdd(run_weight, update.run_weight, &run_weight)) {
    return Status::InvalidInput(handles.path + ": update has too many runs (its run weight "
                                "passes 2^64 - 1)");
  }
  BLOBGRAPH_RETURN_IF_ERROR(CheckLoadTotals(handles, sorted, run_weight));
  std::string value;
  for (const auto& [hash, load] : sorted) {
    uint64_t values[2] = {load.runs, load.position_sum};
    EncodeVarints(values, 2, &value);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Merge(Cf::kLoads, HashKey(hash), value));
    if (layer.layer) {
      BLOBGRAPH_RETURN_IF_ERROR(
          sink->Merge(Cf::kLayers, LayerKey(*layer.layer, LayerKind::kLoad, &hash), value));
    }
  }
  if (run_weight == 0) return Status::Ok();  // continuations add loads, not runs
  EncodeVarints(&run_weight, 1, &value);
  if (layer.layer) {
    BLOBGRAPH_RETURN_IF_ERROR(
        sink->Merge(Cf::kLayers, LayerKey(*layer.layer, LayerKind::kRunWeight), value));
  }
  return sink->Merge(Cf::kMeta, kRunsKey, value);
}

// The unsent layer keeps the declared functions (sorted, once each: the
// key order an ingested SST needs). A pull's are not kept: a declared
// function is never taken out of the graph.
Status EmitDeclaredFunctions(const std::vector<BlobHash>& functions, const LayerTarget& layer,
                             WriteSink* sink) {
  if (layer.layer != Layer::kUnsent || functions.empty()) return Status::Ok();
  std::vector<BlobHash> sorted = functions;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const BlobHash& function : sorted) {
    BLOBGRAPH_RETURN_IF_ERROR(
        sink->Put(Cf::kLayers, LayerKey(Layer::kUnsent, LayerKind::kFunction, &function), ""));
  }
  return Status::Ok();
}

Status EmitStoreTotals(const StoreTotals& added, WriteSink* sink) {
  if ((added.static_total | added.dynamic_total) == 0) return Status::Ok();
  uint64_t values[2] = {added.static_total, added.dynamic_total};
  std::string value;
  EncodeVarints(values, 2, &value);
  return sink->Merge(Cf::kMeta, kTotalsKey, value);
}

// Meta keys are written in key order ("feedback" < "runs" < "totals"): an ingested
// SST file takes each column family's keys ascending.
Status EmitFeedback(const DbHandles& handles, const FeedbackStats& feedback, WriteSink* sink) {
  if (feedback.empty()) return Status::Ok();
  BLOBGRAPH_RETURN_IF_ERROR(CheckFeedbackTotals(handles, feedback));
  uint64_t values[kFeedbackFields] = {feedback.requests, feedback.issued, feedback.hits,
                                      feedback.wasted, feedback.stalls};
  std::string value;
  EncodeVarints(values, kFeedbackFields, &value);
  return sink->Merge(Cf::kMeta, kFeedbackKey, value);
}

}  // namespace

Status EmitUpdate(const DbHandles& handles, const GraphUpdate& update, WriteSink* sink,
                  const LayerTarget& layer) {
  StoreTotals added;
  {
    NodeDeltas nodes;  // freed before the smaller column families are built
    BLOBGRAPH_RETURN_IF_ERROR(EmitEdges(handles, update.edges, sink, &nodes, &added, layer));
    // Layer keys ascend: edges ('e') were written, declared functions ('f') next.
    BLOBGRAPH_RETURN_IF_ERROR(EmitDeclaredFunctions(update.functions, layer, sink));
    for (const BlobHash& function : update.functions) nodes[function];
    bool totals_fit = false;
    BLOBGRAPH_RETURN_IF_ERROR(StoreTotalsFit(handles, added, &totals_fit));
    BLOBGRAPH_RETURN_IF_ERROR(EmitNodes(handles, nodes, totals_fit, sink));
  }
  BLOBGRAPH_RETURN_IF_ERROR(EmitNames(update.names, sink));
  BLOBGRAPH_RETURN_IF_ERROR(EmitFeedback(handles, update.feedback, sink));
  BLOBGRAPH_RETURN_IF_ERROR(EmitRuns(handles, update, layer, sink));
  BLOBGRAPH_RETURN_IF_ERROR(EmitStoreTotals(added, sink));  // "totals": the last meta key
  if (update.profile) BLOBGRAPH_RETURN_IF_ERROR(EmitProfileRecord(handles, update, sink));
  // Feedback of this store's engines, in the same write as their calls;
  // never in a layer (graph_store.h, GraphUpdate::wasted).
  return EmitEdgeWaste(update.wasted, sink);
}

}  // namespace blobgraph::storage
