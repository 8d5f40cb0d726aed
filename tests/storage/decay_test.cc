// Ageing: dynamic counts and warm-start statistics scale down, stale edges
// go, static call sites stay, node totals follow the edges. (The CLI-level
// warm-start cases are in tests/tools/decay_warm_start_test.cc.)
#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

TEST(GraphStoreDecayTest, ScalesDropsAndKeepsStaticEdges) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  BlobHash a = TestHash(1), b = TestHash(2), c = TestHash(3), d = TestHash(4);
  GraphUpdate update;
  update.edges = {{a, b, 0, 9},         // 9*0.5 = 4.5 -> 4: kept
                  {a, c, 0, 3},         // 1: dropped (below 2)
                  {a, d, 1, 1},         // 0, but a call site: kept
                  {b, c, 0, 2}};        // 1: dropped, b's row disappears
  update.runs = {{a, b}, {a}, {a, c}};  // a: runs 3; b: 1 run pos 1; c: 1 run pos 1
  ASSERT_TRUE(store->Apply(update).ok());

  ASSERT_TRUE(store->Decay(0.5, 2).ok());
  EdgeMap edges = AllEdges(*store);
  ASSERT_EQ(edges.size(), 2u);
  EXPECT_EQ((edges[{a, b}]), std::make_pair(uint64_t{0}, uint64_t{4}));
  EXPECT_EQ((edges[{a, d}]), std::make_pair(uint64_t{1}, uint64_t{0}));
  EXPECT_TRUE(store->Callees(b)->empty());

  auto node_c = store->Node(c);
  ASSERT_TRUE(node_c.ok() && node_c->has_value());  // the function stays known
  EXPECT_EQ((*node_c)->callers, 0u);
  EXPECT_EQ((*node_c)->in_dynamic, 0u);
  auto node_b = store->Node(b);
  EXPECT_EQ((*node_b)->callers, 1u);
  EXPECT_EQ((*node_b)->in_dynamic, 4u);
  EXPECT_EQ((*node_b)->callees, 0u);

  std::map<BlobHash, LoadRecord> loads;
  ASSERT_TRUE(store
                  ->ForEachLoadRecord([&](const LoadRecord& r) {
                    loads[r.hash] = r;
                    return Status::Ok();
                  })
                  .ok());
  // Run weights fade, they are not rounded away: a's 3 runs weigh 1.5 now,
  // b's and c's single run 0.5 each (whole runs are rounded up).
  ASSERT_EQ(loads.size(), 3u);
  EXPECT_EQ(loads[a].run_weight, 3 * LoadRecord::kRunWeight / 2);
  EXPECT_EQ(loads[a].runs, 2u);
  EXPECT_EQ(loads[b].run_weight, LoadRecord::kRunWeight / 2);
  EXPECT_EQ(loads[b].runs, 1u);
  EXPECT_DOUBLE_EQ(loads[b].MeanPosition(), 1.0);
  EXPECT_EQ(store->Stats()->runs, 2u);  // 3 runs * 0.5, rounded up

  std::vector<std::string> problems;
  ASSERT_TRUE(store->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();

  // New increments after ageing land on the aged counts, callers stay exact.
  GraphUpdate again;
  again.edges = {{b, c, 0, 5}, {a, b, 0, 1}};
  ASSERT_TRUE(store->Apply(again).ok());
  EXPECT_EQ(store->Node(c)->value().callers, 1u);
  EXPECT_EQ(store->Node(b)->value().callers, 1u);
  EXPECT_EQ(store->Node(b)->value().in_dynamic, 5u);
  problems.clear();
  ASSERT_TRUE(store->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(GraphStoreDecayTest, SurvivesReopenAndFactorOneIsIdentity) {
  ScratchDir dir;
  BlobHash a = TestHash(1), b = TestHash(2);
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    GraphUpdate update;
    update.edges = {{a, b, 2, 101}};
    ASSERT_TRUE(store->Apply(update).ok());
    ASSERT_TRUE(store->Decay(1.0, 0).ok());
    EXPECT_EQ((AllEdges(*store)[{a, b}]), std::make_pair(uint64_t{2}, uint64_t{101}));
    ASSERT_TRUE(store->Decay(0.1, 0).ok());
  }
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ((AllEdges(*store)[{a, b}]), std::make_pair(uint64_t{2}, uint64_t{10}));
  EXPECT_EQ(store->Node(b)->value().in_dynamic, 10u);
}

TEST(GraphStoreDecayTest, RejectsFactorOutsideUnitInterval) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  for (double factor : {0.0, -0.5, 1.5}) {
    Status status = store->Decay(factor, 1);
    EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
    EXPECT_NE(status.message().find("(0, 1]"), std::string::npos);
  }
}

}  // namespace
}  // namespace blobgraph::storage_test
