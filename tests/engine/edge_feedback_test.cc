// Per-edge feedback: predictions issued and never used count as wasted on
// the edge that produced them, persist with the flush, and lower that
// edge's probability in later runs (PrefetchModel, w).
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "blobgraph/engine.h"
#include "tests/engine/engine_test_util.h"

namespace blobgraph {
namespace {

using testing::ApplyDependencies;
using testing::MakeHash;
using testing::OpenEngine;
using testing::QuietOptions;
using testing::TempStore;

const BlobHash A = MakeHash(1), B = MakeHash(2), C = MakeHash(3), D = MakeHash(4);

// callee -> wasted_count in `caller`'s stored row.
std::map<BlobHash, uint64_t> StoredWaste(GraphStore* store, const BlobHash& caller) {
  std::map<BlobHash, uint64_t> waste;
  auto row = store->Callees(caller);
  EXPECT_TRUE(row.ok()) << row.status().ToString();
  if (row.ok()) {
    for (const CalleeInfo& c : *row) waste[c.callee] = c.wasted_count;
  }
  return waste;
}

// The predictions of a depth-1 walk from `start` (no start-set followers).
std::map<BlobHash, float> Predict(Engine* engine, const BlobHash& start, double min_probability) {
  PrefetchOptions options;
  options.max_depth = 1;
  options.min_probability = min_probability;
  options.start_follow = 0;
  Prediction out[16];
  size_t n = engine->Prefetch(start, options, out, 16);
  std::map<BlobHash, float> predicted;
  for (size_t i = 0; i < n; ++i) predicted[out[i].hash] = out[i].probability;
  return predicted;
}

// A lists B and C; one run loaded A and called D from it.
void BuildStore(TempStore* store) {
  ApplyDependencies(store->get(), {{A, {B, C}}});
  auto engine = OpenEngine(store->get());
  ASSERT_NE(engine, nullptr);
  engine->OnLoad(A);
  engine->RecordCall(A, D);
}  // closing flushes the run

TEST(EdgeFeedbackTest, WastedEdgeFallsByTheModelUntilItIsNoLongerPredicted) {
  TempStore store;
  ASSERT_NO_FATAL_FAILURE(BuildStore(&store));
  // By hand, PrefetchModel's defaults (a 0.1, b 0.5, m0 0.3, k 10): A ran
  // once (r = 1) and listed B and C, taking neither, so
  //   m   = (T + k m0) / (L + k) = (0 + 3) / (2 + 10) = 0.25,
  //   m_x = (T_x + b m) / (L_x + b) = (0 + 0.125) / (1 + 0.5) = 1/12 for B and C,
  //   p   = (min(t, r) + a m_x) / (r + a + w) = (0.1 / 12) / (1.1 + w).
  const PrefetchModel model;
  const double r = 1, m = 0.25, m_x = (model.callee_prior_runs * m) / (r + model.callee_prior_runs);
  auto expected = [&](double w) { return model.prior_runs * m_x / (r + model.prior_runs + w); };
  ASSERT_NEAR(m,
              (model.precision_prior_edges * model.default_list_precision) /
                  (2 * r + model.precision_prior_edges),
              1e-12);
  // Predicted with up to 2 wasted predictions, not with 3.
  const double min_probability = (expected(2) + expected(3)) / 2;

  for (uint64_t wasted = 0; wasted < 3; ++wasted) {
    SCOPED_TRACE("run with " + std::to_string(wasted) + " wasted before");
    store.Reopen();
    EXPECT_EQ(StoredWaste(store.get(), A),
              (std::map<BlobHash, uint64_t>{{B, wasted}, {C, 0}, {D, 0}}));
    auto engine = OpenEngine(store.get());
    ASSERT_NE(engine, nullptr);
    auto predicted = Predict(engine.get(), A, min_probability);
    ASSERT_EQ(predicted.count(B), 1u);
    ASSERT_EQ(predicted.count(C), 1u);
    EXPECT_NEAR(predicted[B], expected(static_cast<double>(wasted)), 1e-8);
    EXPECT_NEAR(predicted[C], expected(0), 1e-8);  // never wasted: keeps its probability
    EXPECT_LT(predicted[B], wasted == 0 ? expected(0) + 1e-9 : expected(wasted - 1.0));
    // C and D are used (hits), B never is.
    engine->OnLoad(C);
    engine->OnLoad(D);
  }  // closing: B, issued and not loaded, is wasted on A -> B

  store.Reopen();
  EXPECT_EQ(StoredWaste(store.get(), A), (std::map<BlobHash, uint64_t>{{B, 3}, {C, 0}, {D, 0}}));
  auto engine = OpenEngine(store.get());
  ASSERT_NE(engine, nullptr);
  auto predicted = Predict(engine.get(), A, min_probability);
  EXPECT_EQ(predicted.count(B), 0u);  // below min_probability now
  ASSERT_EQ(predicted.count(C), 1u);
  EXPECT_NEAR(predicted[C], expected(0), 1e-8);
  EXPECT_EQ(predicted.count(D), 1u);
}

TEST(EdgeFeedbackTest, WindowWasteIsFlushedAndAHitAddsNone) {
  TempStore store;
  ASSERT_NO_FATAL_FAILURE(BuildStore(&store));
  EngineOptions options = QuietOptions();
  options.waste_window = 1;  // each issue wastes the previous one unless it was loaded
  {
    auto engine = OpenEngine(store.get(), options);
    ASSERT_NE(engine, nullptr);
    // Issued in result order: D (observed) first, then B and C (tied, in
    // whichever order the walk's heap gives them).
    PrefetchOptions prefetch;
    prefetch.max_depth = 1;
    prefetch.min_probability = 0;
    prefetch.start_follow = 0;
    Prediction out[16];
    ASSERT_EQ(engine->Prefetch(A, prefetch, out, 16), 3u);
    EXPECT_EQ(out[0].hash, D);
    const BlobHash second = out[1].hash, third = out[2].hash;
    // out[0] wasted by the issue of out[1], out[1] by out[2]'s; out[2] waits
    // for the next issue.
    ASSERT_TRUE(engine->Flush().ok());
    std::map<BlobHash, uint64_t> want{{D, 1}, {second, 1}, {third, 0}};
    EXPECT_EQ(StoredWaste(store.get(), A), want);
    EXPECT_EQ(engine->Stats().wasted, 2u);
    engine->OnLoad(third);  // a hit: not wasted, now or at the run's end
    EXPECT_EQ(engine->Stats().hits, 1u);
    engine.reset();
    EXPECT_EQ(StoredWaste(store.get(), A), want);
  }
}

TEST(EdgeFeedbackTest, StartSetFollowersHaveNoEdgeAndGetNoWaste) {
  TempStore store;
  ASSERT_NO_FATAL_FAILURE(BuildStore(&store));
  {
    // A run loading A then C: C follows A in the start set.
    auto engine = OpenEngine(store.get());
    ASSERT_NE(engine, nullptr);
    engine->OnLoad(A);
    engine->OnLoad(C);
  }
  {
    auto engine = OpenEngine(store.get());
    ASSERT_NE(engine, nullptr);
    PrefetchOptions options;
    options.max_depth = 1;
    options.min_probability = 0.5;  // only D from the walk
    options.start_follow = 4;
    Prediction out[16];
    size_t n = engine->Prefetch(A, options, out, 16);
    bool followed_c = false;
    for (size_t i = 0; i < n; ++i) followed_c |= out[i].hash == C;
    EXPECT_TRUE(followed_c);
    engine->OnLoad(D);
  }  // C issued as a follower, never loaded: wasted, but on no edge
  EXPECT_EQ(StoredWaste(store.get(), A), (std::map<BlobHash, uint64_t>{{B, 0}, {C, 0}, {D, 0}}));
}

}  // namespace
}  // namespace blobgraph
