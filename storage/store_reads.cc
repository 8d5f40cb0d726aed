// Point reads and scans of GraphStoreImpl. Scans stream with iterators over
// one snapshot, so memory stays bounded by one row.
#include <algorithm>
#include <filesystem>

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

struct RowTotals {
  uint64_t entries = 0, static_total = 0, dynamic_total = 0;
};

// Sums a row without materialising it (saturating: a stored row's sums are
// checked by Apply and Verify, a read must not wrap them). False if
// malformed.
bool SumRow(std::string_view row, RowTotals* totals) {
  RowReader reader(row);
  if (!reader.Start(&totals->entries)) return false;
  std::string_view callee;
  for (uint64_t i = 0; i < totals->entries; ++i) {
    uint64_t s, d;
    if (!reader.Next(&callee, &s, &d)) return false;
    totals->static_total = SaturatingAdd(totals->static_total, s);
    totals->dynamic_total = SaturatingAdd(totals->dynamic_total, d);
  }
  return reader.AtEnd();
}

Status BadKey(const std::string& path, Cf cf, const rocksdb::Slice& key) {
  return CorruptValue(path, cf, View(key),
                      "key of " + std::to_string(key.size()) + " bytes, expected " +
                          std::to_string(BlobHash::kSize));
}

uint64_t WholeRunsRoundedUp(uint64_t run_weight) {
  return run_weight / kRunWeightUnit + (run_weight % kRunWeightUnit != 0);
}

// A scan that stopped on an error: a merge operand that does not decode
// (RocksDB's Corruption) has no key of its own to show, so name the last
// key read before it.
Status ScanStatus(const std::string& path, Cf cf, const rocksdb::Iterator& it,
                  const std::string& last_key) {
  if (it.status().ok()) return Status::Ok();
  std::string where = last_key.empty() ? "at the first key" : "after " + DescribeKey(cf, last_key);
  return FromRocks(it.status(), path + ": scanning " + CfName(cf) + " " + where);
}

}  // namespace

Status GraphStoreImpl::RowToCallees(const BlobHash& caller, std::string_view row,
                                    std::vector<CalleeInfo>* callees) const {
  callees->clear();
  RowReader reader(row);
  uint64_t count = 0;
  if (!reader.Start(&count)) {
    return CorruptValue(path_, Cf::kEdges, HashKey(caller), "edge row: bad entry count");
  }
  blobgraph::RowTotals totals;
  std::string_view previous;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view callee;
    CalleeInfo info;
    // Nothing of a failed entry is used: its callee view is not set.
    if (!reader.Next(&callee, &info.static_count, &info.dynamic_count)) {
      return CorruptValue(path_, Cf::kEdges, HashKey(caller),
                          "edge row: entry " + std::to_string(i) + " of " + std::to_string(count) +
                              " is truncated");
    }
    if (i > 0 && callee <= previous) {
      return CorruptValue(
          path_, Cf::kEdges, HashKey(caller),
          "edge row: entry " + std::to_string(i) + ": callees not strictly ascending");
    }
    previous = callee;
    info.callee = BlobHash::FromBytes(callee.data());
    totals.Add(info.static_count, info.dynamic_count);
    callees->push_back(info);
  }
  if (!reader.AtEnd()) {
    return CorruptValue(path_, Cf::kEdges, HashKey(caller),
                        "edge row: trailing bytes after " + std::to_string(count) + " entries");
  }
  for (CalleeInfo& info : *callees) {
    info.probability = options_.model.Probability(info.static_count, info.dynamic_count, totals);
  }
  std::sort(callees->begin(), callees->end(), [](const CalleeInfo& a, const CalleeInfo& b) {
    if (a.probability != b.probability) return a.probability > b.probability;
    return a.callee < b.callee;
  });
  return Status::Ok();
}

Result<std::vector<CalleeInfo>> GraphStoreImpl::Callees(const BlobHash& caller) const {
  std::string row;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kEdges, HashKey(caller), &row, &found));
  std::vector<CalleeInfo> callees;
  if (!found) return callees;
  BLOBGRAPH_RETURN_IF_ERROR(RowToCallees(caller, row, &callees));
  // A second point read; the bloom filter answers it for the many callers
  // without waste.
  BLOBGRAPH_RETURN_IF_ERROR(ReadWasteRow(handles_, caller, nullptr, &row, &found));
  if (found) BLOBGRAPH_RETURN_IF_ERROR(FillWaste(path_, caller, row, &callees));
  return callees;
}

Result<std::optional<NodeRecord>> GraphStoreImpl::Node(const BlobHash& hash) const {
  std::string node_value, row;
  bool node_found = false, row_found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kNodes, HashKey(hash), &node_value, &node_found));
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kEdges, HashKey(hash), &row, &row_found));
  if (!node_found && !row_found) return std::optional<NodeRecord>();
  NodeRecord record;
  record.hash = hash;
  uint64_t in[kNodeFields] = {};
  if (node_found && !DecodeVarints(node_value, in, kNodeFields)) {
    return CorruptValue(path_, Cf::kNodes, HashKey(hash), "node record does not decode");
  }
  RowTotals totals;
  if (row_found && !SumRow(row, &totals)) {
    return CorruptValue(path_, Cf::kEdges, HashKey(hash), "edge row does not decode");
  }
  record.in_static = in[0];
  record.in_dynamic = in[1];
  record.callers = in[2];
  record.out_static = totals.static_total;
  record.out_dynamic = totals.dynamic_total;
  record.callees = totals.entries;
  return std::optional<NodeRecord>(record);
}

