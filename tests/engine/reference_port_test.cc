// Every test of ../shared/reference/blob_prefetch.rs, ported to the engine
// over a real store (and the queue-style Prefetcher where the reference used
// its queue). The reference's weights are replaced by blobgraph's
// probability model (include/blobgraph/probability.h):
//   p = (A*s + d) / (A*S + D), A = prior_weight * max(1, the largest dynamic
//   count among the caller's edges), prior_weight = 1,
// where the reference ranked by static share + a dynamic share that could
// sum to 2. Where that changes a number, the test says so.
#include <gtest/gtest.h>

#include <algorithm>

#include "blobgraph/engine.h"
#include "blobgraph/prefetcher.h"
#include "tests/engine/engine_test_util.h"

namespace blobgraph {
namespace {

using testing::ApplyDependencies;
using testing::MakeHash;
using testing::OpenEngine;
using testing::QuietOptions;
using testing::TempStore;

const BlobHash a = MakeHash(1), b = MakeHash(2), c = MakeHash(3), d = MakeHash(4);

// likely_callees(hash, top_n) == a depth-1 walk with no probability floor.
std::vector<Prediction> LikelyCallees(Engine* engine, const BlobHash& hash, uint32_t top_n) {
  PrefetchOptions options;
  options.max_depth = 1;
  options.top_n = top_n;
  options.min_probability = 0;
  std::vector<Prediction> out(16);
  out.resize(engine->Prefetch(hash, options, out.data(), out.size()));
  return out;
}

bool Contains(const std::vector<BlobHash>& queue, const BlobHash& hash) {
  return std::find(queue.begin(), queue.end(), hash) != queue.end();
}

// test_call_graph_empty
TEST(ReferencePortTest, EmptyGraphHasNoCallees) {
  TempStore store;
  auto engine = OpenEngine(store.get());
  EXPECT_TRUE(LikelyCallees(engine.get(), a, 4).empty());
}

// test_call_graph_build_and_likely_callees: a calls b twice and c once.
TEST(ReferencePortTest, CallSiteCountsRankCallees) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, b, c}}});
  auto engine = OpenEngine(store.get());
  auto top = LikelyCallees(engine.get(), a, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].hash, b);
  // Nobody ran: each call site is taken with the default list precision
  // m = 0.3, so p(b) = 1 - 0.7^2 (two sites) and p(c) = 0.3 (one).
  EXPECT_NEAR(top[0].probability, 1 - 0.7 * 0.7, 1e-5);
  EXPECT_EQ(top[1].hash, c);
  EXPECT_NEAR(top[1].probability, 0.3, 1e-5);
}

// test_call_graph_top_n_truncation
TEST(ReferencePortTest, TopNTruncates) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c, d}}});
  auto engine = OpenEngine(store.get());
  EXPECT_EQ(LikelyCallees(engine.get(), a, 1).size(), 1u);
}

// test_dynamic_weight_update: b boosted by 10 observed calls. The reference
// set b's dynamic weight to 10/10 = 1 and ranked by 0.5 + 1. Here a ran
// 10 times (no load record: r = max d = 10) and took b each time:
// m = (10 + 3) / (20 + 10), m_b = (10 + 0.5 m) / 10.5, m_c = 0.5 m / 10.5,
// and p = (t + 0.1 m_x) / 10.1 (include/blobgraph/prefetch_model.h).
TEST(ReferencePortTest, ObservedCallsOutrankStaticShare) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c}}});
  auto engine = OpenEngine(store.get());
  for (int i = 0; i < 10; ++i) engine->RecordCall(a, b);
  ASSERT_TRUE(engine->Refresh().ok());
  auto top = LikelyCallees(engine.get(), a, 2);
  ASSERT_EQ(top.size(), 2u);
  const double m = 13.0 / 30.0;
  EXPECT_EQ(top[0].hash, b);
  EXPECT_NEAR(top[0].probability, (10 + 0.1 * (10 + 0.5 * m) / 10.5) / 10.1, 1e-5);
  EXPECT_NEAR(top[1].probability, 0.1 * (0.5 * m / 10.5) / 10.1, 1e-5);
}

