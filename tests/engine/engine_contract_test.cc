// The Engine's public-API contract under pressure: options out of range are
// a Status (never an exception), Flush persists this run's load order once
// (a crash after Flush keeps it), a function loaded is never predicted again
// even after the feedback tracker evicted it, and rows pulled in after a
// miss follow the store's counts on the next refresh.
#include "blobgraph/engine.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/engine/engine_test_util.h"

namespace blobgraph {
namespace {

using testing::HotCallersUpdate;
using testing::MakeHash;
using testing::OpenEngine;
using testing::QuietOptions;
using testing::TempStore;

// A hash from a 16-bit number (MakeHash has only 255 distinct ones).
BlobHash Hash16(uint16_t value) {
  uint8_t bytes[BlobHash::kSize] = {};
  bytes[0] = static_cast<uint8_t>(1 + (value >> 8));
  bytes[1] = static_cast<uint8_t>(value & 0xff);
  bytes[2] = 0x5a;
  return BlobHash::FromBytes(bytes);
}

std::vector<Prediction> Walk(Engine* engine, const BlobHash& start, uint32_t top_n = 4) {
  PrefetchOptions options;
  options.max_depth = 1;
  options.top_n = top_n;
  options.min_probability = 0;
  options.max_results = std::numeric_limits<uint32_t>::max();  // bounded by the buffer
  std::vector<Prediction> out(kMaxPrefetchResults);
  out.resize(engine->Prefetch(start, options, out.data(), out.size()));
  return out;
}

std::map<BlobHash, LoadRecord> LoadRecords(GraphStore* store) {
  std::map<BlobHash, LoadRecord> records;
  Status status = store->ForEachLoadRecord([&](const LoadRecord& record) {
    records[record.hash] = record;
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return records;
}

struct BadOption {
  const char* field;  // must appear in the message
  std::function<void(EngineOptions*)> set;
};

TEST(EngineContractTest, OpenRefusesOptionsOutOfRangeWithAStatus) {
  TempStore store;
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<BadOption> cases = {
      {"prior_weight", [&](EngineOptions* o) { o->model.prior_weight = inf; }},
      {"prior_weight", [&](EngineOptions* o) { o->model.prior_weight = -inf; }},
      {"prior_weight", [](EngineOptions* o) { o->model.prior_weight = std::nan(""); }},
      {"prior_weight", [](EngineOptions* o) { o->model.prior_weight = -0.5; }},
      {"prior_weight", [](EngineOptions* o) { o->model.prior_weight = 1e300; }},
      {"tracked_functions", [](EngineOptions* o) { o->tracked_functions = SIZE_MAX; }},
      {"tracked_functions",
       [](EngineOptions* o) { o->tracked_functions = kMaxTrackedFunctions + 1; }},
      {"waste_window", [](EngineOptions* o) { o->waste_window = UINT64_MAX; }},
      {"refresh_interval",
       [](EngineOptions* o) { o->refresh_interval = std::chrono::milliseconds(-1); }},
      {"flush_interval",
       [](EngineOptions* o) { o->flush_interval = std::chrono::milliseconds::max(); }},
  };
  for (const BadOption& bad : cases) {
    EngineOptions options = QuietOptions();
    bad.set(&options);
    Result<std::unique_ptr<Engine>> engine = Status::Ok();
    EXPECT_NO_THROW(engine = Engine::Open(store.get(), options)) << bad.field;
    ASSERT_FALSE(engine.ok()) << bad.field;
    EXPECT_EQ(engine.status().code(), Status::Code::kInvalidInput) << bad.field;
    EXPECT_NE(engine.status().message().find(bad.field), std::string::npos)
        << engine.status().message();
    EXPECT_FALSE(ValidateEngineOptions(options).ok()) << bad.field;
  }
  // Huge values that are only caps are fine: the budget is an upper bound.
  EngineOptions roomy = QuietOptions();
  roomy.hot_budget_bytes = SIZE_MAX;
  roomy.max_pending_edges = SIZE_MAX;
  EXPECT_TRUE(Engine::Open(store.get(), roomy).ok());
}

TEST(EngineContractTest, PrefetchOptionsValidation) {
  PrefetchOptions options;
  EXPECT_TRUE(ValidatePrefetchOptions(options).ok());
  for (double bad : {-0.5, 1.5, std::nan(""), std::numeric_limits<double>::infinity()}) {
    options.min_probability = bad;
    Status status = ValidatePrefetchOptions(options);
    EXPECT_EQ(status.code(), Status::Code::kInvalidInput) << bad;
    EXPECT_NE(status.message().find("min_probability"), std::string::npos);
  }
}

TEST(EngineContractTest, OpenOutOfMemoryIsAStatusNotAnException) {
  // In a child process under an address-space limit, a tracker of 2^30
  // slots (8 GiB) cannot be allocated: Open must return, not throw/abort.
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's operator new aborts on failure instead of throwing bad_alloc";
#endif
  TempStore store;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // What this process already maps (RocksDB's threads, the test binary),
    // plus 512 MiB for the engine.
    unsigned long long pages = 0;
    if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(statm, "%llu", &pages) != 1) pages = 0;
      std::fclose(statm);
    }
    rlim_t bytes = pages * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (512ull << 20);
    rlimit limit{bytes, bytes};
    setrlimit(RLIMIT_AS, &limit);
    EngineOptions options = QuietOptions();
    options.tracked_functions = kMaxTrackedFunctions;
    int code = 3;
    try {
      auto engine = Engine::Open(store.get(), options);
      code = engine.ok()
                 ? 4
                 : (engine.status().code() == Status::Code::kIOError &&
                            engine.status().message().find("out of memory") != std::string::npos
                        ? 0
                        : 5);
    } catch (...) {
      code = 6;  // an exception crossed the API
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: no result, 4: opened, 5: wrong status, 6: threw";
}

TEST(EngineContractTest, TwoFlushesAndACloseCountTheRunOnce) {
  const BlobHash x = MakeHash(1), y = MakeHash(2), z = MakeHash(3);
  TempStore store;
  {
    auto engine = OpenEngine(store.get());
    engine->OnLoad(x);
    ASSERT_TRUE(engine->Flush().ok());
    engine->OnLoad(y);
    engine->OnLoad(x);  // a repeat load is not a new position
    ASSERT_TRUE(engine->Flush().ok());
    ASSERT_TRUE(engine->Flush().ok());  // nothing new: writes nothing
    engine->OnLoad(z);
  }  // close flushes z
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->runs, 1u);
  auto records = LoadRecords(store.get());
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[x].runs, 1u);
  EXPECT_EQ(records[x].position_sum, 0u);
  EXPECT_EQ(records[y].runs, 1u);
  EXPECT_EQ(records[y].position_sum, 1u);
  EXPECT_EQ(records[z].runs, 1u);
  EXPECT_EQ(records[z].position_sum, 2u);