Result<std::optional<std::string>> GraphStoreImpl::Name(const BlobHash& hash) const {
  std::string name;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kNames, HashKey(hash), &name, &found));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(std::move(name));
}

Result<bool> GraphStoreImpl::HasProfile(const std::array<uint8_t, 16>& id) const {
  std::string value;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(
      GetValue(Cf::kProfiles, std::string_view(reinterpret_cast<const char*>(id.data()), id.size()),
               &value, &found));
  return found;
}

Status GraphStoreImpl::ForEachCaller(const EdgeVisitor& visit) const {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kEdges, snapshot.snapshot());
  // Waste rows are keyed like edge rows: a merge join finds each caller's.
  std::unique_ptr<rocksdb::Iterator> waste;
  if (family(Cf::kWaste) != nullptr) {
    waste = NewScan(Cf::kWaste, snapshot.snapshot());
    waste->SeekToFirst();
  }
  std::vector<CalleeInfo> callees;
  std::string last_key;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) return BadKey(path_, Cf::kEdges, it->key());
    BlobHash caller = BlobHash::FromBytes(it->key().data());
    BLOBGRAPH_RETURN_IF_ERROR(RowToCallees(caller, View(it->value()), &callees));
    if (waste) {
      while (waste->Valid() && waste->key().compare(it->key()) < 0) waste->Next();
      if (waste->Valid() && waste->key() == it->key()) {
        BLOBGRAPH_RETURN_IF_ERROR(FillWaste(path_, caller, View(waste->value()), &callees));
      }
    }
    BLOBGRAPH_RETURN_IF_ERROR(visit(caller, callees));
    last_key.assign(it->key().data(), it->key().size());
  }
  if (waste) BLOBGRAPH_RETURN_IF_ERROR(ScanStatus(path_, Cf::kWaste, *waste, last_key));
  return ScanStatus(path_, Cf::kEdges, *it, last_key);
}

Status GraphStoreImpl::ForEachNode(const NodeVisitor& visit) const {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  std::unique_ptr<rocksdb::Iterator> nodes = NewScan(Cf::kNodes, snapshot.snapshot());
  std::unique_ptr<rocksdb::Iterator> rows = NewScan(Cf::kEdges, snapshot.snapshot());
  rows->SeekToFirst();
  std::string last_key;
  for (nodes->SeekToFirst(); nodes->Valid(); nodes->Next()) {
    if (nodes->key().size() != BlobHash::kSize) {
      return BadKey(path_, Cf::kNodes, nodes->key());
    }
    NodeRecord record;
    record.hash = BlobHash::FromBytes(nodes->key().data());
    uint64_t in[kNodeFields];
    if (!DecodeVarints(View(nodes->value()), in, kNodeFields)) {
      return CorruptValue(path_, Cf::kNodes, View(nodes->key()), "node record does not decode");
    }
    record.in_static = in[0], record.in_dynamic = in[1], record.callers = in[2];
    // Both column families are in hash order: a merge join finds the row.
    while (rows->Valid() && rows->key().compare(nodes->key()) < 0) rows->Next();
    if (rows->Valid() && rows->key() == nodes->key()) {
      RowTotals totals;
      if (!SumRow(View(rows->value()), &totals)) {
        return CorruptValue(path_, Cf::kEdges, View(rows->key()), "edge row does not decode");
      }
      record.out_static = totals.static_total;
      record.out_dynamic = totals.dynamic_total;
      record.callees = totals.entries;
    }
    BLOBGRAPH_RETURN_IF_ERROR(visit(record));
    last_key.assign(nodes->key().data(), nodes->key().size());
  }
  BLOBGRAPH_RETURN_IF_ERROR(ScanStatus(path_, Cf::kEdges, *rows, last_key));
  return ScanStatus(path_, Cf::kNodes, *nodes, last_key);
}

Status GraphStoreImpl::ForEachName(const NameVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kNames, nullptr);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) return BadKey(path_, Cf::kNames, it->key());
    BLOBGRAPH_RETURN_IF_ERROR(visit(BlobHash::FromBytes(it->key().data()), View(it->value())));
  }
  return FromRocks(it->status(), path_ + ": scanning names");
}