// test_prefetcher_basic
TEST(ReferencePortTest, PrefetcherQueuesCallees) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c}}});
  auto engine = OpenEngine(store.get());
  Prefetcher prefetcher(engine.get(), PrefetchOptions{});
  EXPECT_EQ(prefetcher.Prefetch(a), 2u);
  auto queue = prefetcher.DrainQueue();
  EXPECT_TRUE(Contains(queue, b));
  EXPECT_TRUE(Contains(queue, c));
  EXPECT_EQ(engine->Stats().requests, 1u);
}

// test_prefetcher_disabled
TEST(ReferencePortTest, DisabledPrefetcherQueuesAndCountsNothing) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b}}});
  auto engine = OpenEngine(store.get());
  PrefetchOptions options;
  options.enabled = false;
  Prefetcher prefetcher(engine.get(), options);
  EXPECT_EQ(prefetcher.Prefetch(a), 0u);
  EXPECT_TRUE(prefetcher.DrainQueue().empty());
  EXPECT_EQ(engine->Stats().requests, 0u);
}

// test_prefetcher_depth_limit: a -> b -> c -> d, depth 2 reaches b and c.
TEST(ReferencePortTest, DepthLimitStopsTheWalk) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b}}, {b, {c}}, {c, {d}}});
  auto engine = OpenEngine(store.get());
  PrefetchOptions options;
  options.max_depth = 2;
  options.top_n = 4;
  options.min_probability = 0.0;
  Prefetcher prefetcher(engine.get(), options);
  prefetcher.Prefetch(a);
  auto queue = prefetcher.DrainQueue();
  EXPECT_TRUE(Contains(queue, b));
  EXPECT_TRUE(Contains(queue, c));
  EXPECT_FALSE(Contains(queue, d));
}

// test_prefetcher_get_queue_drains
TEST(ReferencePortTest, DrainEmptiesTheQueue) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b}}});
  auto engine = OpenEngine(store.get());
  Prefetcher prefetcher(engine.get(), PrefetchOptions{});
  prefetcher.Prefetch(a);
  EXPECT_FALSE(prefetcher.DrainQueue().empty());
  EXPECT_TRUE(prefetcher.DrainQueue().empty());
  // Deduplicated: a second request queues nothing already queued once.
  EXPECT_EQ(prefetcher.Prefetch(a), 0u);
  prefetcher.Forget(b);
  EXPECT_EQ(prefetcher.Prefetch(a), 1u);
}

// Queue deduplication against loaded functions (not in the reference).
TEST(ReferencePortTest, PrefetcherSkipsLoadedFunctions) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c}}});
  auto engine = OpenEngine(store.get());
  engine->OnLoad(b);
  Prefetcher prefetcher(engine.get(), PrefetchOptions{});
  EXPECT_EQ(prefetcher.Prefetch(a), 1u);
  EXPECT_EQ(prefetcher.DrainQueue(), std::vector<BlobHash>{c});
}

// test_prefetcher_record_call: 100 calls to c. The reference passed a count;
// here each call is recorded: as above, 100 invocations that all took c,
// m = 103 / 210, m_c = (100 + 0.5 m) / 100.5, p(c) = (100 + 0.1 m_c) / 100.1.
TEST(ReferencePortTest, RecordedCallsBoostACallee) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c}}});
  auto engine = OpenEngine(store.get());
  for (int i = 0; i < 100; ++i) engine->RecordCall(a, c);
  ASSERT_TRUE(engine->Refresh().ok());
  auto top = LikelyCallees(engine.get(), a, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].hash, c);
  EXPECT_NEAR(top[0].probability, (100 + 0.1 * (100 + 0.5 * 103.0 / 210.0) / 100.5) / 100.1, 1e-5);
}

// test_prefetcher_min_probability_filter: an impossible floor of 2.0.
TEST(ReferencePortTest, MinProbabilityFiltersEverything) {
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b}}});
  auto engine = OpenEngine(store.get());
  PrefetchOptions options;
  options.min_probability = 2.0;
  Prefetcher prefetcher(engine.get(), options);
  prefetcher.Prefetch(a);
  EXPECT_TRUE(prefetcher.DrainQueue().empty());
}

}  // namespace
}  // namespace blobgraph
