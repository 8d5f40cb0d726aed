// Apply(): profile refusal, both write paths agreeing, and failed writes
// leaving the store untouched.
#include <random>

#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

// Everything readable through the public API, as comparable values.
struct Snapshot {
  EdgeMap edges;
  std::vector<std::tuple<BlobHash, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t>>
      nodes;
  std::vector<std::pair<BlobHash, std::string>> names;
  std::vector<std::tuple<BlobHash, uint64_t, uint64_t>> loads;
  uint64_t runs = 0, profiles = 0;
  bool operator==(const Snapshot&) const = default;
};

Snapshot Take(const GraphStore& store) {
  Snapshot s;
  s.edges = AllEdges(store);
  EXPECT_TRUE(store
                  .ForEachNode([&](const NodeRecord& n) {
                    s.nodes.emplace_back(n.hash, n.in_static, n.in_dynamic, n.callers, n.out_static,
                                         n.out_dynamic, n.callees);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(store
                  .ForEachName([&](const BlobHash& h, std::string_view name) {
                    s.names.emplace_back(h, std::string(name));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(store
                  .ForEachLoadRecord([&](const LoadRecord& r) {
                    s.loads.emplace_back(r.hash, r.runs, r.position_sum);
                    return Status::Ok();
                  })
                  .ok());
  auto stats = store.Stats();
  EXPECT_TRUE(stats.ok());
  s.runs = stats->runs;
  s.profiles = stats->profiles;
  return s;
}

// `with_static`: static lists are set once per caller, so only a first
// update may carry them (a later different list would be refused).
GraphUpdate RandomUpdate(std::mt19937_64& rng, size_t edges, bool with_static = true) {
  GraphUpdate update;
  for (size_t i = 0; i < edges; ++i) {
    uint64_t caller = rng() % 300, callee = rng() % 300, s = rng() % 3, d = rng() % 5;
    update.edges.push_back({TestHash(caller), TestHash(callee), with_static ? s : 0, d});
  }
  for (int i = 0; i < 20; ++i) update.functions.push_back(TestHash(1000 + rng() % 50));
  for (int i = 0; i < 20; ++i) {
    update.names.emplace_back(TestHash(rng() % 300), "fn" + std::to_string(rng() % 1000));
  }
  update.runs.resize(3);
  for (auto& run : update.runs) {
    for (int i = 0; i < 10; ++i) run.push_back(TestHash(rng() % 300));
  }
  return update;
}

TEST(GraphStoreApplyTest, IngestAndWriteBatchGiveIdenticalStores) {
  ScratchDir batch_dir, ingest_dir;
  auto batch = OpenOrFail(batch_dir.path());
  auto ingest = OpenOrFail(ingest_dir.path());
  ASSERT_NE(batch, nullptr);
  ASSERT_NE(ingest, nullptr);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 5; ++round) {
    GraphUpdate update = RandomUpdate(rng, 2000, /*with_static=*/round == 0);
    ASSERT_TRUE(batch->Apply(update, {WriteMethod::kWriteBatch}).ok());
    ASSERT_TRUE(ingest->Apply(update, {WriteMethod::kIngest}).ok());
  }
  Snapshot a = Take(*batch), b = Take(*ingest);
  EXPECT_GT(a.edges.size(), 1000u);
  EXPECT_TRUE(a == b);
  for (GraphStore* store : {batch.get(), ingest.get()}) {
    std::vector<std::string> problems;
    ASSERT_TRUE(store->Verify(&problems).ok());
    EXPECT_TRUE(problems.empty()) << problems.front();
  }
  // And after compaction both still agree with what they were.
  ASSERT_TRUE(ingest->CompactAll().ok());
  EXPECT_TRUE(Take(*ingest) == a);
}

TEST(GraphStoreApplyTest, DuplicateProfileRefusedUnlessForced) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate update;
  update.edges.push_back({TestHash(1), TestHash(2), 0, 10});
  update.profile = ProfileInfo::NewForThisHost();
  ASSERT_TRUE(store->Apply(update).ok());
  EXPECT_TRUE(store->HasProfile(update.profile->id).value());

  Status again = store->Apply(update);
  EXPECT_EQ(again.code(), Status::Code::kInvalidInput);
  EXPECT_NE(again.message().find(update.profile->IdHex()), std::string::npos) << again.message();
  EXPECT_EQ((AllEdges(*store)[{TestHash(1), TestHash(2)}].second), 10u);

  ApplyOptions force;
  force.force = true;
  ASSERT_TRUE(store->Apply(update, force).ok());
  EXPECT_EQ((AllEdges(*store)[{TestHash(1), TestHash(2)}].second), 20u);
  EXPECT_EQ(store->Stats()->profiles, 1u);
}

TEST(GraphStoreApplyTest, RefusedApplyLeavesStoreExactlyAsBefore) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  std::mt19937_64 rng(11);
  GraphUpdate first = RandomUpdate(rng, 500);
  first.profile = ProfileInfo::NewForThisHost();
  ASSERT_TRUE(store->Apply(first).ok());
  Snapshot before = Take(*store);
  for (WriteMethod method : {WriteMethod::kWriteBatch, WriteMethod::kIngest}) {
    GraphUpdate second = RandomUpdate(rng, 500);
    second.profile = first.profile;  // already merged
    ApplyOptions apply;
    apply.method = method;
    EXPECT_EQ(store->Apply(second, apply).code(), Status::Code::kInvalidInput);
    EXPECT_TRUE(Take(*store) == before);
  }
}

TEST(GraphStoreApplyTest, AutoMethodIngestsLargeUpdatesWithSameResult) {
  ScratchDir auto_dir, batch_dir;
  auto automatic = OpenOrFail(auto_dir.path());
  auto batch = OpenOrFail(batch_dir.path());
  ASSERT_NE(automatic, nullptr);
  ASSERT_NE(batch, nullptr);
  std::mt19937_64 rng(3);
  GraphUpdate update = RandomUpdate(rng, 120000);  // above the auto threshold
  ASSERT_TRUE(automatic->Apply(update).ok());
  ASSERT_TRUE(batch->Apply(update, {WriteMethod::kWriteBatch}).ok());
  EXPECT_TRUE(Take(*automatic) == Take(*batch));
}

}  // namespace
}  // namespace blobgraph::storage_test
