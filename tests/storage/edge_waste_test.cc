// Wasted predictions per edge (GraphUpdate::wasted, CalleeInfo::wasted_count,
// the `waste` column family): exact merging, saturation, atomicity with the
// rest of an update, ageing, reads, and stores written before the family.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "blobgraph/graph_store.h"
#include "tests/storage/raw_records_util.h"
#include "tests/storage/store_test_util.h"

namespace blobgraph {
namespace {

using storage_test::OpenOrFail;
using storage_test::ScratchDir;
using storage_test::TestHash;

const BlobHash a = TestHash(1), b = TestHash(2), c = TestHash(3), d = TestHash(4);

// callee -> wasted_count of `caller`'s row, from Callees().
std::map<BlobHash, uint64_t> WasteOf(const GraphStore& store, const BlobHash& caller) {
  std::map<BlobHash, uint64_t> waste;
  auto row = store.Callees(caller);
  EXPECT_TRUE(row.ok()) << row.status().ToString();
  if (!row.ok()) return waste;
  for (const CalleeInfo& callee : *row) waste[callee.callee] = callee.wasted_count;
  return waste;
}

void ExpectVerified(const GraphStore& store) {
  std::vector<std::string> problems;
  ASSERT_TRUE(store.Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

// a lists b and c; a -> d observed 8 times.
void ApplyGraph(GraphStore* store) {
  GraphUpdate graph;
  graph.edges = {{a, b, 1, 0}, {a, c, 1, 0}, {a, d, 0, 8}};
  ASSERT_TRUE(store->Apply(graph).ok());
}

TEST(EdgeWasteTest, AppliedCountsMergeExactlyAndAreRead) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_NO_FATAL_FAILURE(ApplyGraph(store.get()));
  EXPECT_EQ(WasteOf(*store, a), (std::map<BlobHash, uint64_t>{{b, 0}, {c, 0}, {d, 0}}));
  GraphUpdate first;
  first.wasted = {{a, b, 2}, {a, c, 1}, {a, b, 3}, {a, d, 0}};  // repeats summed
  ASSERT_TRUE(store->Apply(first).ok());
  GraphUpdate second;
  second.wasted = {{a, b, 1}};
  ASSERT_TRUE(store->Apply(second).ok());
  EXPECT_EQ(WasteOf(*store, a), (std::map<BlobHash, uint64_t>{{b, 6}, {c, 1}, {d, 0}}));
  // The dynamic and static counts are untouched.
  auto edges = storage_test::AllEdges(*store);
  EXPECT_EQ((edges[{a, b}]), (std::pair<uint64_t, uint64_t>{1, 0}));
  EXPECT_EQ((edges[{a, d}]), (std::pair<uint64_t, uint64_t>{0, 8}));
  // ForEachCaller reads them as Callees() does.
  std::map<BlobHash, uint64_t> scanned;
  ASSERT_TRUE(store
                  ->ForEachCaller([&](const BlobHash& caller, std::span<const CalleeInfo> row) {
                    EXPECT_EQ(caller, a);
                    for (const CalleeInfo& info : row) scanned[info.callee] = info.wasted_count;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(scanned, WasteOf(*store, a));
  ExpectVerified(*store);
  store.reset();
  store = OpenOrFail(dir.path());  // persisted
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(WasteOf(*store, a)[b], 6u);
}

TEST(EdgeWasteTest, SumsSaturateAtTheCeiling) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_NO_FATAL_FAILURE(ApplyGraph(store.get()));
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  GraphUpdate near;
  near.wasted = {{a, b, kMax - 2}};
  ASSERT_TRUE(store->Apply(near).ok());
  GraphUpdate past;
  past.wasted = {{a, b, 5}, {a, c, kMax}, {a, c, kMax}};
  ASSERT_TRUE(store->Apply(past).ok());
  EXPECT_EQ(WasteOf(*store, a)[b], kMax);
  EXPECT_EQ(WasteOf(*store, a)[c], kMax);
}

TEST(EdgeWasteTest, WrittenInTheSameAtomicWriteAsTheUpdate) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_NO_FATAL_FAILURE(ApplyGraph(store.get()));
  // A different static list for a is refused: none of the update lands.
  GraphUpdate refused;
  refused.edges = {{a, d, 3, 1}};
  refused.wasted = {{a, b, 4}};
  Status status = store->Apply(refused);
  ASSERT_EQ(status.code(), Status::Code::kInvalidInput) << status.ToString();
  EXPECT_EQ(WasteOf(*store, a)[b], 0u);
  GraphUpdate flushed;  // what an engine's flush writes: calls and waste together
  flushed.edges = {{a, d, 0, 2}};
  flushed.wasted = {{a, b, 4}};
  ASSERT_TRUE(store->Apply(flushed).ok());
  EXPECT_EQ(WasteOf(*store, a)[b], 4u);
  EXPECT_EQ((storage_test::AllEdges(*store)[{a, d}]), (std::pair<uint64_t, uint64_t>{0, 10}));
}

TEST(EdgeWasteTest, IngestedUpdateCarriesThemToo) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_NO_FATAL_FAILURE(ApplyGraph(store.get()));
  GraphUpdate update;
  update.edges = {{a, d, 0, 1}};
  update.wasted = {{a, c, 2}, {a, b, 1}};
  ApplyOptions ingest;
  ingest.method = WriteMethod::kIngest;
  ASSERT_TRUE(store->Apply(update, ingest).ok());
  EXPECT_EQ(WasteOf(*store, a), (std::map<BlobHash, uint64_t>{{b, 1}, {c, 2}, {d, 0}}));
}

TEST(EdgeWasteTest, DecayHalvesThemLikeDynamicCounts) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NO_FATAL_FAILURE(ApplyGraph(store.get()));
  GraphUpdate waste;
  waste.wasted = {{a, b, 7}, {a, c, 1}, {a, d, 8}};
  ASSERT_TRUE(store->Apply(waste).ok());
  ASSERT_TRUE(store->Decay(0.5, 0).ok());
  // floor(7/2) = 3 and floor(8/2) = 4 as a -> d's dynamic 8 -> 4; 1 -> 0 goes.
  EXPECT_EQ(WasteOf(*store, a), (std::map<BlobHash, uint64_t>{{b, 3}, {c, 0}, {d, 4}}));
  EXPECT_EQ((storage_test::AllEdges(*store)[{a, d}]), (std::pair<uint64_t, uint64_t>{0, 4}));
  ASSERT_TRUE(store->Decay(0.5, 0).ok());
  ASSERT_TRUE(store->Decay(0.5, 0).ok());
  EXPECT_EQ(WasteOf(*store, a), (std::map<BlobHash, uint64_t>{{b, 0}, {c, 0}, {d, 1}}));
  ExpectVerified(*store);
}

// Drops the `waste` family with raw RocksDB: a store as written before it.
void DropWasteFamily(const std::string& path) {
  // As layers_test does: a raw open with the store's merge operators first
  // (rewriting the format key as it is) so what the WAL held is in tables.
  storage_test::PutRaw(path, "default", "format", "blobgraph-store 3");
  storage_test::DropRaw(path, "waste");
}

TEST(EdgeWasteTest, StoreWrittenBeforeTheFamilyOpensAndGainsIt) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_NO_FATAL_FAILURE(ApplyGraph(store.get()));
  }
  ASSERT_NO_FATAL_FAILURE(DropWasteFamily(dir.path()));
  {
    StoreOptions read_only;
    read_only.read_only = true;
    auto store = OpenOrFail(dir.path(), read_only);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(WasteOf(*store, a), (std::map<BlobHash, uint64_t>{{b, 0}, {c, 0}, {d, 0}}));
    EXPECT_EQ(storage_test::AllEdges(*store).size(), 3u);
    ExpectVerified(*store);
  }
  auto store = OpenOrFail(dir.path());  // a writable open creates the family
  ASSERT_NE(store, nullptr);
  GraphUpdate waste;
  waste.wasted = {{a, b, 2}};
  ASSERT_TRUE(store->Apply(waste).ok());
  EXPECT_EQ(WasteOf(*store, a)[b], 2u);
  ASSERT_TRUE(store->Decay(0.5, 0).ok());
  EXPECT_EQ(WasteOf(*store, a)[b], 1u);
  ExpectVerified(*store);
}

}  // namespace
}  // namespace blobgraph
