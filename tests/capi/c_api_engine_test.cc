// The C API against the C++ API it wraps: prefetch answers (hashes,
// probabilities, order) equal Engine::Prefetch on the same store; start set,
// stats and profile round trips; and concurrent use from many threads.
#include <atomic>
#include <cstring>
#include <latch>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "blobgraph/c.h"
#include "blobgraph/engine.h"
#include "blobgraph/graph_store.h"
#include "capi_test_util.h"
#include "formats/trace_format.h"

namespace blobgraph::capi_test {
namespace {

blobgraph_hash ToC(const BlobHash& hash) {
  blobgraph_hash out;
  std::memcpy(out.bytes, hash.data(), BlobHash::kSize);
  return out;
}

// Trains a store on the difflib sample through the C API; returns the trace's
// distinct callees (the functions to ask about).
std::vector<BlobHash> TrainDifflib(const TempDir& dir, const std::string& store_path) {
  std::string train = GunzipSample(dir, "difflib", "train.bin");
  std::vector<formats::CallEvent> events;
  EXPECT_TRUE(formats::ReadTrace(train, formats::TraceFormat::kBinary,
                                 [&](std::span<const formats::CallEvent> chunk) {
                                   events.insert(events.end(), chunk.begin(), chunk.end());
                                   return Status::Ok();
                                 })
                  .ok());
  blobgraph_store* store = OpenStore(store_path, false);
  uint64_t call_sites = 0;
  EXPECT_EQ(blobgraph_import_dependencies(store, SampleFile("difflib", "static.txt").c_str(),
                                          &call_sites),
            BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_GT(call_sites, 0u);
  blobgraph_engine* engine = OpenQuietEngine(store);
  std::vector<BlobHash> functions;
  std::unordered_set<BlobHash> seen;
  for (const auto& event : events) {
    blobgraph_hash caller = ToC(event.caller), callee = ToC(event.callee);
    EXPECT_EQ(blobgraph_record_call(engine, &caller, &callee), BLOBGRAPH_OK);
    if (seen.insert(event.callee).second) {
      functions.push_back(event.callee);
      EXPECT_EQ(blobgraph_on_load(engine, &callee), BLOBGRAPH_OK);
    }
  }
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK) << blobgraph_last_error();
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
  return functions;
}

TEST(CApiEngineTest, PrefetchEqualsTheCxxEngine) {
  TempDir dir;
  std::string path = dir.Path("store");
  std::vector<BlobHash> functions = TrainDifflib(dir, path);
  ASSERT_FALSE(functions.empty());

  // Read-only opens share the store: C and C++ side by side.
  blobgraph_store* store = OpenStore(path, true);
  blobgraph_engine* engine = OpenQuietEngine(store);
  StoreOptions store_options;
  store_options.read_only = true;
  auto cxx_store = GraphStore::Open(path, store_options);
  ASSERT_TRUE(cxx_store.ok()) << cxx_store.status().ToString();
  EngineOptions engine_options;
  engine_options.refresh_interval = std::chrono::milliseconds(0);
  engine_options.flush_interval = std::chrono::milliseconds(0);
  auto cxx_engine = Engine::Open(cxx_store->get(), engine_options);
  ASSERT_TRUE(cxx_engine.ok()) << cxx_engine.status().ToString();

  struct Setting {
    uint32_t depth, top;
    double min_probability;
    uint32_t max_results;
    size_t capacity;
  } settings[] = {
      {2, 4, 0.1, 16, 256},    // the defaults
      {1, 2, 0.0, 16, 3},      // capacity below max_results
      {3, 8, 0.01, 100, 200},  // more results than the C layer's stack buffer
  };
  size_t nonempty = 0;
  for (const Setting& s : settings) {
    blobgraph_prefetch_options c_options;
    ASSERT_EQ(blobgraph_prefetch_options_init(&c_options), BLOBGRAPH_OK);
    c_options.max_depth = s.depth;
    c_options.top_n = s.top;
    c_options.min_probability = s.min_probability;
    c_options.max_results = s.max_results;
    PrefetchOptions cxx_options;
    cxx_options.max_depth = s.depth;
    cxx_options.top_n = s.top;
    cxx_options.min_probability = s.min_probability;
    cxx_options.max_results = s.max_results;
    std::vector<blobgraph_hash> hashes(s.capacity);
    std::vector<float> probabilities(s.capacity);
    std::vector<Prediction> predictions(s.capacity);
    for (const BlobHash& function : functions) {
      blobgraph_hash start = ToC(function);
      size_t count = 0;
      ASSERT_EQ(blobgraph_prefetch(engine, &start, &c_options, hashes.data(), probabilities.data(),
                                   s.capacity, &count),
                BLOBGRAPH_OK);
      size_t expected =
          (*cxx_engine)->Prefetch(function, cxx_options, predictions.data(), s.capacity);
      ASSERT_EQ(count, expected) << function.ToHex();
      // Walk results, then (from a start-set function) the start set's next
      // ones in the room left.
      EXPECT_LE(count, std::min<size_t>(s.capacity, std::min<size_t>(s.max_results, 128) +
                                                        c_options.start_follow));
      nonempty += count > 0;
      for (size_t i = 0; i < count; ++i) {
        EXPECT_EQ(BlobHash::FromBytes(hashes[i].bytes), predictions[i].hash) << i;
        EXPECT_EQ(probabilities[i], predictions[i].probability) << i;
      }
    }
  }
  EXPECT_GT(nonempty, functions.size());  // the comparison compared something
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK) << blobgraph_last_error();
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiEngineTest, StartSetAndStatsEqualTheCxxEngine) {
  TempDir dir;
  std::string path = dir.Path("store");
  TrainDifflib(dir, path);
  blobgraph_store* store = OpenStore(path, true);
  blobgraph_engine* engine = OpenQuietEngine(store);
  std::vector<blobgraph_hash> start(32);
  size_t count = 0;
  ASSERT_EQ(blobgraph_start_set(engine, start.size(), start.data(), &count), BLOBGRAPH_OK);
  blobgraph_store_stats stats;
  ASSERT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK);
  blobgraph_snapshot_info snapshot;
  ASSERT_EQ(blobgraph_engine_stats(engine, nullptr, nullptr, &snapshot), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK) << blobgraph_last_error();
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);

  auto cxx_store = GraphStore::Open(path);
  ASSERT_TRUE(cxx_store.ok()) << cxx_store.status().ToString();
  auto cxx_stats = (*cxx_store)->Stats();
  ASSERT_TRUE(cxx_stats.ok());
  EXPECT_EQ(stats.edges, cxx_stats->edges);
  EXPECT_EQ(stats.functions, cxx_stats->functions);
  EXPECT_EQ(stats.dynamic_total, cxx_stats->dynamic_total);
  EXPECT_EQ(stats.runs, 1u);
  auto cxx_engine = Engine::Open(cxx_store->get());
  ASSERT_TRUE(cxx_engine.ok());
  std::vector<BlobHash> expected(32);
  size_t expected_count = (*cxx_engine)->StartSet(expected.size(), expected.data());
  ASSERT_EQ(count, expected_count);
  EXPECT_GT(count, 0u);
  for (size_t i = 0; i < count; ++i)
    EXPECT_EQ(BlobHash::FromBytes(start[i].bytes), expected[i]) << i;
  EXPECT_EQ(snapshot.edges, (*cxx_engine)->Snapshot().edges);
}

