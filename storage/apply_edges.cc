// EmitEdges (apply_steps.h): an update's edges become one merge operand per
// caller row, planned against the row as stored, plus the node deltas and
// store totals they add.
#include <algorithm>
#include <compare>
#include <string>
#include <vector>

#include "storage/apply_steps.h"
#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"
#include "storage/row_plan.h"

namespace blobgraph::storage {
namespace {

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
    if (auto c = x.caller <=> y.caller; std::is_neq(c)) return std::is_lt(c);
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
        return FromRocks(statuses_[i],
                         handles_.path + ": reading " + DescribeKey(Cf::kEdges, View(callers[i])));
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

// EmitEdges's walk: the update's edges in row order (caller, then callee),
// in chunks of callers whose current rows come from one MultiGet. The
// buffers are reused across chunks and callers.
class EdgeRowWriter {
 public:
  EdgeRowWriter(const DbHandles& handles, const std::vector<EdgeDelta>& edges, WriteSink* sink,
                NodeDeltas* nodes, StoreTotals* added, const LayerTarget& layer)
      : handles_(handles),
        edges_(edges),
        sink_(sink),
        nodes_(nodes),
        added_(added),
        layer_(layer),
        existing_(handles, layer.overlay) {}

  Status Run() {
    order_ = SortedEdgeOrder(edges_, nodes_);
    for (size_t chunk_start = 0; chunk_start < order_.size();) {
      size_t chunk_end = GatherChunk(chunk_start);
      BLOBGRAPH_RETURN_IF_ERROR(existing_.Fetch(keys_));
      for (size_t g = 0; g + 1 < group_starts_.size(); ++g) {
        BLOBGRAPH_RETURN_IF_ERROR(WriteCaller(g));
      }
      chunk_start = chunk_end;
    }
    return Status::Ok();
  }

 private:
  static constexpr size_t kChunkCallers = 1024;
  static constexpr size_t kPrefetchAhead = 16;

  // Groups order_[start, end) by caller, up to kChunkCallers of them, into
  // group_starts_ (one past the last group too) and keys_; returns end.
  size_t GatherChunk(size_t start) {
    group_starts_.clear();
    keys_.clear();
    size_t i = start;
    while (i < order_.size() && group_starts_.size() < kChunkCallers) {
      const BlobHash& caller = edges_[order_[i]].caller;
      group_starts_.push_back(i);
      keys_.emplace_back(reinterpret_cast<const char*>(caller.data()), BlobHash::kSize);
      while (i < order_.size() && edges_[order_[i]].caller == caller) {
        // `order_` jumps around a large array: fetch ahead of the compare.
        if (i + kPrefetchAhead < order_.size()) {
          __builtin_prefetch(&edges_[order_[i + kPrefetchAhead]]);
        }
        ++i;
      }
    }
    group_starts_.push_back(i);
    return i;
  }

  // entries_ = the caller's edges order_[begin, end), one entry per callee.
  Status CollectEntries(size_t begin, size_t end) {
    entries_.clear();
    for (size_t k = begin; k < end; ++k) {
      const EdgeDelta& edge = edges_[order_[k]];
      if (!entries_.empty() && entries_.back().callee == edge.callee) {
        BLOBGRAPH_RETURN_IF_ERROR(AddRepeat(handles_.path, edge, &entries_.back()));
      } else {
        entries_.push_back({edge.callee, edge.static_count, edge.dynamic_count});
      }
    }
    return Status::Ok();
  }

  // Plans the chunk's g-th caller's row against its current one and writes
  // the increments: its row operand, node deltas, totals and layer row.
  Status WriteCaller(size_t g) {
    const BlobHash& caller = edges_[order_[group_starts_[g]]].caller;
    BLOBGRAPH_RETURN_IF_ERROR(CollectEntries(group_starts_[g], group_starts_[g + 1]));
    bool brings_static = std::any_of(entries_.begin(), entries_.end(),
                                     [](const RowEntry& e) { return e.static_count != 0; });
    // A repeated static list adds nothing to its callees, but mentions
    // them (Retract's reference counts): their node operands must exist.
    if (brings_static) {
      for (const RowEntry& entry : entries_) (*nodes_)[entry.callee];
    }
    BLOBGRAPH_RETURN_IF_ERROR(PlanCallerRow(handles_.path, caller, existing_.Row(g),
                                            existing_.Found(g), &entries_, &new_callee_));
    BLOBGRAPH_RETURN_IF_ERROR(AddNodeDeltas(handles_.path, caller, entries_, new_callee_, nodes_));
    // The caller is a function too, and this update mentions it (and may
    // bring, or repeat, its static list): its reference counts for
    // Retract (key_layout.h, `nodes`) need the operand.
    (*nodes_)[caller].static_refs = brings_static ? 1 : 0;
    if (entries_.empty()) return Status::Ok();  // a repeated static list: nothing to add
    for (const RowEntry& entry : entries_) {
      added_->static_total = SaturatingAdd(added_->static_total, entry.static_count);
      added_->dynamic_total = SaturatingAdd(added_->dynamic_total, entry.dynamic_count);
    }
    EncodeRow(entries_, &encoded_);
    BLOBGRAPH_RETURN_IF_ERROR(sink_->Merge(Cf::kEdges, HashKey(caller), encoded_));
    return EmitLayerRow(layer_, caller, entries_, sink_);
  }

  const DbHandles& handles_;
  const std::vector<EdgeDelta>& edges_;
  WriteSink* sink_;
  NodeDeltas* nodes_;
  StoreTotals* added_;
  const LayerTarget& layer_;
  ExistingRows existing_;
  std::vector<uint32_t> order_;       // into edges_, in row order
  std::vector<size_t> group_starts_;  // into order_, one per caller of the chunk
  std::vector<rocksdb::Slice> keys_;  // the chunk's callers; point into edges_
  std::vector<RowEntry> entries_;
  std::vector<uint8_t> new_callee_;
  std::string encoded_;
};

}  // namespace

Status EmitEdges(const DbHandles& handles, const std::vector<EdgeDelta>& edges, WriteSink* sink,
                 NodeDeltas* nodes, StoreTotals* added, const LayerTarget& layer) {
  if (edges.size() >= (uint64_t{1} << 32)) {
    return Status::InvalidInput("update has " + std::to_string(edges.size()) +
                                " edges; split it below 2^32");
  }
  return EdgeRowWriter(handles, edges, sink, nodes, added, layer).Run();
}

}  // namespace blobgraph::storage
