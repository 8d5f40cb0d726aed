#include "storage/row_plan.h"

#include <cstring>

#include "storage/corrupt_value.h"
#include "storage/count_math.h"

namespace blobgraph::storage {
namespace {

// The stored row, one entry at a time, checked as it goes.
class StoredCursor {
 public:
  StoredCursor(const std::string& path, const BlobHash& caller, std::string_view row, bool found)
      : path_(path), caller_(caller), reader_(row), found_(found) {}

  Status Start() {
    if (found_ && !reader_.Start(&remaining_)) return Corrupt("edge row: bad entry count");
    return Advance();
  }
  // Moves to the next stored entry (have() false past the last one).
  Status Advance() {
    if (remaining_ == 0) {
      have_ = false;
      if (found_ && !reader_.AtEnd()) return Corrupt("edge row: trailing bytes after its entries");
      return Status::Ok();
    }
    std::string_view previous = callee_;
    if (!reader_.Next(&callee_, &static_count_, &dynamic_count_)) {
      return Corrupt("edge row: entry " + std::to_string(index_) + " is truncated");
    }
    if (have_ && callee_ <= previous) {
      return Corrupt("edge row: entry " + std::to_string(index_) + ": callees not ascending");
    }
    have_ = true;
    --remaining_;
    ++index_;
    return Status::Ok();
  }
  bool have() const { return have_; }
  const char* callee() const { return callee_.data(); }
  uint64_t static_count() const { return static_count_; }
  uint64_t dynamic_count() const { return dynamic_count_; }

 private:
  Status Corrupt(const std::string& problem) const {
    return CorruptValue(path_, Cf::kEdges, HashKey(caller_), problem);
  }
  const std::string& path_;
  const BlobHash& caller_;
  RowReader reader_;
  bool found_;
  uint64_t remaining_ = 0, index_ = 0;
  bool have_ = false;
  std::string_view callee_;  // points into the stored row
  uint64_t static_count_ = 0, dynamic_count_ = 0;
};

// One side's static list, summarised for a conflict message.
struct StaticSummary {
  uint64_t sites = 0;  // saturating; only printed
  uint64_t callees = 0;
  void Add(uint64_t count) {
    if (count == 0) return;
    sites = SaturatingAdd(sites, count);
    ++callees;
  }
};

std::string Describe(const StaticSummary& list) {
  return std::to_string(list.sites) + " call sites to " + std::to_string(list.callees) + " callees";
}

}  // namespace

std::string DescribeEdge(const BlobHash& caller, const BlobHash& callee) {
  return "edge " + caller.ToHex() + " -> " + callee.ToHex();
}

Status PlanCallerRow(const std::string& path, const BlobHash& caller, std::string_view stored_row,
                     bool found, std::vector<RowEntry>* entries, std::vector<uint8_t>* new_callee) {
  StoredCursor stored(path, caller, stored_row, found);
  BLOBGRAPH_RETURN_IF_ERROR(stored.Start());
  new_callee->assign(entries->size(), 1);
  StaticSummary stored_static, update_static;
  bool differs = false;
  BlobHash first_difference;
  uint64_t difference_stored = 0, difference_update = 0;
  auto compare_static = [&](const char* callee, uint64_t stored_count, uint64_t update_count) {
    if (stored_count == update_count || differs) return;
    differs = true;
    first_difference = BlobHash::FromBytes(callee);
    difference_stored = stored_count;
    difference_update = update_count;
  };
  uint64_t dynamic_total = 0, update_static_total = 0;
  auto add_dynamic = [&](const char* callee, uint64_t count) -> Status {
    if (CheckedAdd(dynamic_total, count, &dynamic_total)) return Status::Ok();
    return Status::InvalidInput(path + ": caller " + caller.ToHex() +
                                ": its dynamic counts would sum past 2^64 - 1 (at callee " +
                                BlobHash::FromBytes(callee).ToHex() +
                                "); nothing of this update was applied");
  };

  size_t i = 0;
  while (stored.have() || i < entries->size()) {
    int order = !stored.have() ? 1
                : i == entries->size()
                    ? -1
                    : std::memcmp(stored.callee(), (*entries)[i].callee.data(), BlobHash::kSize);
    if (order < 0) {  // a stored callee the update does not touch
      stored_static.Add(stored.static_count());
      compare_static(stored.callee(), stored.static_count(), 0);
      BLOBGRAPH_RETURN_IF_ERROR(add_dynamic(stored.callee(), stored.dynamic_count()));
      BLOBGRAPH_RETURN_IF_ERROR(stored.Advance());
      continue;
    }
    RowEntry& entry = (*entries)[i];
    const char* callee = reinterpret_cast<const char*>(entry.callee.data());
    update_static.Add(entry.static_count);
    if (!CheckedAdd(update_static_total, entry.static_count, &update_static_total)) {
      return Status::InvalidInput(path + ": caller " + caller.ToHex() +
                                  ": its static counts would sum past 2^64 - 1 (at callee " +
                                  entry.callee.ToHex() + "); nothing of this update was applied");
    }
    uint64_t stored_dynamic = 0;
    if (order == 0) {
      stored_static.Add(stored.static_count());
      compare_static(callee, stored.static_count(), entry.static_count);
      stored_dynamic = stored.dynamic_count();
      (*new_callee)[i] = 0;
      BLOBGRAPH_RETURN_IF_ERROR(stored.Advance());
    } else {
      compare_static(callee, 0, entry.static_count);
    }
    uint64_t sum;
    if (!CheckedAdd(stored_dynamic, entry.dynamic_count, &sum)) {
      return Status::InvalidInput(path + ": " + DescribeEdge(caller, entry.callee) +
                                  ": dynamic count " + std::to_string(stored_dynamic) + " + " +
                                  std::to_string(entry.dynamic_count) +
                                  " would pass 2^64 - 1; nothing of this update was applied");
    }
    BLOBGRAPH_RETURN_IF_ERROR(add_dynamic(callee, sum));
    ++i;
  }

  if (update_static.callees > 0 && stored_static.callees > 0) {
    if (differs) {
      return Status::InvalidInput(
          path + ": caller " + caller.ToHex() + ": static call sites differ from the stored ones " +
          "(stored " + Describe(stored_static) + ", this update " + Describe(update_static) +
          "; first difference at callee " + first_difference.ToHex() + ": stored " +
          std::to_string(difference_stored) + ", update " + std::to_string(difference_update) +
          "). A content hash's call sites never change; nothing of this update was applied");
    }
    for (RowEntry& entry : *entries) entry.static_count = 0;  // the same list again
  }
  // Entries that add nothing any more (a repeated static list) are dropped.
  size_t kept = 0;
  for (size_t k = 0; k < entries->size(); ++k) {
    if ((*entries)[k].static_count == 0 && (*entries)[k].dynamic_count == 0) continue;
    (*entries)[kept] = (*entries)[k];
    (*new_callee)[kept] = (*new_callee)[k];
    ++kept;
  }
  entries->resize(kept);
  new_callee->resize(kept);
  return Status::Ok();
}

}  // namespace blobgraph::storage