  // A second run adds one run, not one per flush.
  {
    auto engine = OpenEngine(store.get());
    engine->OnLoad(z);
    ASSERT_TRUE(engine->Flush().ok());
    engine->OnLoad(x);
  }
  stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->runs, 2u);
  records = LoadRecords(store.get());
  EXPECT_EQ(records[z].runs, 2u);
  EXPECT_EQ(records[z].position_sum, 2u);  // 2 + 0
  EXPECT_EQ(records[x].runs, 2u);
  EXPECT_EQ(records[x].position_sum, 1u);  // 0 + 1
}

// The child half of FlushThenCrashKeepsTheLoadOrder: runs only when the
// parent starts this binary with BLOBGRAPH_CONTRACT_CHILD_DB set.
TEST(EngineContractChild, LoadFlushAndDieWithoutClosing) {
  const char* db = std::getenv("BLOBGRAPH_CONTRACT_CHILD_DB");
  if (db == nullptr) GTEST_SKIP() << "started by FlushThenCrashKeepsTheLoadOrder";
  auto store = GraphStore::Open(db);
  if (!store.ok()) _exit(10);
  EngineOptions options = QuietOptions();
  auto engine = Engine::Open(store->get(), options);
  if (!engine.ok()) _exit(11);
  for (uint8_t i : {5, 3, 9}) (*engine)->OnLoad(MakeHash(i));
  if (!(*engine)->Flush().ok()) _exit(12);
  (*engine)->OnLoad(MakeHash(7));  // after the flush: lost with the crash
  _exit(0);                        // no destructor, no close: a crash
}

