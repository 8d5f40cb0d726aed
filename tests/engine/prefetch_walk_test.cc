// PrefetchWalk on small hand-made graphs; every expected probability is
// worked out by hand in the comments.
#include "engine/prefetch_walk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "tests/engine/engine_test_util.h"

namespace blobgraph::engine {
namespace {

using testing::MakeHash;
using Callee = HotSubgraphBuilder::Callee;

const BlobHash A = MakeHash(1), B = MakeHash(2), C = MakeHash(3), D = MakeHash(4), E = MakeHash(5),
               F = MakeHash(6);

// A -> B 0.6, C 0.3, D 0.1
// B -> E 0.6, C 0.4
// C -> F 0.9
// E -> A 1.0 (a cycle back to the start)
std::unique_ptr<HotSubgraph> SampleGraph() {
  HotSubgraphBuilder builder;
  std::vector<Callee> a = {{B, 0.6f}, {C, 0.3f}, {D, 0.1f}};
  std::vector<Callee> b = {{E, 0.6f}, {C, 0.4f}};
  std::vector<Callee> c = {{F, 0.9f}};
  std::vector<Callee> e = {{A, 1.0f}};
  builder.AddCaller(A, a);
  builder.AddCaller(B, b);
  builder.AddCaller(C, c);
  builder.AddCaller(E, e);
  builder.AddFunction(D);
  builder.AddFunction(F);
  return builder.Build();
}

struct Walked {
  std::vector<Prediction> results;
};

Walked Walk(const HotSubgraph& graph, const BlobHash& start, PrefetchOptions options,
            WalkHooks hooks = {}, size_t capacity = 64) {
  std::vector<Prediction> out(capacity);
  uint32_t node = graph.Find(start);
  EXPECT_NE(node, kNoNode);
  size_t n = PrefetchWalk(graph, node, options, hooks, out.data(), out.size());
  out.resize(n);
  return {out};
}

PrefetchOptions Options(uint32_t depth, uint32_t top_n, double min_probability,
                        uint32_t max_results = 16) {
  PrefetchOptions options;
  options.max_depth = depth;
  options.top_n = top_n;
  options.min_probability = min_probability;
  options.max_results = max_results;
  return options;
}

void ExpectResult(const Prediction& p, const BlobHash& hash, float probability, uint32_t depth) {
  EXPECT_EQ(p.hash, hash) << p.hash.ShortHex() << " vs " << hash.ShortHex();
  EXPECT_NEAR(p.probability, probability, 1e-6);
  EXPECT_EQ(p.depth, depth);
}

TEST(PrefetchWalkTest, DepthTwoRanksByPathProbability) {
  auto graph = SampleGraph();
  auto walked = Walk(*graph, A, Options(2, 4, 0.0));
  // B = 0.6; E = 0.6*0.6 = 0.36; C = max(0.3 direct, 0.6*0.4 = 0.24) = 0.3;
  // F = 0.3*0.9 = 0.27; D = 0.1. A (via E, depth 3) is out of depth and is
  // the start anyway.
  ASSERT_EQ(walked.results.size(), 5u);
  ExpectResult(walked.results[0], B, 0.6f, 1);
  ExpectResult(walked.results[1], E, 0.36f, 2);
  ExpectResult(walked.results[2], C, 0.3f, 1);
  ExpectResult(walked.results[3], F, 0.27f, 2);
  ExpectResult(walked.results[4], D, 0.1f, 1);
}

TEST(PrefetchWalkTest, DepthOneIsDirectCalleesOnly) {
  auto graph = SampleGraph();
  auto walked = Walk(*graph, A, Options(1, 4, 0.0));
  ASSERT_EQ(walked.results.size(), 3u);
  ExpectResult(walked.results[0], B, 0.6f, 1);
  ExpectResult(walked.results[1], C, 0.3f, 1);
  ExpectResult(walked.results[2], D, 0.1f, 1);
}

TEST(PrefetchWalkTest, MinProbabilityAppliesToThePath) {
  auto graph = SampleGraph();
  auto walked = Walk(*graph, A, Options(2, 4, 0.28));
  // Kept: B 0.6, E 0.36, C 0.3. Dropped: F 0.27, D 0.1 (C via B, 0.24, too).
  ASSERT_EQ(walked.results.size(), 3u);
  ExpectResult(walked.results[0], B, 0.6f, 1);
  ExpectResult(walked.results[1], E, 0.36f, 2);
  ExpectResult(walked.results[2], C, 0.3f, 1);
}

TEST(PrefetchWalkTest, TopNLimitsCalleesPerNode) {
  auto graph = SampleGraph();
  auto walked = Walk(*graph, A, Options(2, 1, 0.0));
  // A's top callee B (0.6), then B's top callee E (0.6*0.6 = 0.36).
  ASSERT_EQ(walked.results.size(), 2u);
  ExpectResult(walked.results[0], B, 0.6f, 1);
  ExpectResult(walked.results[1], E, 0.36f, 2);
}

TEST(PrefetchWalkTest, MaxResultsAndCapacityCut) {
  auto graph = SampleGraph();
  auto walked = Walk(*graph, A, Options(2, 4, 0.0, 2));
  ASSERT_EQ(walked.results.size(), 2u);
  ExpectResult(walked.results[1], E, 0.36f, 2);
  walked = Walk(*graph, A, Options(2, 4, 0.0, 16), {}, 3);
  ASSERT_EQ(walked.results.size(), 3u);
  ExpectResult(walked.results[2], C, 0.3f, 1);
}

TEST(PrefetchWalkTest, NeverReturnsTheStartEvenThroughACycle) {
  auto graph = SampleGraph();
  // From B: E 0.6, C 0.4, A = 0.6*1.0 = 0.6 (depth 2), F = 0.4*0.9 = 0.36.
  auto walked = Walk(*graph, B, Options(2, 4, 0.0));
  ASSERT_EQ(walked.results.size(), 4u);
  EXPECT_EQ(walked.results[0].hash, E);
  ExpectResult(walked.results[1], A, 0.6f, 2);
  ExpectResult(walked.results[2], C, 0.4f, 1);
  ExpectResult(walked.results[3], F, 0.36f, 2);
  // From E, depth 3: A 1.0 (d1), B 0.6 (d2), C 0.3 (d2), E itself (A->B->E)
  // is never returned; D 0.1 (d2); F 0.27 (d3).
  walked = Walk(*graph, E, Options(3, 4, 0.0));
  std::set<BlobHash> seen;
  for (const Prediction& p : walked.results) {
    EXPECT_NE(p.hash, E);
    EXPECT_TRUE(seen.insert(p.hash).second) << "duplicate " << p.hash.ShortHex();
  }
  EXPECT_EQ(walked.results.size(), 5u);
}

TEST(PrefetchWalkTest, RejectedCandidatesAreSkippedButStillExpanded) {
  auto graph = SampleGraph();
  WalkHooks hooks;
  hooks.accept = [](void*, const BlobHash& hash) noexcept { return !(hash == MakeHash(2)); };
  auto walked = Walk(*graph, A, Options(2, 4, 0.0), hooks);
  // B is "loaded": not returned, but E (0.36, through B) still is.
  ASSERT_EQ(walked.results.size(), 4u);
  ExpectResult(walked.results[0], E, 0.36f, 2);
  ExpectResult(walked.results[1], C, 0.3f, 1);
}

TEST(PrefetchWalkTest, FilterIsAskedOnlyAboutCandidatesTakenOneAtATime) {
  // Candidates come in the order B, E, C, F, D. With B and C rejected and
  // two results wanted, a one-at-a-time walk asks about B, E, C, F and stops;
  // D is never asked about (asking marks a hash issued in the engine). The
  // per-candidate and the batch filter must both see exactly that.
  static std::vector<BlobHash> asked;
  auto reject_b_and_c = [](const BlobHash& hash) { return !(hash == B) && !(hash == C); };
  auto graph = SampleGraph();

  WalkHooks one_at_a_time;
  one_at_a_time.accept = [](void*, const BlobHash& hash) noexcept {
    asked.push_back(hash);
    return !(hash == B) && !(hash == C);
  };
  WalkHooks batched;
  batched.filter = [](void*, const HotSubgraph& graph, uint32_t* nodes, uint32_t* parents,
                      Prediction* candidates, size_t count) noexcept {
    size_t kept = 0;
    for (size_t i = 0; i < count; ++i) {
      asked.push_back(candidates[i].hash);
      EXPECT_EQ(graph.Find(candidates[i].hash), nodes[i]);
      if (!(candidates[i].hash == B) && !(candidates[i].hash == C)) {
        nodes[kept] = nodes[i];
        parents[kept] = parents[i];
        candidates[kept++] = candidates[i];
      }
    }
    return kept;
  };
  for (const WalkHooks& hooks : {one_at_a_time, batched}) {
    asked.clear();
    auto walked = Walk(*graph, A, Options(2, 4, 0.0, 2), hooks);
    ASSERT_EQ(walked.results.size(), 2u);
    ExpectResult(walked.results[0], E, 0.36f, 2);
    ExpectResult(walked.results[1], F, 0.27f, 2);
    EXPECT_EQ(asked, (std::vector<BlobHash>{B, E, C, F}));
    for (const Prediction& p : walked.results) EXPECT_TRUE(reject_b_and_c(p.hash));
  }
}

TEST(PrefetchWalkTest, FilterSeesTheLastEdgeOfEachResultsBestPath) {
  // From A: B 0.6 (A->B), E 0.36 (B->E), C 0.3 (A->C; via B only 0.24),
  // F 0.27 (C->F), D 0.1 (A->D).
  static std::vector<std::pair<BlobHash, BlobHash>> produced;  // (parent, result)
  auto graph = SampleGraph();
  WalkHooks hooks;
  hooks.filter = [](void*, const HotSubgraph& graph, uint32_t*, uint32_t* parents,
                    Prediction* candidates, size_t count) noexcept {
    for (size_t i = 0; i < count; ++i) {
      produced.emplace_back(graph.hash(parents[i]), candidates[i].hash);
    }
    return count;
  };
  produced.clear();
  auto walked = Walk(*graph, A, Options(3, 4, 0.0, 8), hooks);
  ASSERT_EQ(walked.results.size(), 5u);
  EXPECT_EQ(produced,
            (std::vector<std::pair<BlobHash, BlobHash>>{{A, B}, {B, E}, {A, C}, {C, F}, {A, D}}));
}

TEST(PrefetchWalkTest, ShorterLaterPathIsExpandedAgain) {
  // X -> Y 0.9, Z 0.5; Y -> Z 0.9; Z -> W 1.0.
  // Z is first taken at depth 2 via Y (0.81) where depth 2 stops expansion,
  // then again at depth 1 directly (0.5), which reaches W = 0.5*1.0 = 0.5.
  BlobHash X = MakeHash(10), Y = MakeHash(11), Z = MakeHash(12), W = MakeHash(13);
  HotSubgraphBuilder builder;
  std::vector<Callee> x = {{Y, 0.9f}, {Z, 0.5f}};
  std::vector<Callee> y = {{Z, 0.9f}};
  std::vector<Callee> z = {{W, 1.0f}};
  builder.AddCaller(X, x);
  builder.AddCaller(Y, y);
  builder.AddCaller(Z, z);
  auto graph = builder.Build();
  auto walked = Walk(*graph, X, Options(2, 4, 0.0));
  ASSERT_EQ(walked.results.size(), 3u);
  ExpectResult(walked.results[0], Y, 0.9f, 1);
  ExpectResult(walked.results[1], Z, 0.81f, 2);
  ExpectResult(walked.results[2], W, 0.5f, 2);
}

TEST(PrefetchWalkTest, LeavesAreReturnedAndReportedWhenExpansionWanted) {
  HotSubgraphBuilder builder;
  std::vector<Callee> a = {{B, 1.0f}};
  builder.AddCaller(A, a);  // B is a leaf
  auto graph = builder.Build();
  std::vector<BlobHash> incomplete;
  WalkHooks hooks;
  hooks.context = &incomplete;
  hooks.incomplete = [](void* context, const BlobHash& hash) noexcept {
    static_cast<std::vector<BlobHash>*>(context)->push_back(hash);
  };
  auto walked = Walk(*graph, A, Options(2, 4, 0.0), hooks);
  ASSERT_EQ(walked.results.size(), 1u);
  ExpectResult(walked.results[0], B, 1.0f, 1);
  ASSERT_EQ(incomplete.size(), 1u);
  EXPECT_EQ(incomplete[0], B);
  incomplete.clear();
  Walk(*graph, A, Options(1, 4, 0.0), hooks);  // depth 1: B need not be expanded
  EXPECT_TRUE(incomplete.empty());
}

TEST(PrefetchWalkTest, ZeroLimitsReturnNothing) {
  auto graph = SampleGraph();
  EXPECT_TRUE(Walk(*graph, A, Options(0, 4, 0.0)).results.empty());
  EXPECT_TRUE(Walk(*graph, A, Options(2, 0, 0.0)).results.empty());
  EXPECT_TRUE(Walk(*graph, A, Options(2, 4, 0.0, 0)).results.empty());
}

}  // namespace
}  // namespace blobgraph::engine

