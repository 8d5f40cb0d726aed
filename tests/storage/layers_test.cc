// The unsent and pulled layers (storage/layers.h) through the GraphStore
// interface: what a store observed is unsent until MarkSent, a pull
// replaces the previous one, decay ages the pulled layer with the graph,
// and a format-2 store converts with empty layers.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <map>
#include <thread>

#include "blobgraph/graph_store.h"
#include "storage/key_layout.h"
#include "storage/raw_records_util.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

constexpr uint64_t kUnit = LoadRecord::kRunWeight;

using Edges = std::map<std::pair<BlobHash, BlobHash>, std::pair<uint64_t, uint64_t>>;

Edges EdgesOf(const GraphUpdate& update) {
  Edges edges;
  for (const EdgeDelta& e : update.edges) {
    auto& counts = edges[{e.caller, e.callee}];
    counts.first += e.static_count;
    counts.second += e.dynamic_count;
  }
  return edges;
}

Edges StoredEdges(const GraphStore& store) {
  Edges edges;
  for (const auto& [key, counts] : AllEdges(store)) edges[key] = counts;
  return edges;
}

std::map<BlobHash, std::pair<uint64_t, uint64_t>> LoadsOf(const GraphStore& store) {
  std::map<BlobHash, std::pair<uint64_t, uint64_t>> loads;
  EXPECT_TRUE(store
                  .ForEachLoadRecord([&](const LoadRecord& r) {
                    loads[r.hash] = {r.run_weight, r.position_weight};
                    return Status::Ok();
                  })
                  .ok());
  return loads;
}

void ExpectVerified(const GraphStore& store) {
  std::vector<std::string> problems;
  ASSERT_TRUE(store.Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

GraphUpdate Pull(std::vector<EdgeDelta> edges, std::vector<LoadWeights> loads = {},
                 uint64_t run_weight = 0) {
  GraphUpdate pull;
  pull.source = UpdateOrigin::kPulled;
  pull.edges = std::move(edges);
  pull.loads = std::move(loads);
  pull.run_weight = run_weight;
  return pull;
}

GraphUpdate Profile(std::vector<EdgeDelta> edges) {
  GraphUpdate merged;
  merged.edges = std::move(edges);
  merged.profile = ProfileInfo::NewForThisHost();
  return merged;
}

const BlobHash a = TestHash(1), b = TestHash(2), c = TestHash(3), d = TestHash(4);

TEST(LoadStatisticsTest, AggregatedLoadsAddLikeRuns) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate run;
  run.runs = {{a, b}};
  ASSERT_TRUE(store->Apply(run).ok());
  GraphUpdate profile = Profile({});
  profile.loads = {{a, 2 * kUnit, 0}, {c, kUnit, 3 * kUnit}, {a, kUnit, kUnit}};
  profile.run_weight = 3 * kUnit;
  ASSERT_TRUE(store->Apply(profile).ok());
  auto loads = LoadsOf(*store);
  EXPECT_EQ(loads[a], std::make_pair(4 * kUnit, kUnit));
  EXPECT_EQ(loads[b], std::make_pair(kUnit, kUnit));
  EXPECT_EQ(loads[c], std::make_pair(kUnit, 3 * kUnit));
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->runs, 4u);
  EXPECT_EQ(stats->run_weight, 4 * kUnit);
  ExpectVerified(*store);
}

TEST(LoadStatisticsTest, LoadWeightThatWouldWrapIsRefusedNamingTheFunction) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate first = Profile({});
  first.loads = {{a, ~uint64_t{0} - 5, 0}};
  ASSERT_TRUE(store->Apply(first).ok());
  GraphUpdate second = Profile({{b, c, 0, 7}});
  second.loads = {{a, 10, 0}};
  Status refused = store->Apply(second);
  EXPECT_EQ(refused.code(), Status::Code::kInvalidInput);
  EXPECT_NE(refused.message().find(a.ToHex()), std::string::npos) << refused.message();
  EXPECT_TRUE(StoredEdges(*store).empty());  // nothing of the update
  EXPECT_EQ(LoadsOf(*store)[a].first, ~uint64_t{0} - 5);
}