TEST(EngineContractTest, FlushThenCrashKeepsTheLoadOrder) {
  std::string dir = (std::filesystem::temp_directory_path() / "blobgraph-contract-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::string db = dir + "/store";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A fresh process image (no threads inherited from this one's RocksDB).
    setenv("BLOBGRAPH_CONTRACT_CHILD_DB", db.c_str(), 1);
    execl("/proc/self/exe", "engine_contract_child",
          "--gtest_filter=EngineContractChild.LoadFlushAndDieWithoutClosing", nullptr);
    _exit(20);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  {
    auto store = GraphStore::Open(db);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto stats = (*store)->Stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->runs, 1u);
    auto engine = OpenEngine(store->get());
    BlobHash out[8];
    size_t n = engine->StartSet(8, out);
    ASSERT_EQ(n, 3u);
    EXPECT_EQ(out[0], MakeHash(5));
    EXPECT_EQ(out[1], MakeHash(3));
    EXPECT_EQ(out[2], MakeHash(9));
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

TEST(EngineContractTest, LoadedFunctionsStayFilteredAfterTrackerEviction) {
  // One caller with 120 callees; a tracker of 64 slots; 80 of the callees
  // loaded, so the tracker must evict. Prefetch must return exactly the 40
  // never loaded, before and after a new snapshot.
  constexpr uint16_t kCallees = 120, kLoaded = 80;
  const BlobHash caller = MakeHash(1);
  TempStore store;
  GraphUpdate update;
  std::vector<BlobHash> callees;
  for (uint16_t i = 0; i < kCallees; ++i) {
    callees.push_back(Hash16(i));
    update.edges.push_back({caller, callees.back(), 1, 0});
  }
  ASSERT_TRUE(store->Apply(update).ok());
  EngineOptions options = QuietOptions();
  options.tracked_functions = 64;
  auto engine = OpenEngine(store.get(), options);
  std::set<BlobHash> loaded(callees.begin(), callees.begin() + kLoaded);
  std::set<BlobHash> unloaded(callees.begin() + kLoaded, callees.end());
  // A function outside the store loaded now, added to the store later.
  const BlobHash late = MakeHash(200);
  engine->OnLoad(late);
  for (const BlobHash& hash : loaded) engine->OnLoad(hash);

  auto check = [&](const char* when) {
    std::vector<Prediction> got = Walk(engine.get(), caller, kCallees + 1);
    std::set<BlobHash> returned;
    for (const Prediction& p : got) {
      EXPECT_FALSE(loaded.count(p.hash) || p.hash == late) << when << ": loaded function returned";
      returned.insert(p.hash);
    }
    EXPECT_EQ(returned, unloaded) << when;
  };
  check("same snapshot");
  check("again");
  GraphUpdate more;
  // An observed call: the caller's call sites are set once (graph_store.h).
  more.edges.push_back({caller, late, 0, 1});
  ASSERT_TRUE(store->Apply(more).ok());
  ASSERT_TRUE(engine->Refresh().ok());
  check("after a rebuild");
}

TEST(EngineContractTest, RowPulledAfterAMissFollowsNewCountsOnRefresh) {
  // As in MissIsPulledIntoTheNextSnapshot: a cold caller outside the hot
  // set, pulled in after a miss. Then another writer adds observed calls.
  TempStore store;
  GraphUpdate update = HotCallersUpdate();
  const BlobHash cold = MakeHash(7), first = MakeHash(8), second = MakeHash(9);
  update.edges.push_back({cold, first, 1, 0});
  update.edges.push_back({cold, second, 1, 0});
  ASSERT_TRUE(store->Apply(update).ok());
  EngineOptions options = QuietOptions();
  options.hot_budget_bytes = 6000;
  auto engine = OpenEngine(store.get(), options);
  ASSERT_TRUE(engine->Refresh().ok());
  EXPECT_TRUE(Walk(engine.get(), cold).empty());  // a miss: queued
  ASSERT_TRUE(engine->Refresh().ok());            // pulled in, pinned
  std::vector<Prediction> before = Walk(engine.get(), cold);
  ASSERT_EQ(before.size(), 2u);
  // The 40 hot callers ran (observed calls, no load records: 100
  // invocations each, r = 100) and took all 160 listed edges in each:
  // m = (16000 + 10 * 0.3) / (16000 + 10). cold never ran, and nobody else
  // lists first or second: p = m_x = m for both.
  EXPECT_NEAR(before[0].probability, 16003.0 / 16010.0, 1e-6);
  EXPECT_NEAR(before[1].probability, 16003.0 / 16010.0, 1e-6);

  GraphUpdate observed;  // another writer: cold -> second 10 times
  observed.edges.push_back({cold, second, 0, 10});
  ASSERT_TRUE(store->Apply(observed).ok());
  ASSERT_TRUE(engine->Refresh().ok());
  // Now cold ran (r = 10) and took second in all: T = 16010, L = 16020,
  // m = 16013 / 16030; m_second = (10 + 0.5 m) / 10.5, m_first = 0.5 m / 10.5;
  // p = (t + 0.1 m_x) / 10.1.
  const double m = 16013.0 / 16030.0;
  std::vector<Prediction> after = Walk(engine.get(), cold);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].hash, second);
  EXPECT_NEAR(after[0].probability, (10 + 0.1 * (10 + 0.5 * m) / 10.5) / 10.1, 1e-6);
  EXPECT_EQ(after[1].hash, first);
  EXPECT_NEAR(after[1].probability, 0.1 * (0.5 * m / 10.5) / 10.1, 1e-6);
}

TEST(EngineContractTest, HugeCapacityAndMaxResultsWriteAtMostTheWalkLimit) {
  const BlobHash caller = MakeHash(1);
  TempStore store;
  GraphUpdate update;
  for (uint16_t i = 0; i < 300; ++i) update.edges.push_back({caller, Hash16(i), 1, 0});
  ASSERT_TRUE(store->Apply(update).ok());
  auto engine = OpenEngine(store.get());
  PrefetchOptions options;
  options.max_depth = UINT32_MAX;
  options.top_n = UINT32_MAX;
  options.min_probability = 0;
  options.max_results = UINT32_MAX;
  // Room for 2 * kMaxPrefetchResults; a capacity far beyond what the walk
  // can return is told the truth about the buffer.
  std::vector<Prediction> out(2 * kMaxPrefetchResults);
  size_t n = engine->Prefetch(caller, options, out.data(), out.size());
  EXPECT_EQ(n, kMaxPrefetchResults);
}

}  // namespace
}  // namespace blobgraph
