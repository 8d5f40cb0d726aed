// Option values through the C ABI: every out-of-range number (NaN, inf,
// negative, absurd sizes) is BLOBGRAPH_INVALID_ARGUMENT with a message naming
// the field, never a crash; a huge prefetch capacity or max_results is fine
// and writes at most what a walk can return.
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "blobgraph/c.h"
#include "capi_test_util.h"

namespace blobgraph::capi_test {
namespace {

const double kInf = std::numeric_limits<double>::infinity();
const double kNan = std::nan("");

blobgraph_hash HashOf(uint8_t first, uint8_t second = 0) {
  blobgraph_hash hash;
  std::memset(hash.bytes, 0, sizeof(hash.bytes));
  hash.bytes[0] = first;
  hash.bytes[1] = second;
  return hash;
}

class CApiOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    blobgraph_store_options options;
    ASSERT_EQ(blobgraph_store_options_init(&options), BLOBGRAPH_OK);
    ASSERT_EQ(blobgraph_store_open(dir_.Path("db").c_str(), &options, &store_), BLOBGRAPH_OK)
        << blobgraph_last_error();
  }
  void TearDown() override {
    if (store_ != nullptr) {
      EXPECT_EQ(blobgraph_store_close(store_), BLOBGRAPH_OK);
    }
  }

  TempDir dir_;
  blobgraph_store* store_ = nullptr;
};

struct BadEngineOption {
  const char* field;
  std::function<void(blobgraph_engine_options*)> set;
};

TEST_F(CApiOptionsTest, EngineOpenRefusesOutOfRangeOptions) {
  const std::vector<BadEngineOption> cases = {
      {"prior_weight", [](blobgraph_engine_options* o) { o->prior_weight = kInf; }},
      {"prior_weight", [](blobgraph_engine_options* o) { o->prior_weight = kNan; }},
      {"prior_weight", [](blobgraph_engine_options* o) { o->prior_weight = -1; }},
      {"prior_weight", [](blobgraph_engine_options* o) { o->prior_weight = 1e300; }},
      {"tracked_functions", [](blobgraph_engine_options* o) { o->tracked_functions = UINT64_MAX; }},
      {"waste_window", [](blobgraph_engine_options* o) { o->waste_window = UINT64_MAX; }},
      {"min_probability", [](blobgraph_engine_options* o) { o->prefetch.min_probability = kNan; }},
      {"min_probability", [](blobgraph_engine_options* o) { o->prefetch.min_probability = -0.5; }},
      {"min_probability", [](blobgraph_engine_options* o) { o->prefetch.min_probability = kInf; }},
  };
  for (const BadEngineOption& bad : cases) {
    blobgraph_engine_options options;
    ASSERT_EQ(blobgraph_engine_options_init(&options), BLOBGRAPH_OK);
    options.refresh_interval_ms = 0;
    options.flush_interval_ms = 0;
    bad.set(&options);
    blobgraph_engine* engine = nullptr;
    EXPECT_EQ(blobgraph_engine_open(store_, &options, &engine), BLOBGRAPH_INVALID_ARGUMENT)
        << bad.field;
    EXPECT_EQ(engine, nullptr);
    std::string message = blobgraph_last_error();
    EXPECT_NE(message.find(bad.field), std::string::npos) << message;
    EXPECT_NE(message.find("blobgraph_engine_open"), std::string::npos) << message;
  }
  // Huge caps are fine: the hot budget and pending edges are upper bounds.
  blobgraph_engine_options options;
  ASSERT_EQ(blobgraph_engine_options_init(&options), BLOBGRAPH_OK);
  options.refresh_interval_ms = 0;
  options.flush_interval_ms = 0;
  options.hot_budget_bytes = UINT64_MAX;
  options.max_pending_edges = UINT64_MAX;
  blobgraph_engine* engine = nullptr;
  ASSERT_EQ(blobgraph_engine_open(store_, &options, &engine), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK);
}