Status GraphStoreImpl::ForEachLoadRecord(const LoadVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kLoads, nullptr);
  std::string last_key;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) return BadKey(path_, Cf::kLoads, it->key());
    LoadRecord record;
    record.hash = BlobHash::FromBytes(it->key().data());
    uint64_t values[2];
    if (!DecodeVarints(View(it->value()), values, 2)) {
      return CorruptValue(path_, Cf::kLoads, View(it->key()), "load record does not decode");
    }
    record.run_weight = ToRunWeight(values[0]);
    record.position_weight = ToRunWeight(values[1]);
    record.runs = WholeRunsRoundedUp(record.run_weight);
    record.position_sum = record.position_weight / kRunWeightUnit +
                          (record.position_weight % kRunWeightUnit >= kRunWeightUnit / 2);
    BLOBGRAPH_RETURN_IF_ERROR(visit(record));
    last_key.assign(it->key().data(), it->key().size());
  }
  return ScanStatus(path_, Cf::kLoads, *it, last_key);
}

Result<StoreStats> GraphStoreImpl::Stats() const {
  StoreStats stats;
  rocksdb::ManagedSnapshot snapshot(db_.get());
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kEdges, snapshot.snapshot());
  std::string last_key;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) return BadKey(path_, Cf::kEdges, it->key());
    RowTotals totals;
    if (!SumRow(View(it->value()), &totals)) {
      return CorruptValue(path_, Cf::kEdges, View(it->key()), "edge row does not decode");
    }
    stats.edges += totals.entries;
    // Store-wide sums may pass 2^64 even when every caller's do not:
    // saturate rather than print a wrapped (small) total.
    stats.static_total = SaturatingAdd(stats.static_total, totals.static_total);
    stats.dynamic_total = SaturatingAdd(stats.dynamic_total, totals.dynamic_total);
    last_key.assign(it->key().data(), it->key().size());
  }
  BLOBGRAPH_RETURN_IF_ERROR(ScanStatus(path_, Cf::kEdges, *it, last_key));
  for (Cf cf : {Cf::kNodes, Cf::kLoads, Cf::kProfiles}) {
    uint64_t loads = 0;
    uint64_t& count = cf == Cf::kNodes   ? stats.functions
                      : cf == Cf::kLoads ? loads
                                         : stats.profiles;
    it = NewScan(cf, snapshot.snapshot());
    last_key.clear();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      // Counted records must be readable ones: a stats line over a store
      // whose records do not decode would hide the damage.
      uint64_t values[kNodeFields];
      if (cf != Cf::kProfiles &&
          !DecodeVarints(View(it->value()), values, cf == Cf::kNodes ? kNodeFields : 2)) {
        return CorruptValue(
            path_, cf, View(it->key()),
            cf == Cf::kNodes ? "node record does not decode" : "load record does not decode");
      }
      if (cf == Cf::kProfiles) {
        StoredProfile profile;
        if (!DecodeStoredProfile(View(it->value()), &profile)) {
          return CorruptValue(path_, cf, View(it->key()), "profile record does not decode");
        }
        stats.profiles_retracted += profile.record.retracted;
      }
      ++count;
      last_key.assign(it->key().data(), it->key().size());
    }
    BLOBGRAPH_RETURN_IF_ERROR(ScanStatus(path_, cf, *it, last_key));
  }
  BLOBGRAPH_RETURN_IF_ERROR(
      CountLayerEdges(handles_, Layer::kUnsent, snapshot.snapshot(), &stats.unsent_edges));
  BLOBGRAPH_RETURN_IF_ERROR(
      CountLayerEdges(handles_, Layer::kPulled, snapshot.snapshot(), &stats.pulled_edges));
  BLOBGRAPH_RETURN_IF_ERROR(
      CountLayerEdges(handles_, Layer::kOutgoing, snapshot.snapshot(), &stats.outgoing_edges));
  auto run_weight = RunWeight();
  if (!run_weight.ok()) return run_weight.status();
  stats.run_weight = *run_weight;
  stats.runs = WholeRunsRoundedUp(stats.run_weight);
  auto feedback = LifetimeFeedback();
  if (!feedback.ok()) return feedback.status();
  stats.feedback = *feedback;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path_, error)) {
    std::error_code size_error;
    if (entry.is_regular_file(size_error)) {
      uint64_t size = entry.file_size(size_error);
      if (!size_error) stats.bytes_on_disk += size;
    }
  }
  if (error) return Status::IOError(path_ + ": listing files: " + error.message());
  return stats;
}

Result<uint64_t> GraphStoreImpl::RunWeight() const {
  std::string value;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kMeta, kRunsKey, &value, &found));
  uint64_t stored = 0;
  if (found && !DecodeVarints(value, &stored, 1)) {
    return CorruptValue(path_, Cf::kMeta, kRunsKey, "counter does not decode");
  }
  return ToRunWeight(stored);
}

Result<FeedbackStats> GraphStoreImpl::LifetimeFeedback() const {
  std::string value;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kMeta, kFeedbackKey, &value, &found));
  if (!found) return FeedbackStats{};
  uint64_t values[kFeedbackFields];
  if (!DecodeVarints(value, values, kFeedbackFields)) {
    return CorruptValue(path_, Cf::kMeta, kFeedbackKey, "counters do not decode");
  }
  return FeedbackStats{values[0], values[1], values[2], values[3], values[4]};
}

}  // namespace blobgraph::storage
