// The C API's error paths: NULL, closed, stale and wrong-kind handles, bad
// arguments, and blobgraph_last_error() (its messages, and that it is per
// thread). None of these may crash.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <latch>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "blobgraph/c.h"
#include "capi_test_util.h"

namespace blobgraph::capi_test {
namespace {

using ::testing::HasSubstr;

blobgraph_hash HashOf(uint8_t byte) {
  blobgraph_hash hash;
  for (auto& b : hash.bytes) b = byte;
  return hash;
}

// Every per-handle function, called on `store` / `engine`, must answer
// CLOSED_HANDLE and name itself in the message.
void ExpectAllRejected(blobgraph_store* store, blobgraph_engine* engine) {
  blobgraph_hash a = HashOf(1), b = HashOf(2);
  blobgraph_hash out[4];
  float probabilities[4];
  size_t count = 99;
  blobgraph_store_stats store_stats;
  blobgraph_feedback_stats feedback;
  uint64_t edges = 0;
  struct Call {
    const char* name;
    blobgraph_status status;
  } calls[] = {
      {"blobgraph_store_stats_get", blobgraph_store_stats_get(store, &store_stats)},
      {"blobgraph_flush", blobgraph_flush(store)},
      {"blobgraph_import_dependencies",
       blobgraph_import_dependencies(store, "/nonexistent", &edges)},
      {"blobgraph_import_profile", blobgraph_import_profile(store, "/nonexistent", 0)},
      {"blobgraph_export_profile", blobgraph_export_profile(store, "/nonexistent", nullptr)},
      {"blobgraph_engine_open",
       [&] {
         blobgraph_engine* e = reinterpret_cast<blobgraph_engine*>(1);
         blobgraph_status s = blobgraph_engine_open(store, nullptr, &e);
         EXPECT_EQ(e, nullptr);
         return s;
       }()},
      {"blobgraph_record_call", blobgraph_record_call(engine, &a, &b)},
      {"blobgraph_on_load", blobgraph_on_load(engine, &a)},
      {"blobgraph_prefetch",
       blobgraph_prefetch(engine, &a, nullptr, out, probabilities, 4, &count)},
      {"blobgraph_start_set", blobgraph_start_set(engine, 4, out, &count)},
      {"blobgraph_engine_flush", blobgraph_engine_flush(engine)},
      {"blobgraph_engine_refresh", blobgraph_engine_refresh(engine)},
      {"blobgraph_engine_stats", blobgraph_engine_stats(engine, &feedback, &feedback, nullptr)},
      {"blobgraph_engine_close", blobgraph_engine_close(engine)},
      {"blobgraph_store_close", blobgraph_store_close(store)},
  };
  for (const Call& call : calls) {
    EXPECT_EQ(call.status, BLOBGRAPH_CLOSED_HANDLE) << call.name;
  }
  // The last call's message names it and what was wrong.
  EXPECT_THAT(std::string(blobgraph_last_error()),
              HasSubstr("blobgraph_store_close: store handle is NULL, closed"));
}

TEST(CApiVersionTest, VersionMatchesMacrosAndProject) {
  std::string expected = std::to_string(BLOBGRAPH_VERSION_MAJOR) + "." +
                         std::to_string(BLOBGRAPH_VERSION_MINOR) + "." +
                         std::to_string(BLOBGRAPH_VERSION_PATCH);
  EXPECT_EQ(std::string(blobgraph_version()), expected);
  EXPECT_EQ(std::string(BLOBGRAPH_VERSION_STRING), expected);
  EXPECT_EQ(expected, BLOBGRAPH_PROJECT_VERSION);
}

TEST(CApiVersionTest, StatusNamesCoverEveryCode) {
  EXPECT_STREQ(blobgraph_status_name(BLOBGRAPH_OK), "ok");
  EXPECT_STREQ(blobgraph_status_name(BLOBGRAPH_CLOSED_HANDLE), "closed handle");
  EXPECT_STREQ(blobgraph_status_name(BLOBGRAPH_BUSY), "busy");
  EXPECT_STREQ(blobgraph_status_name(static_cast<blobgraph_status>(77)), "unknown");
}

TEST(CApiHandleTest, NullHandlesAreErrorsNotCrashes) { ExpectAllRejected(nullptr, nullptr); }

TEST(CApiHandleTest, MadeUpHandlesAreRejected) {
  // A small integer, a pointer-looking value and all ones: none names a live slot.
  int on_stack = 0;
  for (uintptr_t token : {uintptr_t{1}, uintptr_t{0xdeadbeef},
                          reinterpret_cast<uintptr_t>(&on_stack), ~uintptr_t{0}}) {
    SCOPED_TRACE(token);
    ExpectAllRejected(reinterpret_cast<blobgraph_store*>(token),
                      reinterpret_cast<blobgraph_engine*>(token));
  }
}

TEST(CApiHandleTest, ClosedHandlesAreRejected) {
  TempDir dir;
  blobgraph_store* store = OpenStore(dir.Path("store"));
  blobgraph_engine* engine = OpenQuietEngine(store);
  ASSERT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK) << blobgraph_last_error();
  ASSERT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK) << blobgraph_last_error();
  ExpectAllRejected(store, engine);
  // Closing twice is the same error, not a double free.
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_CLOSED_HANDLE);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_CLOSED_HANDLE);
}