TEST_F(CApiOptionsTest, StoreOpenRefusesANonFinitePriorWeight) {
  for (double bad : {kInf, kNan, -0.5, 1e300}) {
    blobgraph_store_options options;
    ASSERT_EQ(blobgraph_store_options_init(&options), BLOBGRAPH_OK);
    options.prior_weight = bad;
    blobgraph_store* store = nullptr;
    EXPECT_EQ(blobgraph_store_open(dir_.Path("other").c_str(), &options, &store),
              BLOBGRAPH_INVALID_ARGUMENT)
        << bad;
    EXPECT_EQ(store, nullptr);
    EXPECT_NE(std::string(blobgraph_last_error()).find("prior_weight"), std::string::npos)
        << blobgraph_last_error();
    // Refused before anything was created.
    EXPECT_FALSE(std::filesystem::exists(dir_.Path("other")));
  }
}

TEST_F(CApiOptionsTest, HugeBlockCacheIsOnlyACap) {
  blobgraph_store_options options;
  ASSERT_EQ(blobgraph_store_options_init(&options), BLOBGRAPH_OK);
  options.block_cache_bytes = UINT64_MAX;
  blobgraph_store* store = nullptr;
  ASSERT_EQ(blobgraph_store_open(dir_.Path("big-cache").c_str(), &options, &store), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST_F(CApiOptionsTest, PrefetchRefusesBadOptionsAndBoundsHugeRequests) {
  // One caller with 200 callees, so a walk could return more than it may.
  blobgraph_engine* engine = nullptr;
  {
    std::string deps;
    auto hex = [](const blobgraph_hash& h) {
      static const char* digits = "0123456789abcdef";
      std::string out;
      for (uint8_t b : h.bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
      }
      return out;
    };
    for (int i = 0; i < 200; ++i) {
      deps += hex(HashOf(1)) + " " + hex(HashOf(2, static_cast<uint8_t>(i))) + "\n";
    }
    std::string path = dir_.Path("deps.txt");
    FILE* file = std::fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fwrite(deps.data(), 1, deps.size(), file);
    std::fclose(file);
    ASSERT_EQ(blobgraph_store_close(store_), BLOBGRAPH_OK);
    store_ = nullptr;
    CommandResult imported = RunCommand(Quote(BLOBGRAPH_EXE) + " import -q --db " +
                                        Quote(dir_.Path("db")) + " --text " + Quote(path));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    blobgraph_store_options options;
    ASSERT_EQ(blobgraph_store_options_init(&options), BLOBGRAPH_OK);
    ASSERT_EQ(blobgraph_store_open(dir_.Path("db").c_str(), &options, &store_), BLOBGRAPH_OK);
    engine = OpenQuietEngine(store_);
    ASSERT_NE(engine, nullptr);
  }
  blobgraph_hash start = HashOf(1);
  std::vector<blobgraph_hash> out(1024);
  std::vector<float> probabilities(1024);
  size_t count = 99;
  for (double bad : {kNan, kInf, -0.5, 1.5}) {
    blobgraph_prefetch_options options;
    ASSERT_EQ(blobgraph_prefetch_options_init(&options), BLOBGRAPH_OK);
    options.min_probability = bad;
    EXPECT_EQ(blobgraph_prefetch(engine, &start, &options, out.data(), probabilities.data(),
                                 out.size(), &count),
              BLOBGRAPH_INVALID_ARGUMENT);
    EXPECT_EQ(count, 0u);
    EXPECT_NE(std::string(blobgraph_last_error()).find("min_probability"), std::string::npos)
        << blobgraph_last_error();
  }
  blobgraph_prefetch_options options;
  ASSERT_EQ(blobgraph_prefetch_options_init(&options), BLOBGRAPH_OK);
  options.max_depth = UINT32_MAX;
  options.top_n = UINT32_MAX;
  options.max_results = UINT32_MAX;
  options.min_probability = 0;
  ASSERT_EQ(blobgraph_prefetch(engine, &start, &options, out.data(), probabilities.data(),
                               out.size(), &count),
            BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(count, 128u);  // the walk's limit, not the 200 callees or the 1024 of room
  for (size_t i = 0; i < count; ++i) EXPECT_EQ(out[i].bytes[0], 2);
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK);
}

}  // namespace
}  // namespace blobgraph::capi_test
