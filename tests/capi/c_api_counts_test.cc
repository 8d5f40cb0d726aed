// Count integrity through the C API: a profile that would overflow a count is
// refused (INVALID_INPUT naming the edge, store unchanged); a repeated static
// import is a no-op and a different list is refused naming the caller; a
// malformed stored row fails engine open and stats with CORRUPTION naming
// the column family and key; and ageing keeps the engine's start set.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "blobgraph/c.h"
#include "blobgraph/graph_store.h"
#include "capi_test_util.h"
#include "storage/raw_records_util.h"

namespace blobgraph::capi_test {
namespace {

const std::string kA(64, 'a'), kB(64, 'b'), kC(64, 'c');

blobgraph_store* OpenCStore(const std::string& path) {
  blobgraph_store_options options;
  EXPECT_EQ(blobgraph_store_options_init(&options), BLOBGRAPH_OK);
  blobgraph_store* store = nullptr;
  EXPECT_EQ(blobgraph_store_open(path.c_str(), &options, &store), BLOBGRAPH_OK)
      << blobgraph_last_error();
  return store;
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string Profile(char id_digit, const std::vector<std::string>& edges) {
  std::string text =
      "# blobgraph-profile version=1 id=" + std::string(32, id_digit) + " host=capi created_ms=0\n";
  for (const std::string& edge : edges) text += edge + "\n";
  return text;
}

blobgraph_store_stats Stats(blobgraph_store* store) {
  blobgraph_store_stats stats{};
  EXPECT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK) << blobgraph_last_error();
  return stats;
}

TEST(CApiCountsTest, ProfileThatWouldOverflowIsRefusedNamingTheEdge) {
  TempDir dir;
  blobgraph_store* store = OpenCStore(dir.Path("store"));
  ASSERT_NE(store, nullptr);
  Write(dir.Path("base.txt"), Profile('1', {kA + " " + kB + " 1 100"}));
  ASSERT_EQ(blobgraph_import_profile(store, dir.Path("base.txt").c_str(), 0), BLOBGRAPH_OK)
      << blobgraph_last_error();
  blobgraph_store_stats before = Stats(store);
  Write(dir.Path("huge.txt"), Profile('2', {kA + " " + kB + " 1 18446744073709551615"}));
  EXPECT_EQ(blobgraph_import_profile(store, dir.Path("huge.txt").c_str(), 0),
            BLOBGRAPH_INVALID_INPUT);
  std::string error = blobgraph_last_error();
  EXPECT_NE(error.find(kA + " -> " + kB), std::string::npos) << error;
  EXPECT_NE(error.find("2^64 - 1"), std::string::npos) << error;
  blobgraph_store_stats after = Stats(store);
  EXPECT_EQ(after.dynamic_total, before.dynamic_total);
  EXPECT_EQ(after.static_total, before.static_total);
  EXPECT_EQ(after.profiles, before.profiles);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiCountsTest, HugeButValidCountsPredictProbabilitiesWithinZeroAndOne) {
  TempDir dir;
  blobgraph_store* store = OpenCStore(dir.Path("store"));
  ASSERT_NE(store, nullptr);
  // kA's calls sum to 2^64 - 1 exactly: valid, and far beyond 2^53.
  Write(dir.Path("valid.txt"),
        Profile('3', {kA + " " + kB + " 9223372036854775807 9223372036854775808",
                      kA + " " + kC + " 9223372036854775808 9223372036854775807"}));
  ASSERT_EQ(blobgraph_import_profile(store, dir.Path("valid.txt").c_str(), 0), BLOBGRAPH_OK)
      << blobgraph_last_error();
  blobgraph_engine* engine = OpenQuietEngine(store);
  ASSERT_NE(engine, nullptr);
  blobgraph_prefetch_options options;
  ASSERT_EQ(blobgraph_prefetch_options_init(&options), BLOBGRAPH_OK);
  options.min_probability = 0;
  blobgraph_hash caller;
  ASSERT_EQ(blobgraph_hash_parse(kA.c_str(), kA.size(), &caller), BLOBGRAPH_OK);
  blobgraph_hash out[8];
  float probabilities[8];
  size_t count = 0;
  ASSERT_EQ(blobgraph_prefetch(engine, &caller, &options, out, probabilities, 8, &count),
            BLOBGRAPH_OK);
  ASSERT_EQ(count, 2u);
  // Each edge on its own (include/blobgraph/prefetch_model.h): kA ran (r = 1)
  // and took both, whose ~2^63 call sites make the prior 1:
  // p = (1 + 0.1 * 1) / (1 + 0.1) = 1, never more, never NaN.
  for (size_t i = 0; i < count; ++i) {
    EXPECT_GE(probabilities[i], 0.0f);
    EXPECT_LE(probabilities[i], 1.0f);
    EXPECT_NEAR(probabilities[i], 1.0f, 1e-6f);
  }
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiCountsTest, RepeatedStaticImportIsANoOpAndADifferentListIsRefused) {
  TempDir dir;
  blobgraph_store* store = OpenCStore(dir.Path("store"));
  ASSERT_NE(store, nullptr);
  std::string deps = SampleFile("difflib", "static.txt");
  uint64_t sites = 0;
  ASSERT_EQ(blobgraph_import_dependencies(store, deps.c_str(), &sites), BLOBGRAPH_OK)
      << blobgraph_last_error();
  blobgraph_store_stats once = Stats(store);
  ASSERT_EQ(blobgraph_import_dependencies(store, deps.c_str(), &sites), BLOBGRAPH_OK)
      << blobgraph_last_error();
  blobgraph_store_stats twice = Stats(store);
  EXPECT_EQ(twice.static_total, once.static_total);
  EXPECT_EQ(twice.edges, once.edges);

  // The first caller of the sample with one call site more.
  std::ifstream in(deps);
  std::string first;
  std::getline(in, first);
  std::string caller = first.substr(0, 64);
  Write(dir.Path("changed.txt"), first + "\n" + caller + " " + kC + "\n");
  EXPECT_EQ(blobgraph_import_dependencies(store, dir.Path("changed.txt").c_str(), &sites),
            BLOBGRAPH_INVALID_INPUT);
  std::string error = blobgraph_last_error();
  EXPECT_NE(error.find("caller " + caller), std::string::npos) << error;
  blobgraph_store_stats after = Stats(store);
  EXPECT_EQ(after.static_total, once.static_total);
  EXPECT_EQ(after.edges, once.edges);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiCountsTest, MalformedEdgeRowFailsEngineOpenAndStatsNamingTheKey) {
  TempDir dir;
  std::string path = dir.Path("store");
  {
    blobgraph_store* store = OpenCStore(path);
    ASSERT_NE(store, nullptr);
    uint64_t sites = 0;
    ASSERT_EQ(
        blobgraph_import_dependencies(store, SampleFile("difflib", "static.txt").c_str(), &sites),
        BLOBGRAPH_OK);
    EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
  }
  // One entry announced, a callee hash, then a varint cut short.
  std::string key(32, '\xaa');
  storage_test::PutRaw(path, "edges", key,
                       std::string("\x01", 1) + std::string(32, '\xbb') + "\x80\x80");
  blobgraph_store* store = OpenCStore(path);
  ASSERT_NE(store, nullptr);
  blobgraph_engine_options options;
  ASSERT_EQ(blobgraph_engine_options_init(&options), BLOBGRAPH_OK);
  blobgraph_engine* engine = nullptr;
  EXPECT_EQ(blobgraph_engine_open(store, &options, &engine), BLOBGRAPH_CORRUPTION);
  EXPECT_EQ(engine, nullptr);
  std::string error = blobgraph_last_error();
  EXPECT_NE(error.find("edges key " + kA), std::string::npos) << error;
  blobgraph_store_stats stats{};
  EXPECT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_CORRUPTION);
  error = blobgraph_last_error();
  EXPECT_NE(error.find("edges key " + kA), std::string::npos) << error;
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiCountsTest, StartSetSurvivesAHalvingDecay) {
  TempDir dir;
  std::string path = dir.Path("store");
  std::vector<blobgraph_hash> loaded(3);
  for (size_t i = 0; i < loaded.size(); ++i) std::memset(loaded[i].bytes, 0x10 + int(i), 32);
  {
    blobgraph_store* store = OpenCStore(path);
    ASSERT_NE(store, nullptr);
    blobgraph_engine* engine = OpenQuietEngine(store);
    ASSERT_NE(engine, nullptr);
    for (const blobgraph_hash& hash : loaded)
      EXPECT_EQ(blobgraph_on_load(engine, &hash), BLOBGRAPH_OK);
    EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK)
        << blobgraph_last_error();  // records the run
    EXPECT_EQ(Stats(store).runs, 1u);
    EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
  }
  {
    auto cxx = GraphStore::Open(path);
    ASSERT_TRUE(cxx.ok()) << cxx.status().ToString();
    ASSERT_TRUE((*cxx)->Decay(0.5, 1).ok());
  }
  blobgraph_store* store = OpenCStore(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Stats(store).runs, 1u);  // half a run, rounded up
  blobgraph_engine* engine = OpenQuietEngine(store);
  ASSERT_NE(engine, nullptr);
  std::vector<blobgraph_hash> start(8);
  size_t count = 0;
  ASSERT_EQ(blobgraph_start_set(engine, start.size(), start.data(), &count), BLOBGRAPH_OK);
  ASSERT_EQ(count, loaded.size());
  for (size_t i = 0; i < count; ++i) {  // in load order: mean positions survive the scaling
    EXPECT_EQ(std::memcmp(start[i].bytes, loaded[i].bytes, 32), 0) << i;
  }
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

}  // namespace
}  // namespace blobgraph::capi_test
