// Concurrent writers and readers in one process: increments never get lost.
#include <latch>
#include <thread>

#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

TEST(GraphStoreConcurrencyTest, MergeIncrementsFromEightThreadsSumExactly) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8, kRounds = 50, kCallees = 20;
  std::latch start(kThreads + 1);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int round = 0; round < kRounds; ++round) {
        GraphUpdate update;
        // Every thread hits the same rows, plus a caller of its own.
        for (int c = 0; c < kCallees; ++c) {
          update.edges.push_back({TestHash(1), TestHash(100 + c), 1, static_cast<uint64_t>(t)});
        }
        update.edges.push_back({TestHash(10 + t), TestHash(100), 0, 1});
        ApplyOptions apply;
        apply.method = round % 10 == 9 ? WriteMethod::kIngest : WriteMethod::kWriteBatch;
        if (!store->Apply(update, apply).ok()) ++failures;
        // Reads run alongside the writes.
        if (!store->Callees(TestHash(1)).ok()) ++failures;
      }
    });
  }
  start.arrive_and_wait();
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  auto callees = store->Callees(TestHash(1));
  ASSERT_TRUE(callees.ok());
  ASSERT_EQ(callees->size(), static_cast<size_t>(kCallees));
  for (const CalleeInfo& callee : *callees) {
    // Every update repeats caller 1's static list: it is set once, exactly.
    EXPECT_EQ(callee.static_count, 1u);
    EXPECT_EQ(callee.dynamic_count, uint64_t{kRounds * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7)});
  }
  auto node = store->Node(TestHash(100));
  ASSERT_TRUE(node.ok() && node->has_value());
  EXPECT_EQ((*node)->callers, uint64_t{1 + kThreads});
  EXPECT_EQ((*node)->in_dynamic, uint64_t{kRounds * (28 + kThreads)});
  std::vector<std::string> problems;
  ASSERT_TRUE(store->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

}  // namespace
}  // namespace blobgraph::storage_test
