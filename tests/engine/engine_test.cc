// Engine behaviour over a real store: restart, feedback stats, start set,
// misses, recording and flushing.
#include "blobgraph/engine.h"

#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"

namespace blobgraph {
namespace {

using testing::ApplyDependencies;
using testing::HotCallersUpdate;
using testing::MakeHash;
using testing::OpenEngine;
using testing::QuietOptions;
using testing::TempStore;

std::vector<Prediction> Walk(Engine* engine, const BlobHash& start, uint32_t depth = 1) {
  PrefetchOptions options;
  options.max_depth = depth;
  options.min_probability = 0;
  std::vector<Prediction> out(16);
  out.resize(engine->Prefetch(start, options, out.data(), out.size()));
  return out;
}

std::vector<BlobHash> Hashes(const std::vector<Prediction>& predictions) {
  std::vector<BlobHash> hashes;
  for (const Prediction& p : predictions) hashes.push_back(p.hash);
  return hashes;
}

TEST(EngineTest, OpenRejectsMissingStore) {
  auto engine = Engine::Open(nullptr, QuietOptions());
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), Status::Code::kInvalidInput);
}

TEST(EngineTest, RestartKeepsRecordedCalls) {
  const BlobHash a = MakeHash(1), b = MakeHash(2), c = MakeHash(3);
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c}}});
  {
    auto engine = OpenEngine(store.get());
    // Static only, nobody ran: m = (0 + 10 * 0.3) / (0 + 10) = 0.3 and
    // m_b = m_c = m; a never ran (r = 0), so p = m_x: b and c tie at 0.3,
    // ties go bytewise (b first).
    auto before = Walk(engine.get(), a);
    EXPECT_EQ(Hashes(before), (std::vector<BlobHash>{b, c}));
    EXPECT_NEAR(before[0].probability, 0.3, 1e-6);
    for (int i = 0; i < 5; ++i) engine->RecordCall(a, c);
    engine->RecordCall(BlobHash(), a);  // a root call: not an edge
  }                                     // closing flushes
  store.Reopen();
  auto engine = OpenEngine(store.get());
  auto top = Walk(engine.get(), a);
  ASSERT_EQ(top.size(), 2u);
  // a has observed calls and no load record: each invocation is a run,
  // r = max d = 5. Its listed edges: c taken (t = 5), b not: T = 5, L = 10,
  // so m = (5 + 10 * 0.3) / (10 + 10) = 0.4, m_c = (5 + 0.5 m) / 5.5,
  // m_b = (0 + 0.5 m) / 5.5. The first engine issued b and c and loaded
  // neither: at its close each is one wasted prediction of its edge (w = 1),
  // so p = (t + 0.1 m_x) / (5 + 0.1 + 1).
  EXPECT_EQ(top[0].hash, c);
  EXPECT_NEAR(top[0].probability, (5 + 0.1 * 5.2 / 5.5) / 6.1, 1e-6);
  EXPECT_EQ(top[1].hash, b);
  EXPECT_NEAR(top[1].probability, (0.1 * 0.2 / 5.5) / 6.1, 1e-6);
  auto row = store->Callees(a);
  ASSERT_TRUE(row.ok());
  for (const CalleeInfo& callee : *row) EXPECT_EQ(callee.wasted_count, 1u);
  auto root = store->Callees(BlobHash());
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->empty());
}

TEST(EngineTest, FlushWritesDynamicCountsAndReachesNewCallees) {
  const BlobHash a = MakeHash(1), b = MakeHash(2), x = MakeHash(9);
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b}}});
  auto engine = OpenEngine(store.get());
  for (int i = 0; i < 6; ++i) engine->RecordCall(a, x);
  ASSERT_TRUE(engine->Flush().ok());
  auto row = store->Callees(a);
  ASSERT_TRUE(row.ok());
  ASSERT_EQ(row->size(), 2u);
  auto dynamic_of_x = [&] {
    auto callees = store->Callees(a);
    for (const CalleeInfo& callee : *callees) {
      if (callee.callee == x) return callee.dynamic_count;
    }
    return uint64_t{0};
  };
  EXPECT_EQ(dynamic_of_x(), 6u);
  ASSERT_TRUE(engine->Flush().ok());  // nothing new: counts unchanged
  EXPECT_EQ(dynamic_of_x(), 6u);
  ASSERT_TRUE(engine->Refresh().ok());
  // b: listed, not taken; x: observed 6 times, not listed (a callee the
  // code did not declare). a ran (observed calls, no load record): each
  // invocation a run, r = max d = 6. Listed edges of running callers: b
  // only, T = 0, L = 6, so m = (0 + 3) / (6 + 10) = 3/16 and
  // m_b = (0 + 0.5 m) / 6.5. p(x) = (6 + 0) / 6.1; p(b) = (0 + 0.1 m_b) / 6.1.
  auto top = Walk(engine.get(), a);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].hash, x);
  EXPECT_EQ(top[1].hash, b);
  EXPECT_NEAR(top[0].probability, 6 / 6.1, 1e-6);
  EXPECT_NEAR(top[1].probability, 0.1 * (0.5 * 3.0 / 16.0 / 6.5) / 6.1, 1e-6);
}

