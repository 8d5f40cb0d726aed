// GraphStoreImpl::Decay: ages the store by rewriting it from one snapshot.
// Every changed row, node, load record and counter is written as a Put or
// Delete into SST files ingested together, so the whole ageing lands
// atomically. Node totals are recomputed from the surviving edges rather than
// scaled (floor(a*f) + floor(b*f) != floor((a+b)*f)), which keeps them equal
// to what Verify() derives from the edges.
//
// Warm-start statistics are fixed-point run weights (key_layout.h, `loads`):
// scaling them rounds down to 1/65536 of a run, so one decay halves a single
// recorded run instead of rounding it to zero, and a record goes only once
// its weight is below one unit. Static counts never age.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <rocksdb/snapshot.h>

#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/edge_waste.h"
#include "storage/graph_store_impl.h"
#include "storage/key_layout.h"
#include "storage/layers.h"
#include "storage/profile_records.h"
#include "storage/record_scan.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

struct InTotals {
  uint64_t in_static = 0, in_dynamic = 0, callers = 0;
};

uint64_t Scale(uint64_t value, double factor) { return ScaleDown(value, factor); }

// One Decay's rewrite, record by record, into `sink` (an ingest sink: each
// column family's keys ascend). Node totals are summed from the surviving
// edges, so the edges go first. One thread.
class DecayPass {
 public:
  DecayPass(const std::string& path, double factor, uint64_t drop_below, WriteSink* sink)
      : path_(path), factor_(factor), drop_below_(drop_below), sink_(sink) {}

  // Scales a row's dynamic counts and drops the entries that fall below
  // drop_below (static ones never do): rewrites or deletes the row.
  Status EdgeRow(const rocksdb::Slice& key, const rocksdb::Slice& value) {
    if (auto problem = DecodeRow(View(value), &entries_)) {
      return CorruptValue(path_, Cf::kEdges, View(key), "edge row: " + *problem);
    }
    kept_.clear();
    for (RowEntry entry : entries_) {
      entry.dynamic_count = Scale(entry.dynamic_count, factor_);
      if (entry.static_count == 0 && entry.dynamic_count < drop_below_) continue;
      InTotals& totals = in_totals_[entry.callee];
      totals.in_static += entry.static_count;
      totals.in_dynamic += entry.dynamic_count;
      ++totals.callers;
      store_totals_[0] = SaturatingAdd(store_totals_[0], entry.static_count);
      store_totals_[1] = SaturatingAdd(store_totals_[1], entry.dynamic_count);
      kept_.push_back(entry);
    }
    if (kept_.empty()) return sink_->Delete(Cf::kEdges, View(key));
    EncodeRow(kept_, &encoded_);
    if (encoded_ != View(value)) return sink_->Put(Cf::kEdges, View(key), encoded_);
    return Status::Ok();
  }

  // REQUIRES: every edge row was passed to EdgeRow.
  Status NodeRecord(const rocksdb::Slice& key, const rocksdb::Slice& value) {
    InTotals totals;
    if (key.size() == BlobHash::kSize) {
      auto found = in_totals_.find(BlobHash::FromBytes(key.data()));
      if (found != in_totals_.end()) totals = found->second;
    }
    // The reference counts (key_layout.h, `nodes`) do not age.
    uint64_t values[kNodeFields];
    if (!DecodeVarints(View(value), values, kNodeFields)) {
      return CorruptValue(path_, Cf::kNodes, View(key), "node record does not decode");
    }
    values[0] = totals.in_static, values[1] = totals.in_dynamic, values[2] = totals.callers;
    // A value without them (written before they existed) stays without.
    EncodeVarints(values, (values[3] | values[4]) == 0 ? 3 : kNodeFields, &encoded_);
    if (encoded_ != View(value)) return sink_->Put(Cf::kNodes, View(key), encoded_);
    return Status::Ok();
  }

  // After the nodes: frees the per-callee totals.
  void NodesDone() { in_totals_.clear(); }

  Status LoadRecord(const rocksdb::Slice& key, const rocksdb::Slice& value) {
    uint64_t values[2];
    if (!DecodeVarints(View(value), values, 2)) {
      return CorruptValue(path_, Cf::kLoads, View(key), "load record does not decode");
    }
    values[0] = Scale(values[0], factor_);
    values[1] = Scale(values[1], factor_);
    EncodeVarints(values, 2, &encoded_);
    if (values[0] == 0) return sink_->Delete(Cf::kLoads, View(key));
    if (encoded_ != View(value)) return sink_->Put(Cf::kLoads, View(key), encoded_);
    return Status::Ok();
  }

