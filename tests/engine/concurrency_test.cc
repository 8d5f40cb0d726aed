// 8 threads prefetch while 2 record calls and snapshots are rebuilt and
// swapped underneath them. Deterministic start with a latch; every thread
// runs a fixed amount of work. Run under ThreadSanitizer with the "tsan"
// label (see tests/engine/tsan.cmake).
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <set>
#include <thread>

#include "blobgraph/engine.h"
#include "tests/engine/engine_test_util.h"

namespace blobgraph {
namespace {

using testing::MakeHash;
using testing::QuietOptions;
using testing::TempStore;

TEST(EngineConcurrencyTest, PrefetchWhileRecordingAndSwapping) {
  constexpr int kFunctions = 60;
  TempStore store;
  GraphUpdate update;
  for (int i = 0; i < kFunctions; ++i) {
    for (int k = 1; k <= 3; ++k) {
      update.edges.push_back({MakeHash(static_cast<uint8_t>(1 + i)),
                              MakeHash(static_cast<uint8_t>(1 + (i + k * 7) % kFunctions)),
                              static_cast<uint64_t>(k), 0});
    }
  }
  ASSERT_TRUE(store->Apply(update).ok());
  EngineOptions options = QuietOptions();
  options.max_pending_edges = 64;  // the background thread flushes too
  auto opened = Engine::Open(store.get(), options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Engine* engine = opened->get();

  constexpr int kPrefetchers = 8, kRecorders = 2, kRounds = 2000, kSwaps = 20;
  std::latch start(kPrefetchers + kRecorders + 1);
  std::atomic<int> bad_results{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kPrefetchers; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      PrefetchOptions prefetch;
      prefetch.min_probability = 0;
      Prediction out[16];
      for (int r = 0; r < kRounds; ++r) {
        BlobHash from = MakeHash(static_cast<uint8_t>(1 + (r * 13 + t) % (kFunctions + 5)));
        size_t n = engine->Prefetch(from, prefetch, out, 16);
        std::set<BlobHash> seen;
        for (size_t i = 0; i < n; ++i) {
          if (out[i].hash == from || !seen.insert(out[i].hash).second ||
              !(out[i].probability > 0 && out[i].probability <= 1) ||
              (i > 0 && out[i].probability > out[i - 1].probability)) {
            bad_results.fetch_add(1);
          }
        }
        if (r % 97 == 0) engine->OnLoad(from);
      }
    });
  }
  for (int t = 0; t < kRecorders; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int r = 0; r < kRounds * 4; ++r) {
        engine->RecordCall(MakeHash(static_cast<uint8_t>(1 + (r + t) % kFunctions)),
                           MakeHash(static_cast<uint8_t>(1 + (r * 3) % kFunctions)));
      }
    });
  }
  start.arrive_and_wait();
  uint64_t first_version = engine->Snapshot().version;
  for (int s = 0; s < kSwaps; ++s) ASSERT_TRUE(engine->Refresh().ok());
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(bad_results.load(), 0);
  EXPECT_GE(engine->Snapshot().version, first_version + kSwaps);
  ASSERT_TRUE(engine->Flush().ok());
  // Every recorded call reached the store: 2 threads x 8000 calls.
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dynamic_total, uint64_t{kRecorders} * kRounds * 4);
  FeedbackStats feedback = engine->Stats();
  EXPECT_EQ(feedback.requests, uint64_t{kPrefetchers} * kRounds);
  EXPECT_LE(feedback.hits + feedback.wasted, feedback.issued);
}

}  // namespace
}  // namespace blobgraph
