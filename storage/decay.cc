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
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

struct InTotals {
  uint64_t in_static = 0, in_dynamic = 0, callers = 0;
};

uint64_t Scale(uint64_t value, double factor) { return ScaleDown(value, factor); }

}  // namespace

Status GraphStoreImpl::Decay(double factor, uint64_t drop_below) {
  BLOBGRAPH_RETURN_IF_ERROR(RefuseIfReadOnly("Decay"));
  if (!(factor > 0.0 && factor <= 1.0)) {
    return Status::InvalidInput("decay factor " + std::to_string(factor) +
                                ": must be in (0, 1]");
  }
  std::lock_guard<std::mutex> lock(writer_mutex_);
  BLOBGRAPH_RETURN_IF_ERROR(ResumeIfStopped());
  rocksdb::ManagedSnapshot snapshot(db_.get());
  std::unique_ptr<WriteSink> sink = NewSink(/*ingest=*/true);
  std::unordered_map<BlobHash, InTotals> in_totals;
  uint64_t store_totals[2] = {0, 0};  // meta "totals", recomputed exactly
  std::vector<RowEntry> entries, kept;
  std::string encoded;

  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kEdges, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (auto problem = DecodeRow(View(it->value()), &entries)) {
      return CorruptValue(path_, Cf::kEdges, View(it->key()), "edge row: " + *problem);
    }
    kept.clear();
    for (RowEntry entry : entries) {
      entry.dynamic_count = Scale(entry.dynamic_count, factor);
      if (entry.static_count == 0 && entry.dynamic_count < drop_below) continue;
      InTotals& totals = in_totals[entry.callee];
      totals.in_static += entry.static_count;
      totals.in_dynamic += entry.dynamic_count;
      ++totals.callers;
      store_totals[0] = SaturatingAdd(store_totals[0], entry.static_count);
      store_totals[1] = SaturatingAdd(store_totals[1], entry.dynamic_count);
      kept.push_back(entry);
    }
    if (kept.empty()) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kEdges, View(it->key())));
      continue;
    }
    EncodeRow(kept, &encoded);
    if (encoded != View(it->value())) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kEdges, View(it->key()), encoded));
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": decay: scanning edges"));

  it = NewScan(Cf::kNodes, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    InTotals totals;
    if (it->key().size() == BlobHash::kSize) {
      auto found = in_totals.find(BlobHash::FromBytes(it->key().data()));
      if (found != in_totals.end()) totals = found->second;
    }
    // The reference counts (key_layout.h, `nodes`) do not age.
    uint64_t values[kNodeFields];
    if (!DecodeVarints(View(it->value()), values, kNodeFields)) {
      return CorruptValue(path_, Cf::kNodes, View(it->key()), "node record does not decode");
    }
    values[0] = totals.in_static, values[1] = totals.in_dynamic, values[2] = totals.callers;
    // A value without them (written before they existed) stays without.
    EncodeVarints(values, (values[3] | values[4]) == 0 ? 3 : kNodeFields, &encoded);
    if (encoded != View(it->value())) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kNodes, View(it->key()), encoded));
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning nodes"));
  in_totals.clear();

  it = NewScan(Cf::kLoads, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t values[2];
    if (!DecodeVarints(View(it->value()), values, 2)) {
      return CorruptValue(path_, Cf::kLoads, View(it->key()), "load record does not decode");
    }
    values[0] = Scale(values[0], factor);
    values[1] = Scale(values[1], factor);
    EncodeVarints(values, 2, &encoded);
    if (values[0] == 0) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kLoads, View(it->key())));
    } else if (encoded != View(it->value())) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kLoads, View(it->key()), encoded));
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning loads"));

  // Meta keys ascend in an SST file: "ageing" < "runs" < "totals".
  auto ageing = ReadAgeing(handles_, snapshot.snapshot());
  if (!ageing.ok()) return ageing.status();
  if (factor < 1.0) {
    // Never 0: a retraction divides by it. Ageing below ~1e-300 fades every
    // count to nothing anyway.
    double product = std::max(*ageing * factor, 1e-300);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kMeta, kAgeingKey, EncodeAgeing(product)));
  }
  std::string runs_value;
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.snapshot();
  rocksdb::Status got = db_->Get(read, family(Cf::kMeta), rocksdb::Slice(kRunsKey.data(), kRunsKey.size()), &runs_value);
  if (got.ok()) {
    uint64_t runs = 0;
    if (!DecodeVarints(runs_value, &runs, 1)) {
      return CorruptValue(path_, Cf::kMeta, kRunsKey, "counter does not decode");
    }
    runs = Scale(runs, factor);
    EncodeVarints(&runs, 1, &encoded);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kMeta, kRunsKey, encoded));
  } else if (!got.IsNotFound()) {
    return FromRocks(got, path_ + ": reading " + DescribeKey(Cf::kMeta, kRunsKey));
  }
  EncodeVarints(store_totals, 2, &encoded);  // after "runs": SST keys ascend
  BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kMeta, kTotalsKey, encoded));
  // The pulled layer ages with the graph, so a later refresh never takes
  // this store's own counts away; the unsent layer does not (the farm must
  // receive exactly what was observed).
  BLOBGRAPH_RETURN_IF_ERROR(
      EmitPulledDecay(handles_, snapshot.snapshot(), factor, drop_below, sink.get()));
  // Wasted predictions age like the dynamic counts they stand against.
  BLOBGRAPH_RETURN_IF_ERROR(EmitWasteDecay(handles_, snapshot.snapshot(), factor, sink.get()));
  return sink->Commit();
}

}  // namespace blobgraph::storage
