// HotSubgraph: CSR layout, lookups, leaves and measured size.
#include "engine/hot_subgraph.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/engine/engine_test_util.h"

namespace blobgraph::engine {
namespace {

using testing::MakeHash;
using Callee = HotSubgraphBuilder::Callee;

TEST(HotSubgraphTest, EmptyGraphFindsNothing) {
  HotSubgraphBuilder builder;
  auto graph = builder.Build();
  EXPECT_EQ(graph->node_count(), 0u);
  EXPECT_EQ(graph->Find(MakeHash(1)), kNoNode);
}

TEST(HotSubgraphTest, RowsKeepOrderAndCalleesBecomeLeaves) {
  HotSubgraphBuilder builder;
  std::vector<Callee> row = {{MakeHash(2), 0.6f}, {MakeHash(3), 0.4f}};
  ASSERT_TRUE(builder.AddCaller(MakeHash(1), row));
  EXPECT_FALSE(builder.AddCaller(MakeHash(1), row));  // first row wins
  auto graph = builder.Build();
  uint32_t a = graph->Find(MakeHash(1));
  ASSERT_NE(a, kNoNode);
  EXPECT_TRUE(graph->complete(a));
  ASSERT_EQ(graph->edges(a).size(), 2u);
  EXPECT_EQ(graph->hash(graph->edges(a)[0].target), MakeHash(2));
  EXPECT_FLOAT_EQ(graph->edges(a)[0].probability, 0.6f);
  EXPECT_EQ(graph->hash(graph->edges(a)[1].target), MakeHash(3));
  uint32_t b = graph->Find(MakeHash(2));
  ASSERT_NE(b, kNoNode);
  EXPECT_FALSE(graph->complete(b));  // a leaf: its own callees are not here
  EXPECT_TRUE(graph->edges(b).empty());
  EXPECT_EQ(graph->complete_count(), 1u);
}

TEST(HotSubgraphTest, CalleeMetBeforeItsRowBecomesComplete) {
  HotSubgraphBuilder builder;
  std::vector<Callee> a_row = {{MakeHash(2), 1.0f}};
  std::vector<Callee> b_row = {{MakeHash(3), 1.0f}};
  builder.AddCaller(MakeHash(1), a_row);
  builder.AddCaller(MakeHash(2), b_row);
  auto graph = builder.Build();
  uint32_t b = graph->Find(MakeHash(2));
  ASSERT_TRUE(graph->complete(b));
  ASSERT_EQ(graph->edges(b).size(), 1u);
  EXPECT_EQ(graph->hash(graph->edges(b)[0].target), MakeHash(3));
}

TEST(HotSubgraphTest, FindsEveryOneOfManyRandomHashes) {
  std::mt19937_64 rng(7);
  std::vector<BlobHash> hashes;
  HotSubgraphBuilder builder;
  for (int i = 0; i < 20000; ++i) {
    uint64_t words[4] = {rng(), rng(), rng(), rng()};
    hashes.push_back(BlobHash::FromBytes(words));
  }
  std::vector<Callee> row;
  for (int i = 0; i < 20000; ++i) {
    row.assign({{hashes[(i + 1) % hashes.size()], 1.0f}});
    builder.AddCaller(hashes[i], row);
  }
  auto graph = builder.Build();
  for (const BlobHash& hash : hashes) {
    uint32_t node = graph->Find(hash);
    ASSERT_NE(node, kNoNode);
    ASSERT_EQ(graph->hash(node), hash);
  }
  uint64_t absent[4] = {1, 2, 3, 4};
  EXPECT_EQ(graph->Find(BlobHash::FromBytes(absent)), kNoNode);
}

TEST(HotSubgraphTest, MeasuredBytesStayWithinBudgetPerEdgeAndFunction) {
  std::mt19937_64 rng(3);
  std::vector<BlobHash> hashes;
  for (int i = 0; i < 5000; ++i) {
    uint64_t words[4] = {rng(), rng(), rng(), rng()};
    hashes.push_back(BlobHash::FromBytes(words));
  }
  HotSubgraphBuilder builder;
  std::vector<Callee> row;
  for (size_t i = 0; i < hashes.size(); ++i) {
    row.clear();
    for (int k = 0; k < 8; ++k) row.push_back({hashes[rng() % hashes.size()], 1.0f / (k + 1)});
    builder.AddCaller(hashes[i], row);
  }
  auto graph = builder.Build();
  EXPECT_LE(graph->bytes(), 24 * graph->edge_count() + 64 * graph->node_count());
}

}  // namespace
}  // namespace blobgraph::engine
