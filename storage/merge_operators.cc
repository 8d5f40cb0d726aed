#include "storage/merge_operators.h"

#include <cstring>
#include <string_view>
#include <vector>

#include "storage/count_math.h"
#include "storage/key_layout.h"

namespace blobgraph::storage {
namespace {

// One callee while merging; `callee` points into an operand or the existing
// value, which RocksDB keeps alive for the whole merge call.
struct MergeEntry {
  const char* callee;
  uint64_t static_count;
  uint64_t dynamic_count;
};

bool DecodeInto(std::string_view row, std::vector<MergeEntry>* out) {
  RowReader reader(row);
  uint64_t count = 0;
  if (!reader.Start(&count)) return false;
  out->clear();
  out->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view callee;
    MergeEntry entry;
    if (!reader.Next(&callee, &entry.static_count, &entry.dynamic_count)) return false;
    if (!out->empty() && std::memcmp(out->back().callee, callee.data(), BlobHash::kSize) >= 0) {
      return false;
    }
    entry.callee = callee.data();
    out->push_back(entry);
  }
  return reader.AtEnd();
}

// merged = a + b, both sorted by callee.
void MergeSorted(const std::vector<MergeEntry>& a, const std::vector<MergeEntry>& b,
                 std::vector<MergeEntry>* merged) {
  merged->clear();
  merged->reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    int c = std::memcmp(a[i].callee, b[j].callee, BlobHash::kSize);
    if (c < 0) {
      merged->push_back(a[i++]);
    } else if (c > 0) {
      merged->push_back(b[j++]);
    } else {
      // Saturating: Apply() refuses updates that would overflow, so a sum
      // at the ceiling only comes from data written around it; it stays
      // at the ceiling (Verify reports it) instead of wrapping to a small
      // count.
      merged->push_back({a[i].callee, SaturatingAdd(a[i].static_count, b[j].static_count),
                         SaturatingAdd(a[i].dynamic_count, b[j].dynamic_count)});
      ++i, ++j;
    }
  }
  merged->insert(merged->end(), a.begin() + i, a.end());
  merged->insert(merged->end(), b.begin() + j, b.end());
}

void Encode(const std::vector<MergeEntry>& entries, std::string* out) {
  out->clear();
  out->reserve(10 + entries.size() * (BlobHash::kSize + 4));
  PutVarint(out, entries.size());
  for (const MergeEntry& entry : entries) {
    out->append(entry.callee, BlobHash::kSize);
    PutVarint(out, entry.static_count);
    PutVarint(out, entry.dynamic_count);
  }
}

// Adds every row in `rows` (in order) into `out`. False on a malformed row.
template <typename Rows>
bool AddRows(const std::string_view* first, const Rows& rows, std::string* out) {
  std::vector<MergeEntry> total, next, merged;
  bool have_total = false;
  if (first != nullptr) {
    if (!DecodeInto(*first, &total)) return false;
    have_total = true;
  }
  for (const rocksdb::Slice& row : rows) {
    if (!DecodeInto(std::string_view(row.data(), row.size()), have_total ? &next : &total)) {
      return false;
    }
    if (have_total) {
      MergeSorted(total, next, &merged);
      total.swap(merged);
    }
    have_total = true;
  }
  Encode(total, out);
  return true;
}

class EdgeRowMergeOperator final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::string_view existing;
    if (in.existing_value != nullptr) {
      existing = std::string_view(in.existing_value->data(), in.existing_value->size());
    }
    try {
      return AddRows(in.existing_value != nullptr ? &existing : nullptr, in.operand_list,
                     &out->new_value);
    } catch (...) {  // bad_alloc: RocksDB must not see an exception
      return false;
    }
  }
  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger* logger) const override {
    try {
      return AddRows(nullptr, operands, new_value);
    } catch (...) {
      return false;
    }
  }
  const char* Name() const override { return "blobgraph.EdgeRowAdd"; }
};

// Adds `value` into `sums` elementwise. False if malformed.
bool AddVarints(std::string_view value, std::vector<uint64_t>* sums) {
  for (size_t i = 0; !value.empty(); ++i) {
    uint64_t v = 0;
    if (!GetVarint(&value, &v)) return false;
    if (i >= sums->size()) {
      if (i >= 64) return false;  // no value of ours is that long
      sums->push_back(0);
    }
    (*sums)[i] = SaturatingAdd((*sums)[i], v);  // never wraps; see MergeSorted
  }
  return true;
}

template <typename Operands>
bool SumVarintVectors(const rocksdb::Slice* existing, const Operands& operands, std::string* out) {
  std::vector<uint64_t> sums;
  if (existing != nullptr && !AddVarints({existing->data(), existing->size()}, &sums)) {
    return false;
  }
  for (const rocksdb::Slice& operand : operands) {
    if (!AddVarints({operand.data(), operand.size()}, &sums)) return false;
  }
  EncodeVarints(sums.data(), sums.size(), out);
  return true;
}

class VarintAddMergeOperator final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    try {
      return SumVarintVectors(in.existing_value, in.operand_list, &out->new_value);
    } catch (...) {
      return false;
    }
  }
  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger* logger) const override {
    try {
      return SumVarintVectors(nullptr, operands, new_value);
    } catch (...) {
      return false;
    }
  }
  const char* Name() const override { return "blobgraph.VarintAdd"; }
};

// The `layers` family holds edge rows and varint vectors side by side; the
// key's kind byte (key_layout.h) says which. Stateless like the others.
class LayerMergeOperator final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    return IsRow(in.key) ? rows_.FullMergeV2(in, out) : varints_.FullMergeV2(in, out);
  }
  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger* logger) const override {
    return IsRow(key) ? rows_.PartialMergeMulti(key, operands, new_value, logger)
                      : varints_.PartialMergeMulti(key, operands, new_value, logger);
  }
  const char* Name() const override { return "blobgraph.LayerAdd"; }

 private:
  static bool IsRow(const rocksdb::Slice& key) {
    return key.size() > 1 && key[1] == static_cast<char>(LayerKind::kEdges);
  }
  EdgeRowMergeOperator rows_;
  VarintAddMergeOperator varints_;
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewLayerMergeOperator() {
  return std::make_shared<LayerMergeOperator>();
}

std::shared_ptr<rocksdb::MergeOperator> NewEdgeRowMergeOperator() {
  return std::make_shared<EdgeRowMergeOperator>();
}

std::shared_ptr<rocksdb::MergeOperator> NewVarintAddMergeOperator() {
  return std::make_shared<VarintAddMergeOperator>();
}

}  // namespace blobgraph::storage