TEST(UnsentLayerTest, HoldsOwnObservationsNotMergedOrPulled) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate observed;
  observed.edges = {{a, b, 2, 5}, {a, c, 1, 0}, {a, b, 0, 1}};
  observed.functions = {d};
  observed.names = {{a, "main"}, {d, "declared"}};
  observed.runs = {{a, b}};
  ASSERT_TRUE(store->Apply(observed).ok());
  ASSERT_TRUE(store->Apply(Profile({{b, c, 0, 100}})).ok());
  ASSERT_TRUE(store->Apply(Pull({{c, d, 0, 50}})).ok());

  auto unsent = store->Unsent();
  ASSERT_TRUE(unsent.ok()) << unsent.status().ToString();
  EXPECT_EQ(EdgesOf(*unsent), (Edges{{{a, b}, {2, 6}}, {{a, c}, {1, 0}}}));
  EXPECT_EQ(unsent->functions, std::vector<BlobHash>{d});
  EXPECT_FALSE(unsent->profile.has_value());
  EXPECT_EQ(unsent->run_weight, kUnit);
  ASSERT_EQ(unsent->loads.size(), 2u);
  std::map<BlobHash, std::string> names(unsent->names.begin(), unsent->names.end());
  EXPECT_EQ(names, (std::map<BlobHash, std::string>{{a, "main"}, {d, "declared"}}));
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->unsent_edges, 2u);
  EXPECT_EQ(stats->pulled_edges, 1u);

  ASSERT_TRUE(store->MarkSent(*unsent).ok());
  auto after = store->Unsent();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->edges.empty() && after->functions.empty() && after->loads.empty());
  EXPECT_EQ(after->run_weight, 0u);
  EXPECT_EQ(store->Stats()->unsent_edges, 0u);
  // The graph keeps everything.
  EXPECT_EQ(StoredEdges(*store)[std::make_pair(a, b)], std::make_pair(uint64_t{2}, uint64_t{6}));
  ExpectVerified(*store);
}

TEST(UnsentLayerTest, MarkSentKeepsObservationsRecordedSinceUnsent) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate first;
  first.edges = {{a, b, 0, 3}};
  first.runs = {{a}};
  ASSERT_TRUE(store->Apply(first).ok());
  auto sent = store->Unsent();
  ASSERT_TRUE(sent.ok());
  GraphUpdate meanwhile;
  meanwhile.edges = {{a, b, 0, 4}, {b, c, 0, 1}};
  meanwhile.runs = {{a}};
  ASSERT_TRUE(store->Apply(meanwhile).ok());
  ASSERT_TRUE(store->MarkSent(*sent).ok());
  auto left = store->Unsent();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(EdgesOf(*left), (Edges{{{a, b}, {0, 4}}, {{b, c}, {0, 1}}}));
  EXPECT_EQ(left->run_weight, kUnit);
  ASSERT_EQ(left->loads.size(), 1u);
  EXPECT_EQ(left->loads[0].run_weight, kUnit);
}

// Observations recorded from another thread while export-like rounds run
// (Unsent, then MarkSent of exactly that): every call is sent exactly once.
TEST(UnsentLayerTest, ConcurrentObservationsAreEachSentOnce) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  constexpr int kUpdates = 300;
  std::thread recorder([&] {
    for (int i = 0; i < kUpdates; ++i) {
      GraphUpdate observed;
      observed.edges = {{a, b, 0, 1}, {b, TestHash(100 + i % 7), 0, 2}};
      observed.runs = {{a}};
      EXPECT_TRUE(store->Apply(observed).ok());
    }
  });
  Edges sent;
  uint64_t sent_runs = 0;
  auto send_round = [&] {
    auto unsent = store->Unsent();
    ASSERT_TRUE(unsent.ok()) << unsent.status().ToString();
    ASSERT_TRUE(store->MarkSent(*unsent).ok());
    for (const auto& [edge, counts] : EdgesOf(*unsent)) sent[edge].second += counts.second;
    sent_runs += unsent->run_weight;
  };
  for (int round = 0; round < 40; ++round) send_round();
  recorder.join();
  send_round();
  EXPECT_EQ(sent[std::make_pair(a, b)].second, uint64_t{kUpdates});
  uint64_t b_calls = 0;
  for (const auto& [edge, counts] : sent) {
    if (edge.first == b) b_calls += counts.second;
  }
  EXPECT_EQ(b_calls, 2u * kUpdates);
  EXPECT_EQ(sent_runs, kUpdates * kUnit);
  EXPECT_TRUE(store->Unsent()->edges.empty());
  EXPECT_EQ(StoredEdges(*store)[std::make_pair(a, b)].second, uint64_t{kUpdates});
}

TEST(UnsentLayerTest, MarkSentOfMoreThanUnsentIsRefusedNamingTheEdge) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate observed;
  observed.edges = {{a, b, 0, 3}, {b, c, 0, 2}};
  ASSERT_TRUE(store->Apply(observed).ok());
  GraphUpdate too_much;
  too_much.edges = {{b, c, 0, 2}, {a, b, 0, 4}};
  Status refused = store->MarkSent(too_much);
  EXPECT_EQ(refused.code(), Status::Code::kInvalidInput);
  EXPECT_NE(refused.message().find("edge " + a.ToHex() + " -> " + b.ToHex()), std::string::npos)
      << refused.message();
  EXPECT_EQ(EdgesOf(*store->Unsent()), EdgesOf(observed));  // nothing marked
}

