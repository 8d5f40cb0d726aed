// The store keeps the lifetime feedback totals engines flush into it.
#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "store_test_util.h"

namespace blobgraph::storage_test {
namespace {

TEST(FeedbackTotalsTest, UpdatesAddAcrossWritesAndSurviveReopen) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    GraphUpdate first;
    first.feedback = FeedbackStats{10, 6, 4, 1, 3};
    ASSERT_TRUE(store->Apply(first).ok());
    GraphUpdate second;  // through SST ingestion, with a run beside it
    second.feedback = FeedbackStats{5, 2, 2, 0, 1};
    second.runs = {{TestHash(1), TestHash(2)}};
    ApplyOptions ingest;
    ingest.method = WriteMethod::kIngest;
    ASSERT_TRUE(store->Apply(second, ingest).ok());
  }
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->feedback.requests, 15u);
  EXPECT_EQ(stats->feedback.issued, 8u);
  EXPECT_EQ(stats->feedback.hits, 6u);
  EXPECT_EQ(stats->feedback.wasted, 1u);
  EXPECT_EQ(stats->feedback.stalls, 4u);
  EXPECT_EQ(stats->runs, 1u);
}

TEST(FeedbackTotalsTest, DecayLeavesLifetimeTotalsAlone) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate update;
  update.feedback = FeedbackStats{8, 8, 8, 0, 0};
  update.edges = {{TestHash(1), TestHash(2), 0, 8}};
  ASSERT_TRUE(store->Apply(update).ok());
  ASSERT_TRUE(store->Decay(0.5, 1).ok());
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->feedback.hits, 8u);
  EXPECT_EQ(stats->dynamic_total, 4u);
}

}  // namespace
}  // namespace blobgraph::storage_test