TEST(EngineTest, FeedbackStatsFollowAScriptedSequence) {
  const BlobHash a = MakeHash(1), b = MakeHash(2), c = MakeHash(3), d = MakeHash(4),
                 e = MakeHash(5), f = MakeHash(6), x = MakeHash(9);
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c}}, {d, {e, f}}});
  EngineOptions options = QuietOptions();
  options.waste_window = 2;
  auto engine = OpenEngine(store.get(), options);

  EXPECT_EQ(Hashes(Walk(engine.get(), a)), (std::vector<BlobHash>{b, c}));  // issues b#0, c#1
  engine->OnLoad(b);                                                        // hit
  engine->OnLoad(x);                                                        // stall: never issued
  engine->OnLoad(b);  // second load of b: counts nothing
  EXPECT_EQ(Hashes(Walk(engine.get(), a)),
            (std::vector<BlobHash>{c}));  // b loaded; c not re-issued
  // e#2 checks #0 (b, loaded: fine); f#3 checks #1 (c, never loaded: wasted).
  EXPECT_EQ(Hashes(Walk(engine.get(), d)), (std::vector<BlobHash>{e, f}));
  engine->OnLoad(c);  // too late: neither hit nor stall
  engine->OnLoad(e);  // hit
  FeedbackStats stats = engine->Stats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.issued, 4u);
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.wasted, 1u);
  EXPECT_EQ(stats.stalls, 1u);
  PrefetchOptions disabled;
  disabled.enabled = false;
  Prediction unused[4];
  EXPECT_EQ(engine->Prefetch(a, disabled, unused, 4), 0u);
  EXPECT_EQ(engine->Stats().requests, 3u);
}

TEST(EngineTest, TotalStatsAddUpEnginesOnTheSameStore) {
  const BlobHash a = MakeHash(1), b = MakeHash(2);
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b}}});
  FeedbackStats before;
  {
    auto engine = OpenEngine(store.get());
    before = engine->TotalStats();
    Walk(engine.get(), a);
    engine->OnLoad(b);
  }
  auto engine = OpenEngine(store.get());
  Walk(engine.get(), a);
  FeedbackStats total = engine->TotalStats();
  EXPECT_EQ(total.requests, before.requests + 2);
  EXPECT_EQ(total.issued, before.issued + 2);
  EXPECT_EQ(total.hits, before.hits + 1);
  EXPECT_EQ(engine->Stats().requests, 1u);
}

TEST(EngineTest, StartSetKeepsFunctionsOfHalfTheRunsByEarliestPosition) {
  const BlobHash w = MakeHash(1), x = MakeHash(2), y = MakeHash(3), z = MakeHash(4);
  TempStore store;
  auto run = [&](std::vector<BlobHash> loads) {
    auto engine = OpenEngine(store.get());
    for (const BlobHash& hash : loads) engine->OnLoad(hash);
    engine->OnLoad(loads[0]);  // a repeat load is not a new position
  };
  run({x, y, z});  // positions x0 y1 z2
  run({y, x});     // y0 x1
  run({y, w});     // y0 w1
  run({x, y});     // x0 y1
  // y: 4 runs, mean (1+0+0+1)/4 = 1/2; x: 3 runs, mean (0+1+0)/3 = 1/3;
  // w, z: 1 run each, under half of the most runs (4): left out.
  // Earliest first, so x (fewer runs, earlier) comes before y.
  auto engine = OpenEngine(store.get());
  BlobHash out[8];
  size_t n = engine->StartSet(8, out);
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(out[0], x);
  EXPECT_EQ(out[1], y);
  EXPECT_EQ(engine->StartSet(1, out), 1u);
  EXPECT_EQ(engine->StartSet(0, out), 0u);
}

TEST(EngineTest, PrefetchOfAStartSetFunctionReleasesTheNextOnes) {
  const BlobHash p = MakeHash(1), q = MakeHash(2), r = MakeHash(3), s = MakeHash(4);
  TempStore store;
  {
    auto engine = OpenEngine(store.get());
    for (const BlobHash& hash : {p, q, r, s}) engine->OnLoad(hash);
  }
  auto engine = OpenEngine(store.get());
  PrefetchOptions options;
  options.start_follow = 2;
  std::vector<Prediction> out(8);
  auto prefetch = [&](const BlobHash& from) {
    std::vector<Prediction> got(
        out.begin(), out.begin() + engine->Prefetch(from, options, out.data(), out.size()));
    return got;
  };
  // No edges: only the start set's next two after p, at depth 0 with their
  // share of the runs (1 of 1).
  auto after_p = prefetch(p);
  EXPECT_EQ(Hashes(after_p), (std::vector<BlobHash>{q, r}));
  for (const Prediction& prediction : after_p) {
    EXPECT_EQ(prediction.depth, 0u);
    EXPECT_FLOAT_EQ(prediction.probability, 1.0f);
  }
  engine->OnLoad(q);  // loaded ones are not returned; the window stays two
  EXPECT_EQ(Hashes(prefetch(p)), (std::vector<BlobHash>{r}));
  EXPECT_EQ(Hashes(prefetch(r)), (std::vector<BlobHash>{s}));
  EXPECT_TRUE(prefetch(s).empty());  // the last one releases nothing
  options.start_follow = 0;
  EXPECT_TRUE(prefetch(p).empty());
  // A buffer with room for one gets one.
  options.start_follow = 2;
  EXPECT_EQ(engine->Prefetch(p, options, out.data(), 1), 1u);
  EXPECT_EQ(out[0].hash, r);
}

