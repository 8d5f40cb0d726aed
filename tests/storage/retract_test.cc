// Retract(): a merged profile taken back exactly once, against a store that
// merged only the others; digest, unknown id, second retraction, re-merge,
// ageing; ProfileDigest's canonical form; old profile records.
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "blobgraph/graph_store.h"
#include "storage/raw_records_util.h"
#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

// Everything readable through the public API but the profile list.
struct Contents {
  EdgeMap edges;
  std::vector<std::tuple<BlobHash, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t>>
      nodes;
  std::vector<std::pair<BlobHash, std::string>> names;
  std::vector<std::tuple<BlobHash, uint64_t, uint64_t>> loads;
  uint64_t functions = 0, edge_count = 0, static_total = 0, dynamic_total = 0, runs = 0;
  bool operator==(const Contents&) const = default;
};

Contents Take(const GraphStore& store) {
  Contents c;
  c.edges = AllEdges(store);
  EXPECT_TRUE(store
                  .ForEachNode([&](const NodeRecord& n) {
                    c.nodes.emplace_back(n.hash, n.in_static, n.in_dynamic, n.callers, n.out_static,
                                         n.out_dynamic, n.callees);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(store
                  .ForEachName([&](const BlobHash& h, std::string_view name) {
                    c.names.emplace_back(h, std::string(name));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(store
                  .ForEachLoadRecord([&](const LoadRecord& r) {
                    c.loads.emplace_back(r.hash, r.run_weight, r.position_weight);
                    return Status::Ok();
                  })
                  .ok());
  auto stats = store.Stats();
  EXPECT_TRUE(stats.ok());
  c.functions = stats->functions;
  c.edge_count = stats->edges;
  c.static_total = stats->static_total;
  c.dynamic_total = stats->dynamic_total;
  c.runs = stats->runs;
  std::vector<std::string> problems;
  EXPECT_TRUE(store.Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
  return c;
}

// A caller's static list is a fact of its hash: the same for every profile.
void AddStaticList(uint64_t caller, GraphUpdate* update) {
  for (uint64_t k = 1; k <= 3; ++k) {
    update->edges.push_back({TestHash(caller), TestHash(caller * 7 + k), k, 0});
  }
}

std::string NameOf(uint64_t n) { return "fn" + std::to_string(n); }

// A profile over functions [base, base + 200) with static lists for
// `static_callers`, random dynamic counts, declared functions, names of
// everything it mentions and a few runs.
GraphUpdate Profile(uint8_t id, uint64_t seed, uint64_t base,
                    const std::vector<uint64_t>& static_callers) {
  std::mt19937_64 rng(seed);
  GraphUpdate update;
  update.profile = ProfileInfo{};
  update.profile->id.fill(id);
  update.profile->source_host = "host" + std::to_string(id);
  std::set<uint64_t> mentioned;
  for (uint64_t caller : static_callers) {
    AddStaticList(caller, &update);
    mentioned.insert(caller);
    for (uint64_t k = 1; k <= 3; ++k) mentioned.insert(caller * 7 + k);
  }
  for (int i = 0; i < 300; ++i) {
    uint64_t caller = base + rng() % 200, callee = base + rng() % 200;
    update.edges.push_back({TestHash(caller), TestHash(callee), 0, 1 + rng() % 9});
    mentioned.insert(caller);
    mentioned.insert(callee);
  }
  for (int i = 0; i < 5; ++i) {
    uint64_t f = 5000 + base + rng() % 40;
    update.functions.push_back(TestHash(f));
    mentioned.insert(f);
  }
  update.runs.resize(2);
  for (auto& run : update.runs) {
    for (int i = 0; i < 8; ++i) {
      uint64_t f = base + rng() % 200;
      run.push_back(TestHash(f));
      mentioned.insert(f);
    }
  }
  for (uint64_t f : mentioned) update.names.emplace_back(TestHash(f), NameOf(f));
  return update;
}

class RetractTest : public ::testing::Test {
 protected:
  // A and B overlap: functions 100..299 are in both, static lists of
  // callers 150 and 160 come with both, 120 only with A, 250 only with B.
  GraphUpdate a_ = Profile(0xa1, 1, 0, {120, 150, 160});
  GraphUpdate b_ = Profile(0xb2, 2, 100, {150, 160, 250});
};

TEST_F(RetractTest, RestoresExactlyTheStoreWithoutTheProfile) {
  for (bool a_first : {true, false}) {
    ScratchDir both_dir, only_b_dir;
    auto both = OpenOrFail(both_dir.path());
    auto only_b = OpenOrFail(only_b_dir.path());
    ASSERT_TRUE(both->Apply(a_first ? a_ : b_).ok());
    ASSERT_TRUE(both->Apply(a_first ? b_ : a_).ok());
    ASSERT_TRUE(only_b->Apply(b_).ok());
    Contents before = Take(*both);
    ASSERT_NE(before, Take(*only_b));

    auto outcome = both->Retract(a_);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_FALSE(outcome->already_retracted);
    EXPECT_GT(outcome->edges, 0u);
    EXPECT_EQ(Take(*both), Take(*only_b)) << "a_first " << a_first;

    auto record = both->Profile(a_.profile->id);
    ASSERT_TRUE(record.ok() && record->has_value());
    EXPECT_TRUE((*record)->retracted);
    EXPECT_GT((*record)->retracted_unix_ms, 0);
    EXPECT_EQ((*record)->info.source_host, "host161");
    auto stats = both->Stats();
    EXPECT_EQ(stats->profiles, 2u);
    EXPECT_EQ(stats->profiles_retracted, 1u);

    // Retracting B as well leaves an empty graph.
    ASSERT_TRUE(both->Retract(b_).ok());
    Contents empty = Take(*both);
    EXPECT_TRUE(empty.edges.empty());
    EXPECT_EQ(empty.functions, 0u);

    EXPECT_TRUE(empty.names.empty());
    EXPECT_TRUE(empty.loads.empty());
    EXPECT_EQ(empty.static_total + empty.dynamic_total + empty.runs, 0u);
  }
}

TEST_F(RetractTest, SecondRetractionAndReMergeChangeNothing) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_TRUE(store->Apply(a_).ok());
  ASSERT_TRUE(store->Apply(b_).ok());
  ASSERT_TRUE(store->Retract(a_).ok());
  Contents after = Take(*store);

  auto again = store->Retract(a_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_retracted);
  EXPECT_EQ(Take(*store), after);

  for (bool force : {false, true}) {
    ApplyOptions options;
    options.force = force;
    Status merged = store->Apply(a_, options);
    EXPECT_EQ(merged.code(), Status::Code::kInvalidInput);
    EXPECT_NE(merged.message().find("retracted"), std::string::npos) << merged.message();
    EXPECT_NE(merged.message().find(a_.profile->IdHex()), std::string::npos);
    EXPECT_EQ(Take(*store), after);
  }
}

TEST_F(RetractTest, WrongFileOrUnknownIdChangesNothing) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_TRUE(store->Apply(a_).ok());
  ASSERT_TRUE(store->Apply(b_).ok());
  Contents before = Take(*store);

  GraphUpdate forged = a_;
  forged.edges[5].dynamic_count += 1;
  auto mismatch = store->Retract(forged);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().code(), Status::Code::kInvalidInput);
  EXPECT_NE(mismatch.status().message().find(a_.profile->IdHex()), std::string::npos);
  EXPECT_NE(mismatch.status().message().find("not the profile that was merged"), std::string::npos)
      << mismatch.status().message();
  EXPECT_EQ(Take(*store), before);

  GraphUpdate unknown = a_;
  unknown.profile->id.fill(0x77);
  auto missing = store->Retract(unknown);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find(unknown.profile->IdHex()), std::string::npos);
  EXPECT_EQ(Take(*store), before);
  auto record = store->Profile(a_.profile->id);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_FALSE((*record)->retracted);
}

TEST(RetractDigest, IgnoresOrderRepeatsAndNames) {
  GraphUpdate a;
  a.profile = ProfileInfo{};
  a.profile->id.fill(3);
  a.edges = {{TestHash(1), TestHash(2), 1, 4},
             {TestHash(3), TestHash(4), 0, 2},
             {TestHash(1), TestHash(2), 0, 1}};
  a.functions = {TestHash(9), TestHash(8), TestHash(9)};
  a.runs = {{TestHash(1), TestHash(2)}};
  GraphUpdate b;
  b.profile = a.profile;
  b.profile->source_host = "elsewhere";
  b.edges = {{TestHash(3), TestHash(4), 0, 2},
             {TestHash(1), TestHash(2), 1, 5},
             {TestHash(5), TestHash(6), 0, 0}};
  b.functions = {TestHash(8), TestHash(9)};
  b.names = {{TestHash(1), "one"}};
  // The run as aggregated load statistics.
  b.loads = {{TestHash(2), LoadRecord::kRunWeight, LoadRecord::kRunWeight},
             {TestHash(1), LoadRecord::kRunWeight, 0}};
  b.run_weight = LoadRecord::kRunWeight;
  EXPECT_EQ(ProfileDigest(a), ProfileDigest(b));

  GraphUpdate c = b;
  c.edges[1].dynamic_count = 6;
  EXPECT_NE(ProfileDigest(b), ProfileDigest(c));
  c = b;
  c.profile->id[0] = 4;
  EXPECT_NE(ProfileDigest(b), ProfileDigest(c));
  c = b;
  c.functions.push_back(TestHash(10));
  EXPECT_NE(ProfileDigest(b), ProfileDigest(c));
  c = b;
  c.run_weight += 1;
  EXPECT_NE(ProfileDigest(b), ProfileDigest(c));
}

// After ageing, the profile's counts are taken back scaled by the ageing
// since its merge, rounding down.
TEST(RetractAgeing, SubtractsTheAgedShare) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  auto profile = [](uint8_t id, uint64_t dynamic, uint64_t other) {
    GraphUpdate update;
    update.profile = ProfileInfo{};
    update.profile->id.fill(id);
    update.edges = {{TestHash(1), TestHash(2), 0, dynamic}, {TestHash(1), TestHash(3), 0, other}};
    return update;
  };
  GraphUpdate a = profile(1, 101, 3), b = profile(2, 60, 0);
  b.edges.pop_back();
  ASSERT_TRUE(store->Apply(a).ok());
  ASSERT_TRUE(store->Decay(0.5, 1).ok());  // 1->2: 50, 1->3: 1
  ASSERT_TRUE(store->Apply(b).ok());       // 1->2: 110
  ASSERT_TRUE(store->Decay(0.5, 1).ok());  // 1->2: 55, 1->3: 0 (dropped)
  // a was merged at ageing 1, now 0.25: it takes back floor(101 * 0.25) = 25
  // and floor(3 * 0.25) = 0 from an edge that is gone already.
  ASSERT_TRUE(store->Retract(a).ok());
  EdgeMap edges = AllEdges(*store);
  EXPECT_EQ(edges, (EdgeMap{{{TestHash(1), TestHash(2)}, {0, 30}}}));
  auto stats = store->Stats();
  EXPECT_EQ(stats->dynamic_total, 30u);
  // b, merged at 0.5, takes back floor(60 * 0.5) = 30: nothing left.
  ASSERT_TRUE(store->Retract(b).ok());
  EXPECT_TRUE(AllEdges(*store).empty());
  EXPECT_EQ(store->Stats()->functions, 0u);
  std::vector<std::string> problems;
  ASSERT_TRUE(store->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

// An observed update's static list keeps the caller's call sites when a
// profile that repeated it is retracted.
TEST(RetractReferences, StaticListBroughtByAnotherUpdateStays) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  GraphUpdate observed;
  AddStaticList(10, &observed);
  ASSERT_TRUE(store->Apply(observed).ok());
  GraphUpdate profile;
  profile.profile = ProfileInfo{};
  profile.profile->id.fill(5);
  AddStaticList(10, &profile);
  profile.edges.push_back({TestHash(10), TestHash(71), 0, 9});
  ASSERT_TRUE(store->Apply(profile).ok());
  ASSERT_TRUE(store->Retract(profile).ok());
  EdgeMap expected;
  for (uint64_t k = 1; k <= 3; ++k) expected[{TestHash(10), TestHash(70 + k)}] = {k, 0};
  EXPECT_EQ(AllEdges(*store), expected);
  EXPECT_EQ(store->Stats()->functions, 4u);
}

TEST(RetractRecords, ListedInIdOrderWithTheirState) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  for (uint8_t id : {9, 4}) {
    GraphUpdate update;
    update.profile = ProfileInfo{};
    update.profile->id.fill(id);
    update.profile->source_host = "h\n" + std::to_string(id);
    update.profile->created_unix_ms = 1000 + id;
    update.edges = {{TestHash(id), TestHash(100), 0, 1}};
    ASSERT_TRUE(store->Apply(update).ok());
    if (id == 9) {
      ASSERT_TRUE(store->Retract(update).ok());
    }
  }
  std::vector<ProfileRecord> records;
  ASSERT_TRUE(store
                  ->ForEachProfile([&](const ProfileRecord& r) {
                    records.push_back(r);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].info.id[0], 4);
  EXPECT_EQ(records[0].info.source_host, "h\n4");
  EXPECT_EQ(records[0].info.created_unix_ms, 1004);
  EXPECT_EQ(records[0].edges, 1u);
  EXPECT_FALSE(records[0].retracted);
  EXPECT_GT(records[0].merged_unix_ms, 0);
  EXPECT_NE(records[0].digest, (std::array<uint8_t, 32>{}));
  EXPECT_EQ(records[1].info.id[0], 9);
  EXPECT_TRUE(records[1].retracted);
}

}  // namespace
}  // namespace blobgraph::storage_test

namespace blobgraph::storage_test {
namespace {

GraphUpdate SmallProfile(uint8_t id) {
  GraphUpdate update;
  update.profile = ProfileInfo{};
  update.profile->id.fill(id);
  update.profile->source_host = "old-host";
  update.profile->created_unix_ms = 77;
  update.edges = {{TestHash(1), TestHash(2), 2, 5}, {TestHash(1), TestHash(3), 1, 0}};
  return update;
}

// A profile record written before digests were kept (host and created time
// only) still decodes, lists with a zero digest, keeps its id from being
// merged again, and cannot be retracted (there is nothing to check the file
// against): refused, nothing changed.
TEST(RetractOldRecords, ProfileMergedBeforeDigestsIsListedNotRetractable) {
  ScratchDir dir;
  GraphUpdate profile = SmallProfile(8);
  std::string key(reinterpret_cast<const char*>(profile.profile->id.data()), 16);
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_TRUE(store->Apply(profile).ok());
  }
  std::string old_value;
  old_value.push_back(8);
  old_value += "old-host";
  for (int i = 0; i < 8; ++i) old_value.push_back(static_cast<char>(i == 0 ? 77 : 0));
  PutRaw(dir.path(), "profiles", key, old_value);

  auto store = OpenOrFail(dir.path());
  auto record = store->Profile(profile.profile->id);
  ASSERT_TRUE(record.ok() && record->has_value()) << record.status().ToString();
  EXPECT_EQ((*record)->info.source_host, "old-host");
  EXPECT_EQ((*record)->info.created_unix_ms, 77);
  EXPECT_EQ((*record)->digest, (std::array<uint8_t, 32>{}));
  EXPECT_FALSE((*record)->retracted);
  std::vector<std::string> problems;
  ASSERT_TRUE(store->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
  EdgeMap before = AllEdges(*store);

  auto retracted = store->Retract(profile);
  ASSERT_FALSE(retracted.ok());
  EXPECT_EQ(retracted.status().code(), Status::Code::kInvalidInput);
  EXPECT_NE(retracted.status().message().find("before the store kept profile digests"),
            std::string::npos)
      << retracted.status().message();
  EXPECT_EQ(AllEdges(*store), before);
  EXPECT_EQ(store->Apply(profile).code(), Status::Code::kInvalidInput);
  EXPECT_EQ(AllEdges(*store), before);
}

// Node records written before the reference counts existed (three varints)
// read the missing counts as 0, "unknown": a retraction still subtracts the
// profile's observed calls but never removes a static list or a function on
// an unknown count.
TEST(RetractOldRecords, UnknownReferenceCountsNeverRemove) {
  ScratchDir dir;
  GraphUpdate profile = SmallProfile(9);
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_TRUE(store->Apply(profile).ok());
  }
  for (uint64_t n : {1, 2, 3}) {
    std::string key(TestHash(n).AsBytes());
    auto value = GetRaw(dir.path(), "nodes", key);
    ASSERT_TRUE(value.has_value());
    ASSERT_EQ(value->size(), 5u);  // five one-byte varints: small counts
    PutRaw(dir.path(), "nodes", key, value->substr(0, 3));
  }
  auto store = OpenOrFail(dir.path());
  ASSERT_TRUE(store->Retract(profile).ok());
  EXPECT_EQ(AllEdges(*store),
            (EdgeMap{{{TestHash(1), TestHash(2)}, {2, 0}}, {{TestHash(1), TestHash(3)}, {1, 0}}}));
  auto stats = store->Stats();
  EXPECT_EQ(stats->functions, 3u);
  EXPECT_EQ(stats->static_total, 3u);
  EXPECT_EQ(stats->dynamic_total, 0u);
  std::vector<std::string> problems;
  ASSERT_TRUE(store->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

}  // namespace
}  // namespace blobgraph::storage_test
