// GraphStore basics through the public header: counts, node records, names,
// warm-start loads, profiles, reopening, read-only mode.
#include "blobgraph/graph_store.h"

#include <gtest/gtest.h>

#include "storage/store_test_util.h"

namespace blobgraph::storage_test {
namespace {

GraphUpdate SampleUpdate() {
  GraphUpdate update;
  BlobHash a = TestHash(1), b = TestHash(2), c = TestHash(3), d = TestHash(4);
  update.edges = {{a, b, 2, 10}, {a, c, 1, 0}, {b, c, 3, 4}, {a, b, 1, 5}};  // a->b repeated
  update.functions = {d};
  update.names = {{a, "main"}, {b, "parse"}, {a, "main2"}};  // last write wins
  update.runs = {{a, b, c}, {a, c}};
  ProfileInfo profile;
  profile.id[0] = 0xab;
  profile.source_host = "build-7";
  profile.created_unix_ms = 1700000000123;
  update.profile = profile;
  return update;
}

void ExpectSampleContents(const GraphStore& store) {
  BlobHash a = TestHash(1), b = TestHash(2), c = TestHash(3), d = TestHash(4);
  EdgeMap edges = AllEdges(store);
  ASSERT_EQ(edges.size(), 3u);
  EXPECT_EQ((edges[{a, b}]), std::make_pair(uint64_t{3}, uint64_t{15}));
  EXPECT_EQ((edges[{a, c}]), std::make_pair(uint64_t{1}, uint64_t{0}));
  EXPECT_EQ((edges[{b, c}]), std::make_pair(uint64_t{3}, uint64_t{4}));

  auto node_c = store.Node(c);
  ASSERT_TRUE(node_c.ok() && node_c->has_value());
  EXPECT_EQ((*node_c)->in_static, 4u);
  EXPECT_EQ((*node_c)->in_dynamic, 4u);
  EXPECT_EQ((*node_c)->callers, 2u);
  EXPECT_EQ((*node_c)->callees, 0u);
  auto node_a = store.Node(a);
  ASSERT_TRUE(node_a.ok() && node_a->has_value());
  EXPECT_EQ((*node_a)->out_static, 4u);
  EXPECT_EQ((*node_a)->out_dynamic, 15u);
  EXPECT_EQ((*node_a)->callees, 2u);
  EXPECT_EQ((*node_a)->callers, 0u);
  auto node_d = store.Node(d);  // declared, callee-less
  ASSERT_TRUE(node_d.ok() && node_d->has_value());
  EXPECT_EQ((*node_d)->callees, 0u);
  auto unknown = store.Node(TestHash(99));
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());

  EXPECT_EQ(store.Name(a).value(), std::optional<std::string>("main2"));
  EXPECT_EQ(store.Name(b).value(), std::optional<std::string>("parse"));
  EXPECT_EQ(store.Name(c).value(), std::nullopt);

  std::map<BlobHash, LoadRecord> loads;
  ASSERT_TRUE(store
                  .ForEachLoadRecord([&](const LoadRecord& r) {
                    loads[r.hash] = r;
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(loads.size(), 3u);
  EXPECT_EQ(loads[a].runs, 2u);
  EXPECT_EQ(loads[a].position_sum, 0u);
  EXPECT_EQ(loads[c].runs, 2u);
  EXPECT_EQ(loads[c].position_sum, 3u);
  EXPECT_DOUBLE_EQ(loads[c].MeanPosition(), 1.5);

  std::array<uint8_t, 16> id{};
  id[0] = 0xab;
  EXPECT_TRUE(store.HasProfile(id).value());
  id[0] = 0xac;
  EXPECT_FALSE(store.HasProfile(id).value());

  auto stats = store.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->functions, 4u);
  EXPECT_EQ(stats->edges, 3u);
  EXPECT_EQ(stats->static_total, 7u);
  EXPECT_EQ(stats->dynamic_total, 19u);
  EXPECT_EQ(stats->runs, 2u);
  EXPECT_EQ(stats->profiles, 1u);
  EXPECT_GT(stats->bytes_on_disk, 0u);

  std::vector<std::string> problems;
  ASSERT_TRUE(store.Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(GraphStoreTest, ApplySumsRepeatsAndKeepsEveryRecordKind) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Apply(SampleUpdate()).ok());
  ExpectSampleContents(*store);
}

TEST(GraphStoreTest, ReopenKeepsEveryCount) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Apply(SampleUpdate()).ok());
  }
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    ExpectSampleContents(*store);
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->CompactAll().ok());
  }
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  ExpectSampleContents(*store);
}