TEST(EngineTest, MissIsPulledIntoTheNextSnapshot) {
  // 40 hot callers (observed calls) and one cold caller (static only) under
  // a budget too small for all of them: the hot set leaves the cold one out.
  TempStore store;
  GraphUpdate update = HotCallersUpdate();
  const BlobHash cold = MakeHash(7), cold_callee = MakeHash(8);
  update.edges.push_back({cold, cold_callee, 1, 0});
  ASSERT_TRUE(store->Apply(update).ok());
  EngineOptions options = QuietOptions();
  options.hot_budget_bytes = 6000;
  auto engine = OpenEngine(store.get(), options);
  ASSERT_TRUE(engine->Refresh().ok());  // the hot set, not Open's quick scan
  EXPECT_LE(engine->Snapshot().bytes, 6000u);
  EXPECT_TRUE(Walk(engine.get(), cold).empty());  // missing: queued for the loader
  ASSERT_TRUE(engine->Refresh().ok());
  EXPECT_EQ(Hashes(Walk(engine.get(), cold)), std::vector<BlobHash>{cold_callee});
}

TEST(EngineTest, SnapshotInfoCountsWholeStore) {
  const BlobHash a = MakeHash(1), b = MakeHash(2), c = MakeHash(3);
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c}}, {b, {c}}});
  auto engine = OpenEngine(store.get());
  SnapshotInfo info = engine->Snapshot();
  EXPECT_EQ(info.functions, 3u);
  EXPECT_EQ(info.edges, 3u);
  EXPECT_GT(info.bytes, 0u);
  uint64_t version = info.version;
  ASSERT_TRUE(engine->Refresh().ok());
  EXPECT_GT(engine->Snapshot().version, version);
  EXPECT_TRUE(Walk(engine.get(), c).empty());  // known, no callees
}

TEST(EngineTest, SizeLimitForcesAFlush) {
  const BlobHash a = MakeHash(1);
  TempStore store;
  EngineOptions options = QuietOptions();
  options.max_pending_edges = 8;
  auto engine = OpenEngine(store.get(), options);
  for (int i = 0; i < 8; ++i) engine->RecordCall(a, MakeHash(static_cast<uint8_t>(20 + i)));
  // The background thread flushes within its poll interval; wait for it
  // (bounded) by watching the store, not by sleeping a fixed time.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  size_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto row = store->Callees(a);
    ASSERT_TRUE(row.ok());
    seen = row->size();
    if (seen == 8) break;
    std::this_thread::yield();
  }
  EXPECT_EQ(seen, 8u);
}

// The per-node state bytes (FilterHook): a function issued, then loaded, is
// never returned again; repeated prefetches of issued functions count once.
TEST(EngineTest, NodeStateFastPathMatchesTheTracker) {
  const BlobHash a = MakeHash(1), b = MakeHash(2), c = MakeHash(3), d = MakeHash(4);
  TempStore store;
  ApplyDependencies(store.get(), {{a, {b, c, d}}});
  auto engine = OpenEngine(store.get(), QuietOptions());

  // Equal probabilities: the order is the walk's heap order, the same each time.
  EXPECT_EQ(Hashes(Walk(engine.get(), a)), (std::vector<BlobHash>{b, d, c}));
  FeedbackStats first = engine->Stats();
  EXPECT_EQ(first.issued, 3u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Hashes(Walk(engine.get(), a)), (std::vector<BlobHash>{b, d, c}));
  }
  FeedbackStats repeated = engine->Stats();
  EXPECT_EQ(repeated.requests, 6u);
  EXPECT_EQ(repeated.issued, 3u);
  EXPECT_EQ(repeated.hits, 0u);

  engine->OnLoad(c);  // issued, so a hit; its loaded bit is set
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Hashes(Walk(engine.get(), a)), (std::vector<BlobHash>{b, d}));
  }
  // A new snapshot starts with empty state bytes: the tracker still knows c.
  ASSERT_TRUE(engine->Refresh().ok());
  EXPECT_EQ(Hashes(Walk(engine.get(), a)), (std::vector<BlobHash>{b, d}));
  engine->OnLoad(b);
  EXPECT_EQ(Hashes(Walk(engine.get(), a)), (std::vector<BlobHash>{d}));
  FeedbackStats last = engine->Stats();
  EXPECT_EQ(last.requests, 11u);
  EXPECT_EQ(last.issued, 3u);
  EXPECT_EQ(last.hits, 2u);
  EXPECT_EQ(last.wasted, 0u);
  EXPECT_EQ(last.stalls, 0u);
}

}  // namespace
}  // namespace blobgraph