  // Meta keys ascend in an SST file: "ageing" < "runs" < "totals".
  // REQUIRES: every edge row was passed to EdgeRow.
  Status Meta(const DbHandles& handles, const rocksdb::Snapshot* snapshot) {
    auto ageing = ReadAgeing(handles, snapshot);
    if (!ageing.ok()) return ageing.status();
    if (factor_ < 1.0) {
      // Never 0: a retraction divides by it. Ageing below ~1e-300 fades every
      // count to nothing anyway.
      double product = std::max(*ageing * factor_, 1e-300);
      BLOBGRAPH_RETURN_IF_ERROR(sink_->Put(Cf::kMeta, kAgeingKey, EncodeAgeing(product)));
    }
    BLOBGRAPH_RETURN_IF_ERROR(Runs(handles, snapshot));
    EncodeVarints(store_totals_, 2, &encoded_);  // after "runs": SST keys ascend
    return sink_->Put(Cf::kMeta, kTotalsKey, encoded_);
  }

 private:
  // The store's run count ages like the load records.
  Status Runs(const DbHandles& handles, const rocksdb::Snapshot* snapshot) {
    std::string runs_value;
    rocksdb::ReadOptions read;
    read.snapshot = snapshot;
    rocksdb::Status got =
        handles.db->Get(read, handles.family(Cf::kMeta),
                        rocksdb::Slice(kRunsKey.data(), kRunsKey.size()), &runs_value);
    if (got.IsNotFound()) return Status::Ok();
    if (!got.ok()) return FromRocks(got, path_ + ": reading " + DescribeKey(Cf::kMeta, kRunsKey));
    uint64_t runs = 0;
    if (!DecodeVarints(runs_value, &runs, 1)) {
      return CorruptValue(path_, Cf::kMeta, kRunsKey, "counter does not decode");
    }
    runs = Scale(runs, factor_);
    EncodeVarints(&runs, 1, &encoded_);
    return sink_->Put(Cf::kMeta, kRunsKey, encoded_);
  }

  const std::string& path_;
  const double factor_;
  const uint64_t drop_below_;
  WriteSink* const sink_;
  std::unordered_map<BlobHash, InTotals> in_totals_;
  uint64_t store_totals_[2] = {0, 0};  // meta "totals", recomputed exactly
  std::vector<RowEntry> entries_, kept_;
  std::string encoded_;
};

}  // namespace

Status GraphStoreImpl::Decay(double factor, uint64_t drop_below) {
  BLOBGRAPH_RETURN_IF_ERROR(RefuseIfReadOnly("Decay"));
  if (!(factor > 0.0 && factor <= 1.0)) {
    return Status::InvalidInput("decay factor " + std::to_string(factor) + ": must be in (0, 1]");
  }
  std::lock_guard<std::mutex> lock(writer_mutex_);
  BLOBGRAPH_RETURN_IF_ERROR(ResumeIfStopped());
  rocksdb::ManagedSnapshot snapshot(db_.get());
  const rocksdb::Snapshot* at = snapshot.snapshot();
  std::unique_ptr<WriteSink> sink = NewSink(/*ingest=*/true);
  DecayPass pass(path_, factor, drop_below, sink.get());
  using rocksdb::Slice;
  BLOBGRAPH_RETURN_IF_ERROR(ForEachRecord(
      *NewScan(Cf::kEdges, at), path_, "decay: scanning edges",
      [&pass](const Slice& key, const Slice& value) { return pass.EdgeRow(key, value); }));
  BLOBGRAPH_RETURN_IF_ERROR(ForEachRecord(
      *NewScan(Cf::kNodes, at), path_, "scanning nodes",
      [&pass](const Slice& key, const Slice& value) { return pass.NodeRecord(key, value); }));
  pass.NodesDone();
  BLOBGRAPH_RETURN_IF_ERROR(ForEachRecord(
      *NewScan(Cf::kLoads, at), path_, "scanning loads",
      [&pass](const Slice& key, const Slice& value) { return pass.LoadRecord(key, value); }));
  BLOBGRAPH_RETURN_IF_ERROR(pass.Meta(handles_, at));
  // The pulled layer ages with the graph, so a later refresh never takes
  // this store's own counts away; the unsent layer does not (the farm must
  // receive exactly what was observed).
  BLOBGRAPH_RETURN_IF_ERROR(EmitPulledDecay(handles_, at, factor, drop_below, sink.get()));
  // Wasted predictions age like the dynamic counts they stand against.
  BLOBGRAPH_RETURN_IF_ERROR(EmitWasteDecay(handles_, at, factor, sink.get()));
  return sink->Commit();
}

}  // namespace blobgraph::storage