TEST(UnsentLayerTest, StaticListIsUnsentOnceLikeTheStore) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate import;
  import.edges = {{a, b, 2, 0}, { a, c, 1, 0 }};
  ASSERT_TRUE(store->Apply(import).ok());
  ASSERT_TRUE(store->MarkSent(*store->Unsent()).ok());
  ASSERT_TRUE(store->Apply(import).ok());  // a retried import adds nothing
  EXPECT_TRUE(store->Unsent()->edges.empty());
  // A list the graph got from a pull is not this store's to send again.
  ScratchDir other;
  auto pulled = OpenOrFail(other.path());
  ASSERT_NE(pulled, nullptr);
  ASSERT_TRUE(pulled->Apply(Pull({{a, b, 2, 9}, {a, c, 1, 0}})).ok());
  ASSERT_TRUE(pulled->Apply(import).ok());
  EXPECT_TRUE(pulled->Unsent()->edges.empty());
}

TEST(PulledLayerTest, PullTwiceEqualsPullOnce) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate own;
  own.edges = {{a, b, 1, 3}};
  own.runs = {{a}};
  ASSERT_TRUE(store->Apply(own).ok());
  GraphUpdate pull =
      Pull({{a, b, 1, 10}, {b, c, 2, 7}, {c, d, 0, 4}}, {{a, 2 * kUnit, kUnit}}, 2 * kUnit);
  ASSERT_TRUE(store->Apply(pull).ok());
  Edges once = StoredEdges(*store);
  auto loads_once = LoadsOf(*store);
  auto stats_once = store->Stats();
  ASSERT_TRUE(stats_once.ok());
  EXPECT_EQ(once, (Edges{{{a, b}, {1, 13}}, {{b, c}, {2, 7}}, {{c, d}, {0, 4}}}));
  EXPECT_EQ(stats_once->runs, 3u);
  ASSERT_TRUE(store->Apply(pull).ok());
  EXPECT_EQ(StoredEdges(*store), once);
  EXPECT_EQ(LoadsOf(*store), loads_once);
  auto stats_twice = store->Stats();
  ASSERT_TRUE(stats_twice.ok());
  EXPECT_EQ(stats_twice->dynamic_total, stats_once->dynamic_total);
  EXPECT_EQ(stats_twice->static_total, stats_once->static_total);
  EXPECT_EQ(stats_twice->run_weight, stats_once->run_weight);
  EXPECT_EQ(stats_twice->edges, stats_once->edges);
  EXPECT_EQ(stats_twice->pulled_edges, 3u);
  ExpectVerified(*store);
  // The own observation is still the only unsent one.
  EXPECT_EQ(EdgesOf(*store->Unsent()), EdgesOf(own));
}

TEST(PulledLayerTest, RefreshReplacesThePreviousPull) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate own;
  own.edges = {{a, b, 0, 3}};
  ASSERT_TRUE(store->Apply(own).ok());
  ASSERT_TRUE(
      store->Apply(Pull({{a, b, 0, 10}, {b, c, 0, 7}, {c, d, 2, 4}}, {{c, kUnit, 0}}, kUnit)).ok());
  // The server's graph changed: b -> c is gone, a -> b grew, c -> d kept
  // its call sites (never removed by a refresh).
  ASSERT_TRUE(store->Apply(Pull({{a, b, 0, 12}, {c, d, 2, 1}})).ok());
  EXPECT_EQ(StoredEdges(*store), (Edges{{{a, b}, {0, 15}}, {{c, d}, {2, 1}}}));
  EXPECT_TRUE(LoadsOf(*store).empty());
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->runs, 0u);
  EXPECT_EQ(stats->dynamic_total, 16u);
  EXPECT_EQ(stats->static_total, 2u);
  auto node_c = store->Node(c);
  ASSERT_TRUE(node_c.ok() && node_c->has_value());
  EXPECT_EQ((*node_c)->callers, 0u);  // b -> c went with the old pull
  EXPECT_EQ((*node_c)->in_dynamic, 0u);
  ExpectVerified(*store);
  // An empty pull (the server's graph is empty) takes the old one away.
  ASSERT_TRUE(store->Apply(Pull({})).ok());
  EXPECT_EQ(StoredEdges(*store), (Edges{{{a, b}, {0, 3}}, {{c, d}, {2, 0}}}));
  EXPECT_EQ(store->Stats()->pulled_edges, 0u);
  ExpectVerified(*store);
}

