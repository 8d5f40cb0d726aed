#include "storage/edge_waste.h"

#include <algorithm>
#include <compare>
#include <memory>

#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {

Status EmitEdgeWaste(const std::vector<EdgeWaste>& wasted, WriteSink* sink) {
  if (wasted.empty()) return Status::Ok();
  std::vector<EdgeWaste> sorted;
  sorted.reserve(wasted.size());
  for (const EdgeWaste& w : wasted) {
    if (w.count > 0) sorted.push_back(w);
  }
  std::sort(sorted.begin(), sorted.end(), [](const EdgeWaste& a, const EdgeWaste& b) {
    if (auto c = a.caller <=> b.caller; std::is_neq(c)) return std::is_lt(c);
    return a.callee < b.callee;
  });
  std::vector<RowEntry> row;
  std::string encoded;
  for (size_t i = 0; i < sorted.size();) {
    const BlobHash& caller = sorted[i].caller;
    row.clear();
    for (; i < sorted.size() && sorted[i].caller == caller; ++i) {
      if (!row.empty() && row.back().callee == sorted[i].callee) {
        // Saturating like the merge operator: waste is feedback, not a
        // count an update should be refused over.
        row.back().dynamic_count = SaturatingAdd(row.back().dynamic_count, sorted[i].count);
      } else {
        row.push_back(RowEntry{sorted[i].callee, 0, sorted[i].count});
      }
    }
    EncodeRow(row, &encoded);
    BLOBGRAPH_RETURN_IF_ERROR(sink->Merge(Cf::kWaste, HashKey(caller), encoded));
  }
  return Status::Ok();
}

Status FillWaste(const std::string& path, const BlobHash& caller, std::string_view waste_row,
                 std::vector<CalleeInfo>* callees) {
  std::vector<RowEntry> entries;
  if (auto problem = DecodeRow(waste_row, &entries)) {
    return CorruptValue(path, Cf::kWaste, HashKey(caller), "waste row: " + *problem);
  }
  // Rows are short (a caller's callees); entries are sorted by callee.
  for (CalleeInfo& info : *callees) {
    auto it = std::lower_bound(entries.begin(), entries.end(), info.callee,
                               [](const RowEntry& e, const BlobHash& h) { return e.callee < h; });
    info.wasted_count = it != entries.end() && it->callee == info.callee ? it->dynamic_count : 0;
  }
  return Status::Ok();
}

Status ReadWasteRow(const DbHandles& handles, const BlobHash& caller,
                    const rocksdb::Snapshot* snapshot, std::string* row, bool* found) {
  *found = false;
  rocksdb::ColumnFamilyHandle* family = handles.family(Cf::kWaste);
  if (family == nullptr) return Status::Ok();
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::string_view key = HashKey(caller);
  rocksdb::Status status =
      handles.db->Get(read, family, rocksdb::Slice(key.data(), key.size()), row);
  if (status.IsNotFound()) return Status::Ok();
  *found = status.ok();
  return FromRocks(status, handles.path + ": reading " + DescribeKey(Cf::kWaste, key));
}

Status EmitWasteDecay(const DbHandles& handles, const rocksdb::Snapshot* snapshot, double factor,
                      WriteSink* sink) {
  rocksdb::ColumnFamilyHandle* family = handles.family(Cf::kWaste);
  if (family == nullptr || factor >= 1.0) return Status::Ok();
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(read, family));
  std::vector<RowEntry> entries, kept;
  std::string encoded;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = View(it->key());
    if (auto problem = DecodeRow(View(it->value()), &entries)) {
      return CorruptValue(handles.path, Cf::kWaste, key, "waste row: " + *problem);
    }
    kept.clear();
    for (RowEntry entry : entries) {
      entry.dynamic_count = ScaleDown(entry.dynamic_count, factor);
      if (entry.dynamic_count > 0) kept.push_back(entry);
    }
    if (kept.empty()) {
      BLOBGRAPH_RETURN_IF_ERROR(sink->Delete(Cf::kWaste, key));
      continue;
    }
    EncodeRow(kept, &encoded);
    if (encoded != View(it->value()))
      BLOBGRAPH_RETURN_IF_ERROR(sink->Put(Cf::kWaste, key, encoded));
  }
  return FromRocks(it->status(), handles.path + ": decay: scanning waste");
}

}  // namespace blobgraph::storage