TEST(GraphStoreTest, CallersCountDistinctCallersAcrossUpdates) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  BlobHash target = TestHash(500);
  for (uint64_t round = 0; round < 3; ++round) {
    GraphUpdate update;
    for (uint64_t caller = 0; caller < 10 + round * 5; ++caller) {
      update.edges.push_back({TestHash(caller), target, 1, round});
    }
    ApplyOptions apply;
    apply.method = round == 1 ? WriteMethod::kIngest : WriteMethod::kWriteBatch;
    ASSERT_TRUE(store->Apply(update, apply).ok());
  }
  auto node = store->Node(target);
  ASSERT_TRUE(node.ok() && node->has_value());
  EXPECT_EQ((*node)->callers, 20u);
  // Each caller's static list ({target: 1}) is set once; the same list in a
  // later round adds nothing.
  EXPECT_EQ((*node)->in_static, 20u);
  EXPECT_EQ((*node)->in_dynamic, 15u + 2 * 20u);
}

TEST(GraphStoreTest, ReadOnlyOpenReadsAndRefusesWrites) {
  ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Apply(SampleUpdate()).ok());
  }
  StoreOptions options;
  options.read_only = true;
  auto store = OpenOrFail(dir.path(), options);
  ASSERT_NE(store, nullptr);
  ExpectSampleContents(*store);
  Status write = store->Apply(SampleUpdate());
  EXPECT_EQ(write.code(), Status::Code::kInvalidInput);
  EXPECT_NE(write.message().find("read-only"), std::string::npos) << write.message();
  EXPECT_EQ(store->Decay(0.5, 1).code(), Status::Code::kInvalidInput);
}

TEST(GraphStoreTest, ReadOnlyOpenOfMissingStoreIsNotFound) {
  ScratchDir dir;
  StoreOptions options;
  options.read_only = true;
  auto store = GraphStore::Open(dir.path(), options);
  EXPECT_EQ(store.status().code(), Status::Code::kNotFound);
  EXPECT_NE(store.status().message().find(dir.path()), std::string::npos);
}

TEST(GraphStoreTest, ZeroCountEdgesDeclareFunctionsOnly) {
  ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  ASSERT_NE(store, nullptr);
  GraphUpdate update;
  update.edges.push_back({TestHash(1), TestHash(2), 0, 0});
  ASSERT_TRUE(store->Apply(update).ok());
  EXPECT_TRUE(AllEdges(*store).empty());
  EXPECT_EQ(store->Stats()->functions, 2u);
}

TEST(ProfileInfoTest, IdHexRoundTripsAndParseRejectsBadText) {
  ProfileInfo profile = ProfileInfo::NewForThisHost();
  EXPECT_GT(profile.created_unix_ms, 0);
  std::string hex = profile.IdHex();
  ASSERT_EQ(hex.size(), 32u);
  auto parsed = ProfileInfo::ParseId(hex);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, profile.id);
  auto short_id = ProfileInfo::ParseId("abc");
  EXPECT_EQ(short_id.status().code(), Status::Code::kInvalidInput);
  EXPECT_NE(short_id.status().message().find("'abc'"), std::string::npos);
  auto bad_char = ProfileInfo::ParseId(std::string(31, '0') + "g");
  EXPECT_NE(bad_char.status().message().find("position 31"), std::string::npos)
      << bad_char.status().message();
  EXPECT_NE(ProfileInfo::NewForThisHost().id, profile.id);
}

}  // namespace
}  // namespace blobgraph::storage_test