TEST(PulledLayerTest, DecayAgesThePulledLayerSoARefreshKeepsOwnCounts) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate own;
  own.edges = {{a, b, 0, 3}, {b, c, 0, 1}};
  ASSERT_TRUE(store->Apply(own).ok());
  GraphUpdate pull = Pull({{a, b, 0, 5}, {b, c, 0, 1}}, {{a, kUnit, 0}}, kUnit);
  ASSERT_TRUE(store->Apply(pull).ok());
  // a -> b: 8 -> 4, pulled 5 -> 2; b -> c: 2 -> 1 then dropped (< 2),
  // pulled 1 -> 0 with it.
  ASSERT_TRUE(store->Decay(0.5, 2).ok());
  EXPECT_EQ(StoredEdges(*store), (Edges{{{a, b}, {0, 4}}}));
  ExpectVerified(*store);
  ASSERT_TRUE(store->Apply(pull).ok());
  // 4 - 2 + 5 (own share 2 = floor(3 * 0.5) + rounding, never taken away).
  EXPECT_EQ(StoredEdges(*store), (Edges{{{a, b}, {0, 7}}, {{b, c}, {0, 1}}}));
  EXPECT_EQ(LoadsOf(*store)[a].first, kUnit);  // kUnit / 2 - kUnit / 2 + kUnit
  ExpectVerified(*store);
  // Decay never touches the unsent layer: the farm receives what was observed.
  EXPECT_EQ(EdgesOf(*store->Unsent()), EdgesOf(own));
}

TEST(PulledLayerTest, VerifyReportsAPulledCountAboveTheGraphs) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Apply(Pull({{a, b, 0, 5}})).ok());
  }
  std::string row;
  storage::EncodeRow({{b, 0, 9}}, &row);
  PutRaw(dir.path(), "layers",
         storage::LayerKey(storage::Layer::kPulled, storage::LayerKind::kEdges, &a), row);
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  std::vector<std::string> problems;
  ASSERT_TRUE(store->Verify(&problems).ok());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("pulled dynamic 9"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("graph holds dynamic 5"), std::string::npos) << problems[0];
}

// A store as format 2 left it: no `layers` family, format key 2.
void MakeFormatTwoStore(const std::string& path) {
  {
    auto store = OpenOrFail(path);
    ASSERT_NE(store, nullptr);
    GraphUpdate old;
    old.edges = {{a, b, 1, 6}};
    ASSERT_TRUE(store->Apply(old).ok());
  }
  PutRaw(path, "default", "format", "blobgraph-store 2");
  DropRaw(path, "layers");
}

TEST(LayersFormatTest, FormatTwoStoreReadsReadOnlyAndConvertsWithEmptyLayers) {
  ScratchDir dir;
  ASSERT_NO_FATAL_FAILURE(MakeFormatTwoStore(dir.path()));
  {
    StoreOptions read_only;
    read_only.read_only = true;
    auto store = OpenOrFail(dir.path(), read_only);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(StoredEdges(*store), (Edges{{{a, b}, {1, 6}}}));
    auto stats = store->Stats();
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(stats->unsent_edges, 0u);
    auto unsent = store->Unsent();
    ASSERT_TRUE(unsent.ok());
    EXPECT_TRUE(unsent->edges.empty());
    ExpectVerified(*store);
  }
  EXPECT_EQ(GetRaw(dir.path(), "default", "format"), "blobgraph-store 2");  // untouched
  { ASSERT_NE(OpenOrFail(dir.path()), nullptr); }  // a writable open converts
  EXPECT_EQ(GetRaw(dir.path(), "default", "format"), "blobgraph-store 3");
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  // The old counts are neither unsent nor pulled; new observations are unsent.
  EXPECT_TRUE(store->Unsent()->edges.empty());
  GraphUpdate observed;
  observed.edges = {{a, b, 0, 2}};
  ASSERT_TRUE(store->Apply(observed).ok());
  EXPECT_EQ(EdgesOf(*store->Unsent()), (Edges{{{a, b}, {0, 2}}}));
  EXPECT_EQ(StoredEdges(*store), (Edges{{{a, b}, {1, 8}}}));
  ExpectVerified(*store);
}

TEST(LayersFormatTest, FormatThreeStoreWithoutLayersIsCorruption) {
  ScratchDir dir;
  ASSERT_NO_FATAL_FAILURE(MakeFormatTwoStore(dir.path()));
  PutRaw(dir.path(), "default", "format", "blobgraph-store 3");
  auto opened = GraphStore::Open(dir.path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kCorruption);
  EXPECT_NE(opened.status().message().find("lacks its column family 'layers'"), std::string::npos)
      << opened.status().message();
}

}  // namespace
}  // namespace blobgraph::storage_test
