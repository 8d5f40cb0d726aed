// Static call sites are set once per caller (storage/row_plan.h): the same
// list again is a no-op, a different one is refused naming the caller with
// nothing of the update applied, by both write methods and under concurrent
// writers.
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

class StaticListTest : public ::testing::TestWithParam<WriteMethod> {
 protected:
  void SetUp() override {
    store_ = OpenOrFail(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  Status Apply(const std::vector<EdgeDelta>& edges) {
    GraphUpdate update;
    update.edges = edges;
    return store_->Apply(update, {GetParam()});
  }
  uint64_t InStatic(const BlobHash& hash) {
    auto node = store_->Node(hash);
    EXPECT_TRUE(node.ok() && node->has_value());
    return node.ok() && node->has_value() ? (*node)->in_static : ~uint64_t{0};
  }

  ScratchDir dir_;
  std::unique_ptr<GraphStore> store_;
  BlobHash a_ = TestHash(1), b_ = TestHash(2), c_ = TestHash(3), d_ = TestHash(4);
};

TEST_P(StaticListTest, SameListAgainAddsOnlyDynamicCounts) {
  ASSERT_TRUE(Apply({{a_, b_, 2, 0}, {a_, c_, 1, 7}}).ok());
  // The same list, split into repeats and with dynamic counts beside it.
  ASSERT_TRUE(Apply({{a_, c_, 1, 0}, {a_, b_, 1, 3}, {a_, b_, 1, 0}}).ok());
  EdgeMap edges = AllEdges(*store_);
  EXPECT_EQ((edges[{a_, b_}]), std::make_pair(uint64_t{2}, uint64_t{3}));
  EXPECT_EQ((edges[{a_, c_}]), std::make_pair(uint64_t{1}, uint64_t{7}));
  EXPECT_EQ(InStatic(b_), 2u);
  EXPECT_EQ(store_->Node(b_)->value().callers, 1u);
  std::vector<std::string> problems;
  ASSERT_TRUE(store_->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST_P(StaticListTest, StaticListJoinsACallerKnownOnlyByItsCalls) {
  ASSERT_TRUE(Apply({{a_, b_, 0, 5}}).ok());
  ASSERT_TRUE(Apply({{a_, b_, 1, 0}, {a_, c_, 1, 0}}).ok());
  EdgeMap edges = AllEdges(*store_);
  EXPECT_EQ((edges[{a_, b_}]), std::make_pair(uint64_t{1}, uint64_t{5}));
  EXPECT_EQ((edges[{a_, c_}]), std::make_pair(uint64_t{1}, uint64_t{0}));
}

TEST_P(StaticListTest, DifferentListIsRefusedNamingTheCallerAndNothingApplies) {
  ASSERT_TRUE(Apply({{a_, b_, 2, 0}, {a_, c_, 1, 0}}).ok());
  EdgeMap before = AllEdges(*store_);
  for (const auto& edges : std::vector<std::vector<EdgeDelta>>{
           {{d_, b_, 1, 1}, {a_, b_, 1, 0}, {a_, c_, 1, 0}},                     // a count differs
           {{d_, b_, 1, 1}, {a_, b_, 2, 0}},                                     // a callee missing
           {{d_, b_, 1, 1}, {a_, b_, 2, 0}, {a_, c_, 1, 0}, {a_, d_, 1, 0}}}) {  // one more
    Status status = Apply(edges);
    EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
    EXPECT_NE(status.message().find("caller " + a_.ToHex()), std::string::npos) << status.message();
    EXPECT_EQ(AllEdges(*store_), before);  // d's new row did not land either
    EXPECT_FALSE(store_->Node(d_)->has_value());
  }
}

INSTANTIATE_TEST_SUITE_P(BothWriteMethods, StaticListTest,
                         ::testing::Values(WriteMethod::kWriteBatch, WriteMethod::kIngest));

TEST(StaticListConcurrencyTest, OfConflictingListsFromEightThreadsExactlyOneWins) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> won{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      GraphUpdate update;
      // Thread t's list: caller 1 -> callee 100 + t; plus a call of its own.
      update.edges = {{TestHash(1), TestHash(100 + t), 1, 1},
                      {TestHash(10 + t), TestHash(2), 0, 1}};
      ApplyOptions apply;
      apply.method = t % 2 ? WriteMethod::kIngest : WriteMethod::kWriteBatch;
      start.arrive_and_wait();
      Status status = store->Apply(update, apply);
      if (status.ok()) {
        ++won;
      } else if (status.code() == Status::Code::kInvalidInput) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  auto callees = store->Callees(TestHash(1));
  ASSERT_TRUE(callees.ok());
  ASSERT_EQ(callees->size(), 1u);  // the winner's list alone
  EXPECT_EQ((*callees)[0].static_count, 1u);
  EXPECT_EQ(store->Node(TestHash(2))->value().callers, 1u);  // only the winner's other edge
  std::vector<std::string> problems;
  ASSERT_TRUE(store->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

}  // namespace
}  // namespace blobgraph::storage_test
