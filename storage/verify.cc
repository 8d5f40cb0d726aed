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
    problems.Add("edges key " + caller.ToHex() + ": probabilities sum to " +
                 std::to_string(sum) + ", more than 1");
  }
}

// The meta "totals" (key_layout.h) against the sums of the edges: Apply
// skips its node-record reads while they fit, so they must not be low.
template <typename Problems>
Status CheckStoreTotals(const DbHandles& handles, const rocksdb::ReadOptions& read,
                        const uint64_t* summed, Problems& problems) {
  std::string value;
  rocksdb::Status got = handles.db->Get(read, handles.family(Cf::kMeta),
                                        rocksdb::Slice(kTotalsKey.data(), kTotalsKey.size()), &value);
  if (!got.ok() && !got.IsNotFound()) {
    return FromRocks(got, handles.path + ": reading " + DescribeKey(Cf::kMeta, kTotalsKey));
  }
  uint64_t stored[2] = {0, 0};
  if (got.ok() && !DecodeVarints(value, stored, 2)) {
    problems.Add(DescribeKey(Cf::kMeta, kTotalsKey) + ": stored record is corrupt: does not decode");
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

}  // namespace

Status GraphStoreImpl::Verify(std::vector<std::string>* problems_out) const {
  BLOBGRAPH_RETURN_IF_ERROR(VerifyFiles(problems_out));
  ProblemList problems(problems_out);
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.snapshot();
  std::string format;
  rocksdb::Status got = db_->Get(read, family(Cf::kMeta),
                                 rocksdb::Slice(kFormatKey.data(), kFormatKey.size()), &format);
  if (!got.ok() && !got.IsNotFound()) return FromRocks(got, path_ + ": reading meta");
  // Older formats are readable (a read-only open of a store not converted
  // yet); newer or unparseable ones are not.
  std::optional<int> version = got.ok() ? ParseFormatValue(format) : std::nullopt;
  if (!version || *version > kFormatVersion) {
    problems.Add("meta: format key is '" + format + "', expected '" +
                 FormatValue(kFormatVersion) + "'");
  }

  std::unordered_map<BlobHash, Expected> expected;
  std::vector<RowEntry> entries;
  uint64_t summed[2] = {0, 0};  // every edge's static and dynamic counts
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kEdges, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) {
      problems.Add(DescribeKey(Cf::kEdges, View(it->key())) + ": stored record is corrupt: key of " +
                   std::to_string(it->key().size()) + " bytes");
      continue;
    }
    BlobHash caller = BlobHash::FromBytes(it->key().data());
    expected[caller];
    if (auto problem = DecodeRow(View(it->value()), &entries)) {
      problems.Add("edges key " + caller.ToHex() + ": stored record is corrupt: " + *problem);
      continue;
    }
    if (entries.empty()) problems.Add("edges key " + caller.ToHex() + ": row is empty");
    CheckRowCounts(caller, entries, options_.model, problems);
    for (const RowEntry& entry : entries) {
      AddExpected(entry, &expected[entry.callee]);
      summed[0] = SaturatingAdd(summed[0], entry.static_count);
      summed[1] = SaturatingAdd(summed[1], entry.dynamic_count);
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning edges"));
  // Format 1 (a read-only open not converted yet) had no totals record.
  if (run_weight_unit_ != 1) {
    BLOBGRAPH_RETURN_IF_ERROR(CheckStoreTotals(handles_, read, summed, problems));
  }

  it = NewScan(Cf::kNodes, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) {
      problems.Add(DescribeKey(Cf::kNodes, View(it->key())) + ": stored record is corrupt: key of " +
                   std::to_string(it->key().size()) + " bytes");
      continue;
    }
    BlobHash hash = BlobHash::FromBytes(it->key().data());
    uint64_t in[kNodeFields];
    if (!DecodeVarints(View(it->value()), in, kNodeFields)) {
      problems.Add("nodes key " + hash.ToHex() + ": stored record is corrupt: does not decode");
      continue;
    }
    Expected& want = expected[hash];
    want.seen = true;
    if (want.overflow) {
      problems.Add("nodes key " + hash.ToHex() + ": the edges into it sum past 2^64 - 1");
    } else if (in[0] != want.in_static || in[1] != want.in_dynamic || in[2] != want.callers) {
      problems.Add("nodes: " + hash.ToHex() + ": stored (in_static " + std::to_string(in[0]) +
                   ", in_dynamic " + std::to_string(in[1]) + ", callers " +
                   std::to_string(in[2]) + ") but edges give (" +
                   std::to_string(want.in_static) + ", " + std::to_string(want.in_dynamic) +
                   ", " + std::to_string(want.callers) + ")");
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning nodes"));
  for (const auto& [hash, want] : expected) {
    if (!want.seen) problems.Add("nodes: " + hash.ToHex() + " has edges but no node record");
  }
  expected.clear();

  it = NewScan(Cf::kNames, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) {
      problems.Add(DescribeKey(Cf::kNames, View(it->key())) + ": stored record is corrupt: key of " +
                   std::to_string(it->key().size()) + " bytes");
    } else if (!LooksLikeUtf8(View(it->value()))) {
      problems.Add("names: name of " + BlobHash::FromBytes(it->key().data()).ToHex() +
                   " is not UTF-8");
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning names"));

  it = NewScan(Cf::kLoads, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t values[2];
    if (it->key().size() != BlobHash::kSize || !DecodeVarints(View(it->value()), values, 2)) {
      problems.Add(DescribeKey(Cf::kLoads, View(it->key())) +
                   ": stored record is corrupt: does not decode");
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning loads"));

  it = NewScan(Cf::kProfiles, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ProfileInfo profile;
    if (it->key().size() != profile.id.size() || !DecodeProfile(View(it->value()), &profile)) {
      problems.Add(DescribeKey(Cf::kProfiles, View(it->key())) +
                   ": stored record is corrupt: does not decode");
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning profiles"));
  // Waste rows only need to decode: a count on an edge the store no longer
  // holds (dropped by Decay) is read by nobody, and fades with later decays.
  if (family(Cf::kWaste) != nullptr) {
    it = NewScan(Cf::kWaste, snapshot.snapshot());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != BlobHash::kSize) {
        problems.Add(DescribeKey(Cf::kWaste, View(it->key())) +
                     ": stored record is corrupt: key of " + std::to_string(it->key().size()) +
                     " bytes");
      } else if (auto problem = DecodeRow(View(it->value()), &entries)) {
        problems.Add(DescribeKey(Cf::kWaste, View(it->key())) + ": stored record is corrupt: " +
                     *problem);
      }
    }
    BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning waste"));
  }
  std::vector<std::string> layer_problems;  // layers.h: decoding, pulled <= graph
  BLOBGRAPH_RETURN_IF_ERROR(VerifyLayers(handles_, &layer_problems));
  for (std::string& problem : layer_problems) problems.Add(std::move(problem));
  return Status::Ok();
}

}  // namespace blobgraph::storage
