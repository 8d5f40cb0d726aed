// WriteSink's ingest path below the public API: updates large enough that
// the SST encoder thread runs, and errors raised on that thread reaching the
// caller with nothing ingested.
#include "storage/write_sink.h"

#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "blobgraph/graph_store.h"
#include "storage/store_options.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage {
namespace {

using storage_test::ScratchDir;
using storage_test::TestHash;

// A raw RocksDB with the store's column families, for driving a sink alone.
class RawStore {
 public:
  explicit RawStore(const std::string& path) {
    TunedOptions tuned = BuildOptions(StoreOptions());
    tuned.db.create_if_missing = true;
    tuned.db.create_missing_column_families = true;
    rocksdb::DB* raw = nullptr;
    status_ = rocksdb::DB::Open(tuned.db, path, tuned.families, &handles_.families, &raw);
    db_.reset(raw);
    handles_.db = raw;
    handles_.path = path;
  }
  ~RawStore() {
    for (auto* handle : handles_.families) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    if (db_) db_->Close().PermitUncheckedError();
  }
  const rocksdb::Status& status() const { return status_; }
  const DbHandles& handles() const { return handles_; }
  size_t CountKeys(Cf cf) const {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_.family(cf)));
    size_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    return count;
  }

 private:
  rocksdb::Status status_;
  std::unique_ptr<rocksdb::DB> db_;
  DbHandles handles_;
};

std::string Key(uint64_t n) {
  std::string key(16, '\0');
  for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(n >> (56 - 8 * i));
  return key;
}

TEST(WriteSinkTest, EncoderErrorReachesCallerAndNothingIsIngested) {
  ScratchDir dir;
  RawStore store(dir.path());
  ASSERT_TRUE(store.status().ok()) << store.status().ToString();
  std::string temp = dir.path() + "/tmp-ingest";
  std::string value(1000, 'v');
  Status status;
  {
    std::unique_ptr<WriteSink> sink = NewIngestSink(store.handles(), temp);
    // ~10 MB: several chunks go through the encoder thread before the
    // out-of-order key, and more after it.
    for (uint64_t i = 0; i < 10000 && status.ok(); ++i) {
      uint64_t n = i == 6000 ? 10 : i + 100;  // key 10 after key 6099
      status = sink->Put(Cf::kNames, Key(n), value);
    }
    if (status.ok()) status = sink->Commit();
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find("-names.sst"), std::string::npos) << status.message();
  }
  EXPECT_EQ(store.CountKeys(Cf::kNames), 0u);
  // The sink removed its files, committed or not.
  std::error_code ignored;
  EXPECT_TRUE(!std::filesystem::exists(temp) || std::filesystem::is_empty(temp, ignored));
}

TEST(WriteSinkTest, LargeIngestKeepsEveryColumnFamilyInOrder) {
  ScratchDir dir;
  RawStore store(dir.path());
  ASSERT_TRUE(store.status().ok()) << store.status().ToString();
  std::string value(500, 'v');
  std::unique_ptr<WriteSink> sink = NewIngestSink(store.handles(), dir.path() + "/tmp-ingest");
  // Interleaved families, ~15 MB in all: each file must still get its own
  // keys in order although chunks mix them.
  for (uint64_t i = 0; i < 10000; ++i) {
    ASSERT_TRUE(sink->Put(Cf::kNames, Key(i), value).ok());
    ASSERT_TRUE(sink->Put(Cf::kProfiles, Key(i), value).ok());
    if (i % 2 == 0) {
      ASSERT_TRUE(sink->Put(Cf::kMeta, Key(i), value).ok());
    }
  }
  Status committed = sink->Commit();
  ASSERT_TRUE(committed.ok()) << committed.message();
  EXPECT_EQ(store.CountKeys(Cf::kNames), 10000u);
  EXPECT_EQ(store.CountKeys(Cf::kProfiles), 10000u);
  EXPECT_EQ(store.CountKeys(Cf::kMeta), 5000u);
}

// Through the public API: an update of several encoder chunks, applied twice
// (the second time every edge exists), gives exactly what WriteBatches give.
TEST(WriteSinkTest, LargeIngestMatchesWriteBatch) {
  ScratchDir ingest_dir, batch_dir;
  auto ingest = storage_test::OpenOrFail(ingest_dir.path());
  auto batch = storage_test::OpenOrFail(batch_dir.path());
  ASSERT_NE(ingest, nullptr);
  ASSERT_NE(batch, nullptr);
  std::mt19937_64 rng(17);
  GraphUpdate update;
  for (int i = 0; i < 200000; ++i) {  // ~7 MB of rows, ~2 MB of node records
    update.edges.push_back(
        {TestHash(rng() % 20000), TestHash(rng() % 60000), rng() % 3, rng() % 4});
  }
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(ingest->Apply(update, {WriteMethod::kIngest}).ok());
    ASSERT_TRUE(batch->Apply(update, {WriteMethod::kWriteBatch}).ok());
  }
  storage_test::EdgeMap edges = storage_test::AllEdges(*ingest);
  EXPECT_GT(edges.size(), 150000u);
  EXPECT_TRUE(edges == storage_test::AllEdges(*batch));
  std::vector<std::tuple<BlobHash, uint64_t, uint64_t, uint64_t>> nodes[2];
  int which = 0;
  for (GraphStore* store : {ingest.get(), batch.get()}) {
    ASSERT_TRUE(store
                    ->ForEachNode([&](const NodeRecord& n) {
                      nodes[which].emplace_back(n.hash, n.in_static, n.in_dynamic, n.callers);
                      return Status::Ok();
                    })
                    .ok());
    std::vector<std::string> problems;
    ASSERT_TRUE(store->Verify(&problems).ok());
    EXPECT_TRUE(problems.empty()) << problems.front();
    ++which;
  }
  EXPECT_GT(nodes[0].size(), 55000u);
  EXPECT_TRUE(nodes[0] == nodes[1]);
}

}  // namespace
}  // namespace blobgraph::storage
