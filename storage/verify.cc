// GraphStoreImpl::Verify: re-derives every node's incoming totals from the
// edge rows of one snapshot and compares them with the stored node records,
// after checking that every record decodes.
#include <unordered_map>

#include <rocksdb/snapshot.h>

#include "storage/corrupt_value.h"
#include "storage/count_math.h"
#include "storage/graph_store_impl.h"
#include "storage/key_layout.h"
#include "storage/layers.h"
#include "storage/record_scan.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

constexpr size_t kMaxProblems = 100;

struct Expected {
  uint64_t in_static = 0, in_dynamic = 0, callers = 0;
  bool seen = false;      // a node record exists
  bool overflow = false;  // the edges into it sum past 2^64 - 1
};

// Structural UTF-8 check (lead and continuation bytes, no overlongs for
// 2-byte forms); enough to catch binary garbage in a name.
bool LooksLikeUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint8_t lead = static_cast<uint8_t>(text[i]);
    size_t extra;
    if (lead < 0x80) {
      extra = 0;
    } else if (lead >= 0xc2 && lead < 0xe0) {
      extra = 1;
    } else if (lead >= 0xe0 && lead < 0xf0) {
      extra = 2;
    } else if (lead >= 0xf0 && lead < 0xf5) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= text.size() && extra > 0) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<uint8_t>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

class ProblemList {
 public:
  explicit ProblemList(std::vector<std::string>* out) : out_(out) {}
  ~ProblemList() {
    if (dropped_ > 0) out_->push_back("... and " + std::to_string(dropped_) + " more problems");
  }
  void Add(std::string problem) {
    if (out_->size() < kMaxProblems) {
      out_->push_back(std::move(problem));
    } else {
      ++dropped_;
    }
  }

 private:
  std::vector<std::string>* out_;
  uint64_t dropped_ = 0;
};

// Count checks of one decoded row: its sums must fit in 64 bits (Apply
// refuses updates that would pass them; the merge operators saturate), and
// the model must give every callee a probability in [0, 1], summing to at
// most 1 (up to rounding) over the row.
template <typename Problems>
void CheckRowCounts(const BlobHash& caller, const std::vector<RowEntry>& entries,
                    const ProbabilityModel& model, Problems& problems) {
  uint64_t static_total = 0, dynamic_total = 0;
  RowTotals totals;
  for (const RowEntry& entry : entries) {
    if (!CheckedAdd(static_total, entry.static_count, &static_total)) {
      problems.Add("edges key " + caller.ToHex() + ": static counts sum past 2^64 - 1");
      return;
    }
    if (!CheckedAdd(dynamic_total, entry.dynamic_count, &dynamic_total)) {
      problems.Add("edges key " + caller.ToHex() + ": dynamic counts sum past 2^64 - 1");
      return;
    }
    totals.Add(entry.static_count, entry.dynamic_count);
  }
  double sum = 0;
  for (const RowEntry& entry : entries) {
    double p = model.Probability(entry.static_count, entry.dynamic_count, totals);
    if (!(p >= 0.0 && p <= 1.0)) {
      problems.Add("edges key " + caller.ToHex() + ": callee " + entry.callee.ToHex() +
                   ": probability " + std::to_string(p) + " outside [0, 1]");
      return;
    }
    sum += p;
  }
  if (sum > 1.0 + 1e-9) {
    problems.Add("edges key " + caller.ToHex() + ": probabilities sum to " + std::to_string(sum) +
                 ", more than 1");
  }
}

