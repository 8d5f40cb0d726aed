// Point reads and scans of GraphStoreImpl. Scans stream with iterators over
// one snapshot, so memory stays bounded by one row.
#include <algorithm>
#include <filesystem>

#include <rocksdb/snapshot.h>

#include "storage/graph_store_impl.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

struct RowTotals {
  uint64_t entries = 0, static_total = 0, dynamic_total = 0;
};

// Sums a row without materialising it. False if malformed.
bool SumRow(std::string_view row, RowTotals* totals) {
  RowReader reader(row);
  if (!reader.Start(&totals->entries)) return false;
  std::string_view callee;
  for (uint64_t i = 0; i < totals->entries; ++i) {
    uint64_t s, d;
    if (!reader.Next(&callee, &s, &d)) return false;
    totals->static_total += s;
    totals->dynamic_total += d;
  }
  return reader.AtEnd();
}

Status BadKey(const std::string& path, Cf cf, size_t size) {
  return Status::Corruption(path + ": " + CfName(cf) + ": key of " + std::to_string(size) +
                            " bytes, expected " + std::to_string(BlobHash::kSize));
}

}  // namespace

Status GraphStoreImpl::RowToCallees(const BlobHash& caller, std::string_view row,
                                    std::vector<CalleeInfo>* callees) const {
  callees->clear();
  RowReader reader(row);
  uint64_t count = 0;
  bool ok = reader.Start(&count);
  blobgraph::RowTotals totals;
  for (uint64_t i = 0; ok && i < count; ++i) {
    std::string_view callee;
    CalleeInfo info;
    ok = reader.Next(&callee, &info.static_count, &info.dynamic_count);
    info.callee = BlobHash::FromBytes(callee.data());
    totals.Add(info.static_count, info.dynamic_count);
    if (ok) callees->push_back(info);
  }
  if (!ok || !reader.AtEnd()) {
    return Status::Corruption(path_ + ": edge row of " + caller.ToHex() + " does not decode");
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
  if (found) BLOBGRAPH_RETURN_IF_ERROR(RowToCallees(caller, row, &callees));
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
  uint64_t in[3] = {0, 0, 0};
  if (node_found && !DecodeVarints(node_value, in, 3)) {
    return Status::Corruption(path_ + ": node record of " + hash.ToHex() + " does not decode");
  }
  RowTotals totals;
  if (row_found && !SumRow(row, &totals)) {
    return Status::Corruption(path_ + ": edge row of " + hash.ToHex() + " does not decode");
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
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(
      Cf::kProfiles, std::string_view(reinterpret_cast<const char*>(id.data()), id.size()), &value,
      &found));
  return found;
}

Status GraphStoreImpl::ForEachCaller(const EdgeVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kEdges, nullptr);
  std::vector<CalleeInfo> callees;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) return BadKey(path_, Cf::kEdges, it->key().size());
    BlobHash caller = BlobHash::FromBytes(it->key().data());
    BLOBGRAPH_RETURN_IF_ERROR(RowToCallees(caller, View(it->value()), &callees));
    BLOBGRAPH_RETURN_IF_ERROR(visit(caller, callees));
  }
  return FromRocks(it->status(), path_ + ": scanning edges");
}

Status GraphStoreImpl::ForEachNode(const NodeVisitor& visit) const {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  std::unique_ptr<rocksdb::Iterator> nodes = NewScan(Cf::kNodes, snapshot.snapshot());
  std::unique_ptr<rocksdb::Iterator> rows = NewScan(Cf::kEdges, snapshot.snapshot());
  rows->SeekToFirst();
  for (nodes->SeekToFirst(); nodes->Valid(); nodes->Next()) {
    if (nodes->key().size() != BlobHash::kSize) {
      return BadKey(path_, Cf::kNodes, nodes->key().size());
    }
    NodeRecord record;
    record.hash = BlobHash::FromBytes(nodes->key().data());
    uint64_t in[3];
    if (!DecodeVarints(View(nodes->value()), in, 3)) {
      return Status::Corruption(path_ + ": node record of " + record.hash.ToHex() +
                                " does not decode");
    }
    record.in_static = in[0], record.in_dynamic = in[1], record.callers = in[2];
    // Both column families are in hash order: a merge join finds the row.
    while (rows->Valid() && rows->key().compare(nodes->key()) < 0) rows->Next();
    if (rows->Valid() && rows->key() == nodes->key()) {
      RowTotals totals;
      if (!SumRow(View(rows->value()), &totals)) {
        return Status::Corruption(path_ + ": edge row of " + record.hash.ToHex() +
                                  " does not decode");
      }
      record.out_static = totals.static_total;
      record.out_dynamic = totals.dynamic_total;
      record.callees = totals.entries;
    }
    BLOBGRAPH_RETURN_IF_ERROR(visit(record));
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(rows->status(), path_ + ": scanning edges"));
  return FromRocks(nodes->status(), path_ + ": scanning nodes");
}

Status GraphStoreImpl::ForEachName(const NameVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kNames, nullptr);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) return BadKey(path_, Cf::kNames, it->key().size());
    BLOBGRAPH_RETURN_IF_ERROR(visit(BlobHash::FromBytes(it->key().data()), View(it->value())));
  }
  return FromRocks(it->status(), path_ + ": scanning names");
}

Status GraphStoreImpl::ForEachLoadRecord(const LoadVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kLoads, nullptr);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) return BadKey(path_, Cf::kLoads, it->key().size());
    LoadRecord record;
    record.hash = BlobHash::FromBytes(it->key().data());
    uint64_t values[2];
    if (!DecodeVarints(View(it->value()), values, 2)) {
      return Status::Corruption(path_ + ": load record of " + record.hash.ToHex() +
                                " does not decode");
    }
    record.runs = values[0];
    record.position_sum = values[1];
    BLOBGRAPH_RETURN_IF_ERROR(visit(record));
  }
  return FromRocks(it->status(), path_ + ": scanning loads");
}

Result<StoreStats> GraphStoreImpl::Stats() const {
  StoreStats stats;
  rocksdb::ManagedSnapshot snapshot(db_.get());
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kEdges, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    RowTotals totals;
    if (!SumRow(View(it->value()), &totals)) {
      return Status::Corruption(path_ + ": edge row of " +
                                BlobHash::FromBytes(it->key().data()).ToHex() +
                                " does not decode");
    }
    stats.edges += totals.entries;
    stats.static_total += totals.static_total;
    stats.dynamic_total += totals.dynamic_total;
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning edges"));
  for (Cf cf : {Cf::kNodes, Cf::kProfiles}) {
    uint64_t& count = cf == Cf::kNodes ? stats.functions : stats.profiles;
    it = NewScan(cf, snapshot.snapshot());
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning " + CfName(cf)));
  }
  std::string runs;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kMeta, kRunsKey, &runs, &found));
  if (found && !DecodeVarints(runs, &stats.runs, 1)) {
    return Status::Corruption(path_ + ": meta counter 'runs' does not decode");
  }
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

Result<FeedbackStats> GraphStoreImpl::LifetimeFeedback() const {
  std::string value;
  bool found = false;
  BLOBGRAPH_RETURN_IF_ERROR(GetValue(Cf::kMeta, kFeedbackKey, &value, &found));
  if (!found) return FeedbackStats{};
  uint64_t values[kFeedbackFields];
  if (!DecodeVarints(value, values, kFeedbackFields)) {
    return Status::Corruption(path_ + ": meta counter 'feedback' does not decode");
  }
  return FeedbackStats{values[0], values[1], values[2], values[3], values[4]};
}

}  // namespace blobgraph::storage