TEST(CApiHandleTest, StaleHandleStaysClosedAfterItsSlotIsReused) {
  TempDir dir;
  blobgraph_store* first = OpenStore(dir.Path("a"));
  ASSERT_EQ(blobgraph_store_close(first), BLOBGRAPH_OK);
  blobgraph_store* second = OpenStore(dir.Path("b"));
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);  // same slot maybe, new generation
  blobgraph_store_stats stats;
  EXPECT_EQ(blobgraph_store_stats_get(first, &stats), BLOBGRAPH_CLOSED_HANDLE);
  EXPECT_EQ(blobgraph_store_close(first), BLOBGRAPH_CLOSED_HANDLE);
  EXPECT_EQ(blobgraph_store_stats_get(second, &stats), BLOBGRAPH_OK) << blobgraph_last_error();
  EXPECT_EQ(blobgraph_store_close(second), BLOBGRAPH_OK);
}

TEST(CApiHandleTest, EngineHandleIsNotAStoreHandle) {
  TempDir dir;
  blobgraph_store* store = OpenStore(dir.Path("store"));
  blobgraph_engine* engine = OpenQuietEngine(store);
  blobgraph_store_stats stats;
  EXPECT_EQ(blobgraph_store_stats_get(reinterpret_cast<blobgraph_store*>(engine), &stats),
            BLOBGRAPH_CLOSED_HANDLE);
  blobgraph_hash a = HashOf(7);
  EXPECT_EQ(blobgraph_on_load(reinterpret_cast<blobgraph_engine*>(store), &a),
            BLOBGRAPH_CLOSED_HANDLE);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr("not a engine handle"));
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiHandleTest, StoreRefusesToCloseUnderAnOpenEngine) {
  TempDir dir;
  blobgraph_store* store = OpenStore(dir.Path("store"));
  blobgraph_engine* engine = OpenQuietEngine(store);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_BUSY);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr("1 engine(s) still open"));
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr(dir.Path("store")));
  // Both still work.
  blobgraph_hash a = HashOf(3);
  EXPECT_EQ(blobgraph_on_load(engine, &a), BLOBGRAPH_OK);
  blobgraph_store_stats stats;
  EXPECT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiArgumentTest, NullOutputsAndInputsAreInvalidArguments) {
  TempDir dir;
  EXPECT_EQ(blobgraph_store_open(dir.Path("s").c_str(), nullptr, nullptr),
            BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr("blobgraph_store_open: out is NULL"));
  blobgraph_store* store = reinterpret_cast<blobgraph_store*>(1);
  EXPECT_EQ(blobgraph_store_open(nullptr, nullptr, &store), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(store, nullptr);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr("path is NULL"));
  EXPECT_EQ(blobgraph_store_options_init(nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_engine_options_init(nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_prefetch_options_init(nullptr), BLOBGRAPH_INVALID_ARGUMENT);

  store = OpenStore(dir.Path("s"));
  blobgraph_engine* engine = OpenQuietEngine(store);
  blobgraph_hash a = HashOf(1), out[2];
  size_t count = 0;
  EXPECT_EQ(blobgraph_record_call(engine, nullptr, &a), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(std::string(blobgraph_last_error()),
              HasSubstr("blobgraph_record_call: caller is NULL"));
  EXPECT_EQ(blobgraph_record_call(engine, &a, nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_on_load(engine, nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_prefetch(engine, nullptr, nullptr, out, nullptr, 2, &count),
            BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_prefetch(engine, &a, nullptr, nullptr, nullptr, 2, &count),
            BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr("out_hashes is NULL"));
  EXPECT_EQ(blobgraph_prefetch(engine, &a, nullptr, out, nullptr, 2, nullptr),
            BLOBGRAPH_INVALID_ARGUMENT);
  // Zero capacity needs no array.
  EXPECT_EQ(blobgraph_prefetch(engine, &a, nullptr, nullptr, nullptr, 0, &count), BLOBGRAPH_OK);
  EXPECT_EQ(count, 0u);
  blobgraph_prefetch_options bad;
  ASSERT_EQ(blobgraph_prefetch_options_init(&bad), BLOBGRAPH_OK);
  bad.min_probability = 2.0;
  EXPECT_EQ(blobgraph_prefetch(engine, &a, &bad, out, nullptr, 2, &count),
            BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr("min_probability is 2"));
  EXPECT_EQ(blobgraph_start_set(engine, 2, nullptr, &count), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_start_set(engine, 2, out, nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_store_stats_get(store, nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_import_dependencies(store, nullptr, nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_import_profile(store, nullptr, 0), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_export_profile(store, nullptr, nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiArgumentTest, UninitialisedOptionsAreRefused) {
  TempDir dir;
  blobgraph_store_options store_options = {};  // struct_size 0: never initialised
  blobgraph_store* store = nullptr;
  EXPECT_EQ(blobgraph_store_open(dir.Path("s").c_str(), &store_options, &store),
            BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr("options.struct_size is 0, expected"));
  EXPECT_EQ(store, nullptr);

  store = OpenStore(dir.Path("s"));
  blobgraph_engine_options engine_options = {};
  blobgraph_engine* engine = nullptr;
  EXPECT_EQ(blobgraph_engine_open(store, &engine_options, &engine), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(engine, nullptr);
  ASSERT_EQ(blobgraph_engine_options_init(&engine_options), BLOBGRAPH_OK);
  engine_options.prefetch.min_probability = -1;
  EXPECT_EQ(blobgraph_engine_open(store, &engine_options, &engine), BLOBGRAPH_INVALID_ARGUMENT);
  // A failed engine open leaves no engine counted against the store.
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK) << blobgraph_last_error();
}

TEST(CApiArgumentTest, BadHashTextIsInvalidInputQuotingIt) {
  blobgraph_hash hash;
  const char text[] = "abc";
  EXPECT_EQ(blobgraph_hash_parse(text, 3, &hash), BLOBGRAPH_INVALID_INPUT);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr("abc"));
  EXPECT_EQ(blobgraph_hash_parse(nullptr, 0, &hash), BLOBGRAPH_INVALID_ARGUMENT);
  std::string hex(64, 'A');
  ASSERT_EQ(blobgraph_hash_parse(hex.data(), hex.size(), &hash), BLOBGRAPH_OK);
  char back[65];
  ASSERT_EQ(blobgraph_hash_to_hex(&hash, back), BLOBGRAPH_OK);
  EXPECT_EQ(std::string(back), std::string(64, 'a'));
  EXPECT_EQ(blobgraph_hash_to_hex(nullptr, back), BLOBGRAPH_INVALID_ARGUMENT);
}

TEST(CApiStoreErrorTest, MissingStoreWithoutCreateNamesThePath) {
  TempDir dir;
  blobgraph_store_options options;
  ASSERT_EQ(blobgraph_store_options_init(&options), BLOBGRAPH_OK);
  options.create_if_missing = 0;
  blobgraph_store* store = nullptr;
  blobgraph_status status = blobgraph_store_open(dir.Path("absent").c_str(), &options, &store);
  EXPECT_NE(status, BLOBGRAPH_OK);
  EXPECT_EQ(store, nullptr);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr(dir.Path("absent")));
}

TEST(CApiStoreErrorTest, SecondWriterIsBusy) {
  TempDir dir;
  blobgraph_store* store = OpenStore(dir.Path("s"));
  blobgraph_store* second = nullptr;
  EXPECT_EQ(blobgraph_store_open(dir.Path("s").c_str(), nullptr, &second), BLOBGRAPH_BUSY);
  EXPECT_EQ(second, nullptr);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiStoreErrorTest, MalformedDependenciesNameFileAndLineAndChangeNothing) {
  TempDir dir;
  blobgraph_store* store = OpenStore(dir.Path("s"));
  std::string good = dir.Path("good.txt"), bad = dir.Path("bad.txt");
  std::ofstream(good) << std::string(64, 'a') << ' ' << std::string(64, 'b') << '\n';
  std::ofstream(bad) << std::string(64, 'c') << ' ' << std::string(64, 'd') << '\n'
                     << std::string(64, 'c') << " xyz\n";
  uint64_t edges = 0;
  ASSERT_EQ(blobgraph_import_dependencies(store, good.c_str(), &edges), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(edges, 1u);
  EXPECT_EQ(blobgraph_import_dependencies(store, bad.c_str(), &edges), BLOBGRAPH_INVALID_INPUT);
  std::string message = blobgraph_last_error();
  EXPECT_THAT(message, HasSubstr(bad));
  EXPECT_THAT(message, HasSubstr("line 2"));
  blobgraph_store_stats stats;
  ASSERT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK);
  EXPECT_EQ(stats.edges, 1u);  // only the good file's edge
  EXPECT_EQ(blobgraph_import_dependencies(store, dir.Path("none.txt").c_str(), &edges),
            BLOBGRAPH_IO_ERROR);
  EXPECT_THAT(std::string(blobgraph_last_error()), HasSubstr(dir.Path("none.txt")));
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiStoreErrorTest, ReadOnlyStoreRefusesWrites) {
  TempDir dir;
  ASSERT_EQ(blobgraph_store_close(OpenStore(dir.Path("s"))), BLOBGRAPH_OK);
  blobgraph_store_options options;
  ASSERT_EQ(blobgraph_store_options_init(&options), BLOBGRAPH_OK);
  options.read_only = 1;
  blobgraph_store* store = nullptr;
  ASSERT_EQ(blobgraph_store_open(dir.Path("s").c_str(), &options, &store), BLOBGRAPH_OK)
      << blobgraph_last_error();
  std::string deps = dir.Path("deps.txt");
  std::ofstream(deps) << std::string(64, 'a') << ' ' << std::string(64, 'b') << '\n';
  EXPECT_EQ(blobgraph_import_dependencies(store, deps.c_str(), nullptr), BLOBGRAPH_INVALID_INPUT);
  blobgraph_store_stats stats;
  ASSERT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK);
  EXPECT_EQ(stats.edges, 0u);
  EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);
}

TEST(CApiLastErrorTest, IsPerThreadAndKeptAcrossSuccessfulCalls) {
  std::latch both_failed(2), both_checked(2);
  std::string seen_a, seen_b;
  auto worker = [&](const char* argument_text, std::string* seen) {
    blobgraph_hash hash;
    EXPECT_EQ(blobgraph_hash_parse(argument_text, std::strlen(argument_text), &hash),
              BLOBGRAPH_INVALID_INPUT);
    both_failed.arrive_and_wait();  // the other thread has failed too
    std::string hex(64, '0');
    EXPECT_EQ(blobgraph_hash_parse(hex.data(), hex.size(), &hash), BLOBGRAPH_OK);
    *seen = blobgraph_last_error();
    both_checked.arrive_and_wait();
  };
  std::thread a(worker, "first-thread-text", &seen_a);
  std::thread b(worker, "second-thread-text", &seen_b);
  a.join();
  b.join();
  EXPECT_THAT(seen_a, HasSubstr("first-thread-text"));
  EXPECT_THAT(seen_b, HasSubstr("second-thread-text"));
  // A thread that never failed has an empty message.
  std::string fresh = "unset";
  std::thread([&] { fresh = blobgraph_last_error(); }).join();
  EXPECT_EQ(fresh, "");
}

}  // namespace
}  // namespace blobgraph::capi_test
