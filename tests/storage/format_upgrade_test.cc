// Format 1 stores (whole-run warm-start statistics) still open: read-only as
// they are, and for writing converted to format 2 (fixed-point run weights)
// in one atomic write.
#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "storage/key_layout.h"
#include "storage/raw_records_util.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

std::string Varints(std::initializer_list<uint64_t> values) {
  std::string out;
  for (uint64_t v : values) storage::PutVarint(&out, v);
  return out;
}

// A store as format 1 wrote it: a runs counter and a load record in whole
// runs (2 runs, positions summing to 3).
void WriteFormatOneStore(const std::string& path, const BlobHash& loaded) {
  {
    auto store = OpenOrFail(path);
    ASSERT_NE(store, nullptr);
    GraphUpdate update;
    update.edges = {{loaded, TestHash(9), 1, 4}};
    ASSERT_TRUE(store->Apply(update).ok());
  }
  PutRaw(path, "default", "format", "blobgraph-store 1");
  // Format 1 had no "totals"; a stale value shows the conversion sums anew.
  PutRaw(path, "default", "totals", Varints({0, 0}));
  PutRaw(path, "default", "runs", Varints({2}));
  PutRaw(path, "loads", loaded.AsBytes(), Varints({2, 3}));
}

LoadRecord OnlyLoadRecord(const GraphStore& store) {
  std::vector<LoadRecord> records;
  EXPECT_TRUE(store
                  .ForEachLoadRecord([&](const LoadRecord& r) {
                    records.push_back(r);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(records.size(), 1u);
  return records.empty() ? LoadRecord{} : records[0];
}

TEST(FormatUpgradeTest, FormatOneReadsAsItIsReadOnlyAndConvertsOnWritableOpen) {
  ScratchDir dir;
  BlobHash loaded = TestHash(1);
  WriteFormatOneStore(dir.path(), loaded);
  {
    StoreOptions options;
    options.read_only = true;
    auto store = OpenOrFail(dir.path(), options);
    ASSERT_NE(store, nullptr);
    LoadRecord record = OnlyLoadRecord(*store);
    EXPECT_EQ(record.runs, 2u);
    EXPECT_EQ(record.run_weight, 2 * LoadRecord::kRunWeight);
    EXPECT_DOUBLE_EQ(record.MeanPosition(), 1.5);
    EXPECT_EQ(store->Stats()->runs, 2u);
    std::vector<std::string> problems;
    ASSERT_TRUE(store->Verify(&problems).ok());
    EXPECT_TRUE(problems.empty()) << problems.front();
  }
  EXPECT_EQ(GetRaw(dir.path(), "default", "format"), "blobgraph-store 1");  // untouched
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    LoadRecord record = OnlyLoadRecord(*store);
    EXPECT_EQ(record.runs, 2u);
    EXPECT_EQ(record.position_sum, 3u);
    EXPECT_EQ(store->Stats()->runs, 2u);
    // A new run lands in the new unit beside the converted ones.
    GraphUpdate run;
    run.runs = {{loaded}};
    ASSERT_TRUE(store->Apply(run).ok());
    EXPECT_EQ(OnlyLoadRecord(*store).run_weight, 3 * LoadRecord::kRunWeight);
    EXPECT_EQ(store->Stats()->runs, 3u);
    // Format 2's store-wide totals were summed from the edges.
    std::vector<std::string> problems;
    ASSERT_TRUE(store->Verify(&problems).ok());
    EXPECT_TRUE(problems.empty()) << problems.front();
  }
  EXPECT_EQ(GetRaw(dir.path(), "default", "format"), "blobgraph-store 3");
  EXPECT_EQ(GetRaw(dir.path(), "default", "totals"), Varints({1, 4}));
  uint64_t stored[2];
  auto value = GetRaw(dir.path(), "loads", loaded.AsBytes());
  ASSERT_TRUE(value.has_value());
  ASSERT_TRUE(storage::DecodeVarints(*value, stored, 2));
  EXPECT_EQ(stored[0], 3 * storage::kRunWeightUnit);
  EXPECT_EQ(stored[1], 3 * storage::kRunWeightUnit);
}

TEST(FormatUpgradeTest, UnconvertibleRecordFailsTheOpenNamingItAndChangesNothing) {
  ScratchDir dir;
  BlobHash loaded = TestHash(1);
  WriteFormatOneStore(dir.path(), loaded);
  PutRaw(dir.path(), "loads", TestHash(2).AsBytes(), "\xff");  // does not decode
  auto store = GraphStore::Open(dir.path());
  ASSERT_EQ(store.status().code(), Status::Code::kCorruption);
  EXPECT_NE(store.status().message().find("loads key " + TestHash(2).ToHex()), std::string::npos)
      << store.status().message();
  EXPECT_EQ(GetRaw(dir.path(), "default", "format"), "blobgraph-store 1");
  EXPECT_EQ(GetRaw(dir.path(), "loads", loaded.AsBytes()), Varints({2, 3}));
}

}  // namespace
}  // namespace blobgraph::storage_test