TEST(CApiEngineTest, ExportedProfileImportsToTheSameGraph) {
  TempDir dir;
  std::string path = dir.Path("store");
  TrainDifflib(dir, path);
  for (const char* format : {"capnp", "text", "json"}) {
    SCOPED_TRACE(format);
    blobgraph_store* store = OpenStore(path, true);
    std::string profile = dir.Path(std::string("profile.") + format);
    ASSERT_EQ(blobgraph_export_graph(store, profile.c_str(), format), BLOBGRAPH_OK)
        << blobgraph_last_error();
    EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);

    std::string copy_path = dir.Path(std::string("copy-") + format);
    blobgraph_store* copy = OpenStore(copy_path, false);
    ASSERT_EQ(blobgraph_import_profile(copy, profile.c_str(), 0), BLOBGRAPH_OK)
        << blobgraph_last_error();
    // The same profile id again is refused unless forced.
    EXPECT_EQ(blobgraph_import_profile(copy, profile.c_str(), 0), BLOBGRAPH_INVALID_INPUT);
    EXPECT_NE(std::string(blobgraph_last_error()), "");
    EXPECT_EQ(blobgraph_store_close(copy), BLOBGRAPH_OK);

    StoreOptions read_only;
    read_only.read_only = true;
    auto original = GraphStore::Open(path, read_only);
    auto copied = GraphStore::Open(copy_path);
    ASSERT_TRUE(original.ok() && copied.ok());
    std::vector<std::tuple<BlobHash, BlobHash, uint64_t, uint64_t>> a, b;
    auto collect = [](auto* out) {
      return [out](const BlobHash& caller, std::span<const CalleeInfo> callees) {
        for (const auto& c : callees)
          out->emplace_back(caller, c.callee, c.static_count, c.dynamic_count);
        return Status::Ok();
      };
    };
    ASSERT_TRUE((*original)->ForEachCaller(collect(&a)).ok());
    ASSERT_TRUE((*copied)->ForEachCaller(collect(&b)).ok());
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, b);
    size_t names_a = 0, names_b = 0;
    ASSERT_TRUE((*original)
                    ->ForEachName([&](const BlobHash&, std::string_view) {
                      ++names_a;
                      return Status::Ok();
                    })
                    .ok());
    ASSERT_TRUE((*copied)
                    ->ForEachName([&](const BlobHash&, std::string_view) {
                      ++names_b;
                      return Status::Ok();
                    })
                    .ok());
    EXPECT_EQ(names_a, names_b);
  }
  blobgraph_store* store = OpenStore(path, true);
  EXPECT_EQ(blobgraph_export_profile(store, dir.Path("x").c_str(), "yaml"),
            BLOBGRAPH_INVALID_INPUT);
  EXPECT_EQ(blobgraph_export_profile(store, dir.Path("x").c_str(), "auto"),
            BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_export_graph(store, dir.Path("x").c_str(), "yaml"), BLOBGRAPH_INVALID_INPUT);
  EXPECT_EQ(blobgraph_export_graph(store, dir.Path("x").c_str(), "auto"),
            BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiEngineTest, ManyThreadsPrefetchRecordAndLoadAtOnce) {
  TempDir dir;
  std::string path = dir.Path("store");
  std::vector<BlobHash> functions = TrainDifflib(dir, path);
  blobgraph_store* store = OpenStore(path, false);
  blobgraph_engine* engine = OpenQuietEngine(store);
  // Answers from one thread first; loads are not recorded, so they hold.
  std::vector<std::vector<blobgraph_hash>> expected(functions.size());
  for (size_t i = 0; i < functions.size(); ++i) {
    blobgraph_hash start = ToC(functions[i]), out[16];
    size_t count = 0;
    ASSERT_EQ(blobgraph_prefetch(engine, &start, nullptr, out, nullptr, 16, &count), BLOBGRAPH_OK);
    expected[i].assign(out, out + count);
  }
  constexpr int kThreads = 4;
  std::latch start_line(kThreads);
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start_line.arrive_and_wait();
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < functions.size(); ++i) {
          blobgraph_hash start = ToC(functions[i]), out[16];
          size_t count = 0;
          if (t % 2 == 0) {
            if (blobgraph_prefetch(engine, &start, nullptr, out, nullptr, 16, &count) !=
                BLOBGRAPH_OK)
              ++failures;
            // memcmp of zero bytes still needs valid pointers: data() of an
            // empty vector may be null.
            if (count != expected[i].size() ||
                (count > 0 &&
                 std::memcmp(out, expected[i].data(), count * sizeof(blobgraph_hash)) != 0)) {
              ++mismatches;
            }
          } else if (blobgraph_record_call(engine, &start, &start) != BLOBGRAPH_OK) {
            ++failures;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);  // no refresh ran: the snapshot did not change
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK) << blobgraph_last_error();
  blobgraph_store_stats stats;
  ASSERT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

}  // namespace
}  // namespace blobgraph::capi_test