namespace blobgraph::engine {
namespace {

TEST(PrefetchWalkTest, WideWalkHasNoDuplicatesAndKeepsOrder) {
  // A -> 40 callees with probability (41 - i) / 1000, and every callee ->
  // callee 0 with probability 1: callee 0 is reached 41 ways but returned once.
  HotSubgraphBuilder builder;
  std::vector<HotSubgraphBuilder::Callee> row;
  std::vector<BlobHash> callees;
  for (int i = 0; i < 40; ++i) {
    callees.push_back(testing::MakeHash(static_cast<uint8_t>(100 + i)));
    row.push_back({callees.back(), (41 - i) / 1000.0f});
  }
  builder.AddCaller(testing::MakeHash(1), row);
  for (int i = 0; i < 40; ++i) {
    std::vector<HotSubgraphBuilder::Callee> back = {{callees[0], 1.0f}};
    builder.AddCaller(callees[i], back);
  }
  auto graph = builder.Build();
  PrefetchOptions options;
  options.max_depth = 2;
  options.top_n = 64;
  options.min_probability = 0;
  options.max_results = 64;
  Prediction out[64];
  size_t n = PrefetchWalk(*graph, graph->Find(testing::MakeHash(1)), options, {}, out, 64);
  ASSERT_EQ(n, 40u);
  std::set<BlobHash> seen;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_TRUE(seen.insert(out[i].hash).second);
    if (i > 0) {
      EXPECT_LE(out[i].probability, out[i - 1].probability);
    }
  }
  EXPECT_EQ(out[0].hash, callees[0]);
  EXPECT_NEAR(out[0].probability, 0.041, 1e-6);
  EXPECT_EQ(out[39].hash, callees[39]);
}

}  // namespace
}  // namespace blobgraph::engine
