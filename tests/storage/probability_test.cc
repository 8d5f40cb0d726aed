// Callee probabilities: hand-worked values, ordering, and that they form a
// distribution over each caller's callees.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

TEST(GraphStoreProbabilityTest, MatchesHandWorkedValuesAndOrder) {
  ScratchDir dir;
  StoreOptions options;
  options.model.prior_weight = 2.0;
  auto store = OpenOrFail(dir.path(), options);
  ASSERT_NE(store, nullptr);
  BlobHash caller = TestHash(1), x = TestHash(2), y = TestHash(3), z = TestHash(4);
  GraphUpdate update;
  // prior_weight 2, largest dynamic count 6: prior strength A = 2*6 = 12.
  // S=4, D=10, denominator 12*4+10 = 58.
  update.edges = {{caller, x, 3, 0}, {caller, y, 1, 6}, {caller, z, 0, 4}};
  ASSERT_TRUE(store->Apply(update).ok());
  auto callees = store->Callees(caller);
  ASSERT_TRUE(callees.ok());
  ASSERT_EQ(callees->size(), 3u);
  EXPECT_EQ((*callees)[0].callee, x);  // (12*3+0)/58 = 36/58
  EXPECT_DOUBLE_EQ((*callees)[0].probability, 36.0 / 58);
  EXPECT_EQ((*callees)[1].callee, y);  // (12*1+6)/58 = 18/58
  EXPECT_DOUBLE_EQ((*callees)[1].probability, 18.0 / 58);
  EXPECT_EQ((*callees)[2].callee, z);  // (0+4)/58 = 4/58
  EXPECT_DOUBLE_EQ((*callees)[2].probability, 4.0 / 58);
}

TEST(GraphStoreProbabilityTest, StaticOnlyGivesCallSiteShareAndTiesSortByHash) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate update;
  for (uint64_t i = 0; i < 4; ++i) update.edges.push_back({TestHash(1), TestHash(10 + i), 2, 0});
  ASSERT_TRUE(store->Apply(update).ok());
  auto callees = store->Callees(TestHash(1));
  ASSERT_TRUE(callees.ok());
  ASSERT_EQ(callees->size(), 4u);
  for (size_t i = 0; i < callees->size(); ++i) {
    EXPECT_DOUBLE_EQ((*callees)[i].probability, 0.25);
    if (i > 0) {
      EXPECT_LT((*callees)[i - 1].callee, (*callees)[i].callee);
    }
  }
  EXPECT_TRUE(store->Callees(TestHash(99))->empty());
}

TEST(GraphStoreProbabilityTest, RandomGraphsSumToOnePerCaller) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  std::mt19937_64 rng(42);
  for (int round = 0; round < 4; ++round) {
    GraphUpdate update;
    for (int i = 0; i < 3000; ++i) {
      // Static lists are set once per caller: only the first round has them.
      uint64_t s = rng() % 3, d = rng() % 4 == 0 ? rng() % 1000 : 0;
      if (round > 0) s = 0;
      update.edges.push_back({TestHash(rng() % 200), TestHash(rng() % 500), s, d});
    }
    ApplyOptions apply;
    apply.method = round % 2 ? WriteMethod::kIngest : WriteMethod::kWriteBatch;
    ASSERT_TRUE(store->Apply(update, apply).ok());
  }
  size_t callers = 0;
  Status status = store->ForEachCaller([&](const BlobHash&, std::span<const CalleeInfo> callees) {
    double sum = 0;
    for (size_t i = 0; i < callees.size(); ++i) {
      EXPECT_GE(callees[i].probability, 0.0);
      EXPECT_LE(callees[i].probability, 1.0);
      if (i > 0) {
        EXPECT_GE(callees[i - 1].probability, callees[i].probability);
      }
      sum += callees[i].probability;
    }
    EXPECT_NEAR(sum, 1.0, 1e-9);
    ++callers;
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(callers, 200u);
}

}  // namespace
}  // namespace blobgraph::storage_test