// The meta "totals" (key_layout.h) against the sums of the edges: Apply
// skips its node-record reads while they fit, so they must not be low.
template <typename Problems>
Status CheckStoreTotals(const DbHandles& handles, const rocksdb::ReadOptions& read,
                        const uint64_t* summed, Problems& problems) {
  std::string value;
  rocksdb::Status got =
      handles.db->Get(read, handles.family(Cf::kMeta),
                      rocksdb::Slice(kTotalsKey.data(), kTotalsKey.size()), &value);
  if (!got.ok() && !got.IsNotFound()) {
    return FromRocks(got, handles.path + ": reading " + DescribeKey(Cf::kMeta, kTotalsKey));
  }
  uint64_t stored[2] = {0, 0};
  if (got.ok() && !DecodeVarints(value, stored, 2)) {
    problems.Add(DescribeKey(Cf::kMeta, kTotalsKey) +
                 ": stored record is corrupt: does not decode");
    return Status::Ok();
  }
  for (int i = 0; i < 2; ++i) {
    if (stored[i] != summed[i] && stored[i] != kMaxCount) {
      problems.Add(DescribeKey(Cf::kMeta, kTotalsKey) + ": stored (" + std::to_string(stored[0]) +
                   ", " + std::to_string(stored[1]) + ") but edges give (" +
                   std::to_string(summed[0]) + ", " + std::to_string(summed[1]) + ")");
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// Adds one edge into its callee's expected totals, noting an overflow.
void AddExpected(const RowEntry& entry, Expected* in) {
  in->overflow |= !CheckedAdd(in->in_static, entry.static_count, &in->in_static);
  in->overflow |= !CheckedAdd(in->in_dynamic, entry.dynamic_count, &in->in_dynamic);
  ++in->callers;
}

// The problem of a record whose key is not a hash.
std::string BadKeySize(Cf cf, const rocksdb::Slice& key) {
  return DescribeKey(cf, View(key)) + ": stored record is corrupt: key of " +
         std::to_string(key.size()) + " bytes";
}

// The format key: older formats are readable (a read-only open of a store
// not converted yet); newer or unparseable ones are not.
Status CheckFormatKey(const DbHandles& handles, const rocksdb::ReadOptions& read,
                      ProblemList& problems) {
  std::string format;
  rocksdb::Status got =
      handles.db->Get(read, handles.family(Cf::kMeta),
                      rocksdb::Slice(kFormatKey.data(), kFormatKey.size()), &format);
  if (!got.ok() && !got.IsNotFound()) return FromRocks(got, handles.path + ": reading meta");
  std::optional<int> version = got.ok() ? ParseFormatValue(format) : std::nullopt;
  if (!version || *version > kFormatVersion) {
    problems.Add("meta: format key is '" + format + "', expected '" + FormatValue(kFormatVersion) +
                 "'");
  }
  return Status::Ok();
}

// What the edge rows give: each node's expected totals, and the sums of
// every edge's static and dynamic counts.
struct EdgeSums {
  std::unordered_map<BlobHash, Expected> expected;
  uint64_t summed[2] = {0, 0};
  std::vector<RowEntry> entries;  // reused across rows
};

void CheckEdgeRow(const rocksdb::Slice& key, const rocksdb::Slice& value,
                  const ProbabilityModel& model, EdgeSums* sums, ProblemList& problems) {
  if (key.size() != BlobHash::kSize) {
    problems.Add(BadKeySize(Cf::kEdges, key));
    return;
  }
  BlobHash caller = BlobHash::FromBytes(key.data());
  sums->expected[caller];
  std::vector<RowEntry>& entries = sums->entries;
  if (auto problem = DecodeRow(View(value), &entries)) {
    problems.Add("edges key " + caller.ToHex() + ": stored record is corrupt: " + *problem);
    return;
  }
  if (entries.empty()) problems.Add("edges key " + caller.ToHex() + ": row is empty");
  CheckRowCounts(caller, entries, model, problems);
  for (const RowEntry& entry : entries) {
    AddExpected(entry, &sums->expected[entry.callee]);
    sums->summed[0] = SaturatingAdd(sums->summed[0], entry.static_count);
    sums->summed[1] = SaturatingAdd(sums->summed[1], entry.dynamic_count);
  }
}

void CheckNodeRecord(const rocksdb::Slice& key, const rocksdb::Slice& value,
                     std::unordered_map<BlobHash, Expected>* expected, ProblemList& problems) {
  if (key.size() != BlobHash::kSize) {
    problems.Add(BadKeySize(Cf::kNodes, key));
    return;
  }
  BlobHash hash = BlobHash::FromBytes(key.data());
  uint64_t in[kNodeFields];
  if (!DecodeVarints(View(value), in, kNodeFields)) {
    problems.Add("nodes key " + hash.ToHex() + ": stored record is corrupt: does not decode");
    return;
  }
  Expected& want = (*expected)[hash];
  want.seen = true;
  if (want.overflow) {
    problems.Add("nodes key " + hash.ToHex() + ": the edges into it sum past 2^64 - 1");
  } else if (in[0] != want.in_static || in[1] != want.in_dynamic || in[2] != want.callers) {
    problems.Add("nodes: " + hash.ToHex() + ": stored (in_static " + std::to_string(in[0]) +
                 ", in_dynamic " + std::to_string(in[1]) + ", callers " + std::to_string(in[2]) +
                 ") but edges give (" + std::to_string(want.in_static) + ", " +
                 std::to_string(want.in_dynamic) + ", " + std::to_string(want.callers) + ")");
  }
}

void CheckName(const rocksdb::Slice& key, const rocksdb::Slice& value, ProblemList& problems) {
  if (key.size() != BlobHash::kSize) {
    problems.Add(BadKeySize(Cf::kNames, key));
  } else if (!LooksLikeUtf8(View(value))) {
    problems.Add("names: name of " + BlobHash::FromBytes(key.data()).ToHex() + " is not UTF-8");
  }
}

void CheckLoadRecord(const rocksdb::Slice& key, const rocksdb::Slice& value,
                     ProblemList& problems) {
  uint64_t values[2];
  if (key.size() != BlobHash::kSize || !DecodeVarints(View(value), values, 2)) {
    problems.Add(DescribeKey(Cf::kLoads, View(key)) +
                 ": stored record is corrupt: does not decode");
  }
}

void CheckProfileRecord(const rocksdb::Slice& key, const rocksdb::Slice& value,
                        ProblemList& problems) {
  ProfileInfo profile;
  if (key.size() != profile.id.size() || !DecodeProfile(View(value), &profile)) {
    problems.Add(DescribeKey(Cf::kProfiles, View(key)) +
                 ": stored record is corrupt: does not decode");
  }
}

// Waste rows only need to decode: a count on an edge the store no longer
// holds (dropped by Decay) is read by nobody, and fades with later decays.
void CheckWasteRow(const rocksdb::Slice& key, const rocksdb::Slice& value,
                   std::vector<RowEntry>* entries, ProblemList& problems) {
  if (key.size() != BlobHash::kSize) {
    problems.Add(BadKeySize(Cf::kWaste, key));
  } else if (auto problem = DecodeRow(View(value), entries)) {
    problems.Add(DescribeKey(Cf::kWaste, View(key)) + ": stored record is corrupt: " + *problem);
  }
}

}  // namespace

Status GraphStoreImpl::Verify(std::vector<std::string>* problems_out) const {
  BLOBGRAPH_RETURN_IF_ERROR(VerifyFiles(problems_out));
  ProblemList problems(problems_out);
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.snapshot();
  const rocksdb::Snapshot* at = snapshot.snapshot();
  BLOBGRAPH_RETURN_IF_ERROR(CheckFormatKey(handles_, read, problems));

  EdgeSums sums;
  BLOBGRAPH_RETURN_IF_ERROR(
      ForEachRecord(*NewScan(Cf::kEdges, at), path_, "scanning edges",
                    [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
                      CheckEdgeRow(key, value, options_.model, &sums, problems);
                    }));
  // Format 1 (a read-only open not converted yet) had no totals record.
  if (run_weight_unit_ != 1) {
    BLOBGRAPH_RETURN_IF_ERROR(CheckStoreTotals(handles_, read, sums.summed, problems));
  }
  BLOBGRAPH_RETURN_IF_ERROR(
      ForEachRecord(*NewScan(Cf::kNodes, at), path_, "scanning nodes",
                    [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
                      CheckNodeRecord(key, value, &sums.expected, problems);
                    }));
  for (const auto& [hash, want] : sums.expected) {
    if (!want.seen) problems.Add("nodes: " + hash.ToHex() + " has edges but no node record");
  }
  sums.expected.clear();

  BLOBGRAPH_RETURN_IF_ERROR(
      ForEachRecord(*NewScan(Cf::kNames, at), path_, "scanning names",
                    [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
                      CheckName(key, value, problems);
                    }));
  BLOBGRAPH_RETURN_IF_ERROR(
      ForEachRecord(*NewScan(Cf::kLoads, at), path_, "scanning loads",
                    [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
                      CheckLoadRecord(key, value, problems);
                    }));
  BLOBGRAPH_RETURN_IF_ERROR(
      ForEachRecord(*NewScan(Cf::kProfiles, at), path_, "scanning profiles",
                    [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
                      CheckProfileRecord(key, value, problems);
                    }));
  if (family(Cf::kWaste) != nullptr) {
    BLOBGRAPH_RETURN_IF_ERROR(
        ForEachRecord(*NewScan(Cf::kWaste, at), path_, "scanning waste",
                      [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
                        CheckWasteRow(key, value, &sums.entries, problems);
                      }));
  }
  std::vector<std::string> layer_problems;  // layers.h: decoding, pulled <= graph
  BLOBGRAPH_RETURN_IF_ERROR(VerifyLayers(handles_, &layer_problems));
  for (std::string& problem : layer_problems) problems.Add(std::move(problem));
  return Status::Ok();
}

}  // namespace blobgraph::storage
