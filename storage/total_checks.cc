#include "storage/total_checks.h"

#include <string>
#include <vector>

#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

// Keys per MultiGet: sorted batches let RocksDB share index and filter work.
constexpr size_t kBatchKeys = 1024;

// Reads the stored varint vectors of `keys` (ascending) in one column family
// and hands each found one, decoded, to `check(index, values)`.
template <typename Check>
Status ReadStored(const DbHandles& handles, Cf cf, std::span<const rocksdb::Slice> keys,
                  size_t fields, Check&& check) {
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  handles.db->MultiGet(rocksdb::ReadOptions(), handles.family(cf), keys.size(), keys.data(),
                       values.data(), statuses.data(), /*sorted_input=*/true);
  uint64_t decoded[kFeedbackFields];
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string_view key(keys[i].data(), keys[i].size());
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) {
      return FromRocks(statuses[i], handles.path + ": reading " + DescribeKey(cf, key));
    }
    if (!DecodeVarints({values[i].data(), values[i].size()}, decoded, fields)) {
      return CorruptValue(handles.path, cf, key, "record does not decode");
    }
    BLOBGRAPH_RETURN_IF_ERROR(check(i, decoded));
  }
  return Status::Ok();
}

Status Overflow(const DbHandles& handles, const std::string& what, uint64_t stored,
                uint64_t added) {
  return Status::InvalidInput(handles.path + ": " + what + ": stored " + std::to_string(stored) +
                              " + " + std::to_string(added) +
                              " would pass 2^64 - 1; nothing of this update was applied");
}

}  // namespace

Status StoreTotalsFit(const DbHandles& handles, const StoreTotals& added, bool* fit) {
  *fit = true;  // nothing stored yet: the totals are 0
  rocksdb::Slice key(kTotalsKey.data(), kTotalsKey.size());
  return ReadStored(handles, Cf::kMeta, {&key, 1}, 2, [&](size_t, const uint64_t* stored) {
    uint64_t sum;
    *fit = CheckedAdd(stored[0], added.static_total, &sum) &&
           CheckedAdd(stored[1], added.dynamic_total, &sum);
    return Status::Ok();
  });
}

Status CheckNodeTotals(const DbHandles& handles,
                       std::span<const std::pair<BlobHash, NodeDelta>> nodes) {
  std::vector<rocksdb::Slice> keys;
  std::vector<const std::pair<BlobHash, NodeDelta>*> batch;
  auto flush = [&]() -> Status {
    Status status =
        ReadStored(handles, Cf::kNodes, keys, kNodeFields, [&](size_t i, const uint64_t* in) {
          const auto& [hash, delta] = *batch[i];
          const uint64_t added[3] = {delta.in_static, delta.in_dynamic, delta.callers};
          static const char* const kField[3] = {"incoming static count", "incoming dynamic count",
                                                "callers"};
          for (int f = 0; f < 3; ++f) {
            uint64_t sum;
            if (!CheckedAdd(in[f], added[f], &sum)) {
              return Overflow(handles, "function " + hash.ToHex() + ": " + kField[f], in[f],
                              added[f]);
            }
          }
          return Status::Ok();
        });
    keys.clear();
    batch.clear();
    return status;
  };
  for (const auto& node : nodes) {
    const NodeDelta& delta = node.second;
    if ((delta.in_static | delta.in_dynamic | delta.callers) == 0) continue;  // adds nothing
    keys.emplace_back(reinterpret_cast<const char*>(node.first.data()), BlobHash::kSize);
    batch.push_back(&node);
    if (keys.size() == kBatchKeys) BLOBGRAPH_RETURN_IF_ERROR(flush());
  }
  return keys.empty() ? Status::Ok() : flush();
}

Status CheckLoadTotals(const DbHandles& handles,
                       std::span<const std::pair<BlobHash, LoadDelta>> loads, uint64_t runs) {
  std::vector<rocksdb::Slice> keys;
  for (size_t start = 0; start < loads.size(); start += kBatchKeys) {
    std::span<const std::pair<BlobHash, LoadDelta>> batch =
        loads.subspan(start, std::min(kBatchKeys, loads.size() - start));
    keys.clear();
    for (const auto& load : batch) {
      keys.emplace_back(reinterpret_cast<const char*>(load.first.data()), BlobHash::kSize);
    }
    BLOBGRAPH_RETURN_IF_ERROR(
        ReadStored(handles, Cf::kLoads, keys, 2, [&](size_t i, const uint64_t* stored) {
          const auto& [hash, delta] = batch[i];
          uint64_t sum;
          if (!CheckedAdd(stored[0], delta.runs, &sum)) {
            return Overflow(handles, "load record of " + hash.ToHex() + ": runs", stored[0],
                            delta.runs);
          }
          if (!CheckedAdd(stored[1], delta.position_sum, &sum)) {
            return Overflow(handles, "load record of " + hash.ToHex() + ": position sum", stored[1],
                            delta.position_sum);
          }
          return Status::Ok();
        }));
  }
  if (runs == 0) return Status::Ok();
  rocksdb::Slice key(kRunsKey.data(), kRunsKey.size());
  return ReadStored(handles, Cf::kMeta, {&key, 1}, 1, [&](size_t, const uint64_t* stored) {
    uint64_t sum;
    if (CheckedAdd(stored[0], runs, &sum)) return Status::Ok();
    return Overflow(handles, "meta counter 'runs'", stored[0], runs);
  });
}

Status CheckFeedbackTotals(const DbHandles& handles, const FeedbackStats& feedback) {
  if (feedback.empty()) return Status::Ok();
  const uint64_t added[kFeedbackFields] = {feedback.requests, feedback.issued, feedback.hits,
                                           feedback.wasted, feedback.stalls};
  static const char* const kField[kFeedbackFields] = {"requests", "issued", "hits", "wasted",
                                                      "stalls"};
  rocksdb::Slice key(kFeedbackKey.data(), kFeedbackKey.size());
  return ReadStored(
      handles, Cf::kMeta, {&key, 1}, kFeedbackFields, [&](size_t, const uint64_t* stored) {
        for (size_t f = 0; f < kFeedbackFields; ++f) {
          uint64_t sum;
          if (!CheckedAdd(stored[f], added[f], &sum)) {
            return Overflow(handles, std::string("meta counter 'feedback' ") + kField[f], stored[f],
                            added[f]);
          }
        }
        return Status::Ok();
      });
}

}  // namespace blobgraph::storage
