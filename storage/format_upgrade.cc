#include "storage/format_upgrade.h"

#include <rocksdb/write_batch.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

// Scales `count` varints of `value` by kRunWeightUnit into `out`.
Status ScaleRecord(const DbHandles& handles, Cf cf, std::string_view key, std::string_view value,
                   size_t count, std::string* out) {
  uint64_t values[2];
  if (!DecodeVarints(value, values, count)) {
    return CorruptValue(handles.path, cf, key, "record does not decode (converting to format 2)");
  }
  for (size_t i = 0; i < count; ++i) {
    if (!CheckedMul(values[i], kRunWeightUnit, &values[i])) {
      return CorruptValue(handles.path, cf, key,
                          "count too large to convert to run weights (format 2)");
    }
  }
  EncodeVarints(values, count, out);
  return Status::Ok();
}

// Adds the format key to `batch` and writes it synced.
Status WriteFormatKey(const DbHandles& handles, rocksdb::WriteBatch* batch) {
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(
      batch->Put(handles.family(Cf::kMeta), rocksdb::Slice(kFormatKey.data(), kFormatKey.size()),
                 FormatValue(kFormatVersion)),
      handles.path + ": writing format version"));
  rocksdb::WriteOptions write;
  write.sync = true;
  return FromRocks(handles.db->Write(write, batch),
                   handles.path + ": converting to format " + std::to_string(kFormatVersion));
}

}  // namespace

uint64_t RunWeightUnitOf(int format_version) { return format_version >= 2 ? kRunWeightUnit : 1; }

Status UpgradeFormat(const DbHandles& handles, int from_version) {
  if (from_version >= kFormatVersion) return Status::Ok();
  rocksdb::WriteBatch batch;
  // 2 -> 3 adds the `layers` family, which the read-write open created
  // (empty: a converted store's counts are neither unsent nor pulled).
  if (from_version >= 2) return WriteFormatKey(handles, &batch);
  std::string scaled;
  std::unique_ptr<rocksdb::Iterator> it(
      handles.db->NewIterator(rocksdb::ReadOptions(), handles.family(Cf::kLoads)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    BLOBGRAPH_RETURN_IF_ERROR(
        ScaleRecord(handles, Cf::kLoads, View(it->key()), View(it->value()), 2, &scaled));
    BLOBGRAPH_RETURN_IF_ERROR(FromRocks(batch.Put(handles.family(Cf::kLoads), it->key(), scaled),
                                        handles.path + ": converting loads"));
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), handles.path + ": scanning loads"));
  // Format 2's store-wide totals, summed from the edges.
  uint64_t totals[2] = {0, 0};
  it.reset(handles.db->NewIterator(rocksdb::ReadOptions(), handles.family(Cf::kEdges)));
  std::vector<RowEntry> entries;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (auto problem = DecodeRow(View(it->value()), &entries)) {
      return CorruptValue(handles.path, Cf::kEdges, View(it->key()),
                          "edge row: " + *problem + " (converting to format 2)");
    }
    for (const RowEntry& entry : entries) {
      totals[0] = SaturatingAdd(totals[0], entry.static_count);
      totals[1] = SaturatingAdd(totals[1], entry.dynamic_count);
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), handles.path + ": scanning edges"));
  EncodeVarints(totals, 2, &scaled);
  BLOBGRAPH_RETURN_IF_ERROR(
      FromRocks(batch.Put(handles.family(Cf::kMeta),
                          rocksdb::Slice(kTotalsKey.data(), kTotalsKey.size()), scaled),
                handles.path + ": writing totals"));
  rocksdb::Slice runs_key(kRunsKey.data(), kRunsKey.size());
  std::string runs;
  rocksdb::Status got =
      handles.db->Get(rocksdb::ReadOptions(), handles.family(Cf::kMeta), runs_key, &runs);
  if (got.ok()) {
    BLOBGRAPH_RETURN_IF_ERROR(ScaleRecord(handles, Cf::kMeta, kRunsKey, runs, 1, &scaled));
    BLOBGRAPH_RETURN_IF_ERROR(FromRocks(batch.Put(handles.family(Cf::kMeta), runs_key, scaled),
                                        handles.path + ": converting runs"));
  } else if (!got.IsNotFound()) {
    return FromRocks(got, handles.path + ": reading " + DescribeKey(Cf::kMeta, kRunsKey));
  }
  return WriteFormatKey(handles, &batch);
}

}  // namespace blobgraph::storage
