// GraphStoreImpl::Verify: re-derives every node's incoming totals from the
// edge rows of one snapshot and compares them with the stored node records,
// after checking that every record decodes.
#include <unordered_map>

#include <rocksdb/snapshot.h>

#include "storage/graph_store_impl.h"
#include "storage/key_layout.h"
#include "storage/rocks_status.h"

namespace blobgraph::storage {
namespace {

constexpr size_t kMaxProblems = 100;

struct Expected {
  uint64_t in_static = 0, in_dynamic = 0, callers = 0;
  bool seen = false;  // a node record exists
};

std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

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
  if (!got.ok() || ParseFormatValue(format) != kFormatVersion) {
    problems.Add("meta: format key is '" + format + "', expected '" +
                 FormatValue(kFormatVersion) + "'");
  }

  std::unordered_map<BlobHash, Expected> expected;
  std::vector<RowEntry> entries;
  std::unique_ptr<rocksdb::Iterator> it = NewScan(Cf::kEdges, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) {
      problems.Add("edges: key of " + std::to_string(it->key().size()) + " bytes");
      continue;
    }
    BlobHash caller = BlobHash::FromBytes(it->key().data());
    expected[caller];
    if (auto problem = DecodeRow(View(it->value()), &entries)) {
      problems.Add("edges: row of " + caller.ToHex() + ": " + *problem);
      continue;
    }
    if (entries.empty()) problems.Add("edges: row of " + caller.ToHex() + " is empty");
    for (const RowEntry& entry : entries) {
      Expected& in = expected[entry.callee];
      in.in_static += entry.static_count;
      in.in_dynamic += entry.dynamic_count;
      ++in.callers;
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning edges"));

  it = NewScan(Cf::kNodes, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != BlobHash::kSize) {
      problems.Add("nodes: key of " + std::to_string(it->key().size()) + " bytes");
      continue;
    }
    BlobHash hash = BlobHash::FromBytes(it->key().data());
    uint64_t in[3];
    if (!DecodeVarints(View(it->value()), in, 3)) {
      problems.Add("nodes: record of " + hash.ToHex() + " does not decode");
      continue;
    }
    Expected& want = expected[hash];
    want.seen = true;
    if (in[0] != want.in_static || in[1] != want.in_dynamic || in[2] != want.callers) {
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
      problems.Add("names: key of " + std::to_string(it->key().size()) + " bytes");
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
      problems.Add("loads: record with key of " + std::to_string(it->key().size()) +
                   " bytes does not decode");
    }
  }
  BLOBGRAPH_RETURN_IF_ERROR(FromRocks(it->status(), path_ + ": scanning loads"));

  it = NewScan(Cf::kProfiles, snapshot.snapshot());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ProfileInfo profile;
    if (it->key().size() != profile.id.size() || !DecodeProfile(View(it->value()), &profile)) {
      problems.Add("profiles: record with key of " + std::to_string(it->key().size()) +
                   " bytes does not decode");
    }
  }
  return FromRocks(it->status(), path_ + ": scanning profiles");
}

}  // namespace blobgraph::storage
