// The C API's profile-server client against a real blobgraph-server process
// on an ephemeral port: push (idempotent by profile id), pull of the whole
// graph and of its hot part into a fresh store, the start set, tokens, an
// unreachable server, and NULL/closed/stale client handles.
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "blobgraph/c.h"
#include "capi_test_util.h"
#include "server_process_util.h"

namespace blobgraph::capi_test {
namespace {

using ::testing::HasSubstr;

constexpr int kCallers = 20;
constexpr int kCalleesPerCaller = 3;
// Caller i calls each of its callees i + 1 times, so the source graph has
// 60 edges (static count 1 each) and 3 * (1 + ... + 20) = 630 observed calls.
constexpr uint64_t kEdges = kCallers * kCalleesPerCaller;
constexpr uint64_t kDynamicTotal = kCalleesPerCaller * (kCallers * (kCallers + 1) / 2);

blobgraph_hash MakeHash(uint8_t kind, uint8_t i, uint8_t j) {
  blobgraph_hash hash;
  std::memset(hash.bytes, 0, sizeof(hash.bytes));
  hash.bytes[0] = kind;
  hash.bytes[1] = i;
  hash.bytes[2] = j;
  hash.bytes[31] = 0x5a;
  return hash;
}
blobgraph_hash Caller(int i) { return MakeHash(1, static_cast<uint8_t>(i), 0); }
blobgraph_hash Callee(int i, int j) {
  return MakeHash(2, static_cast<uint8_t>(i), static_cast<uint8_t>(j));
}

std::string Hex(const blobgraph_hash& hash) {
  char text[65];
  EXPECT_EQ(blobgraph_hash_to_hex(&hash, text), BLOBGRAPH_OK);
  return text;
}

blobgraph_store_stats StatsOf(blobgraph_store* store) {
  blobgraph_store_stats stats{};
  EXPECT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK) << blobgraph_last_error();
  return stats;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ServerExecutable() looks beside tests/server; this binary lives elsewhere.
    setenv("BLOBGRAPH_SERVER_EXE", BLOBGRAPH_SERVER, /*overwrite=*/0);
  }

  void TearDown() override {
    for (blobgraph_store* store : stores_) blobgraph_store_close(store);
  }

  // Starts blobgraph-server on the store at `db` (created if missing).
  void StartServer(const std::vector<std::string>& extra = {}) {
    server_ = std::make_unique<server::testing::ServerProcess>(dir_.Path("server-db"),
                                                               dir_.Path("server.log"));
    std::string error;
    ASSERT_TRUE(server_->Start(extra, &error)) << error;
  }

  blobgraph_client_options Options() const {
    blobgraph_client_options options;
    EXPECT_EQ(blobgraph_client_options_init(&options), BLOBGRAPH_OK);
    options.address = address_.c_str();
    return options;
  }

  blobgraph_client* Connect() {
    address_ = server_->address();
    blobgraph_client_options options = Options();
    blobgraph_client* client = nullptr;
    EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_OK)
        << blobgraph_last_error() << "\n"
        << server_->Log();
    return client;
  }

  blobgraph_store* OpenStore(const std::string& name) {
    blobgraph_store* store = nullptr;
    EXPECT_EQ(blobgraph_store_open(dir_.Path(name).c_str(), nullptr, &store), BLOBGRAPH_OK)
        << blobgraph_last_error();
    if (store != nullptr) stores_.push_back(store);
    return store;
  }
  void CloseStore(blobgraph_store* store) {
    EXPECT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK) << blobgraph_last_error();
    std::erase(stores_, store);
  }

  // Builds the source graph above through the C API and exports it as a
  // profile file; returns its path. `*source` gets the source store's stats.
  std::string MakeSourceProfile(blobgraph_store_stats* source) {
    std::string deps = dir_.Path("deps.txt");
    {
      std::ofstream out(deps);
      for (int i = 0; i < kCallers; ++i) {
        for (int j = 0; j < kCalleesPerCaller; ++j)
          out << Hex(Caller(i)) << " " << Hex(Callee(i, j)) << "\n";
      }
    }
    blobgraph_store* store = OpenStore("source");
    uint64_t call_sites = 0;
    EXPECT_EQ(blobgraph_import_dependencies(store, deps.c_str(), &call_sites), BLOBGRAPH_OK)
        << blobgraph_last_error();
    EXPECT_EQ(call_sites, kEdges);
    blobgraph_engine* engine = OpenQuietEngine(store);
    for (int i = 0; i < kCallers; ++i) {
      for (int j = 0; j < kCalleesPerCaller; ++j) {
        blobgraph_hash caller = Caller(i), callee = Callee(i, j);
        for (int n = 0; n <= i; ++n)
          EXPECT_EQ(blobgraph_record_call(engine, &caller, &callee), BLOBGRAPH_OK);
      }
    }
    EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK) << blobgraph_last_error();
    *source = StatsOf(store);
    EXPECT_EQ(source->edges, kEdges);
    EXPECT_EQ(source->dynamic_total, kDynamicTotal);
    std::string profile = dir_.Path("source.profile");
    EXPECT_EQ(blobgraph_export_profile(store, profile.c_str(), nullptr), BLOBGRAPH_OK)
        << blobgraph_last_error();
    CloseStore(store);
    return profile;
  }

  TempDir dir_;
  std::unique_ptr<server::testing::ServerProcess> server_;
  std::string address_;
  std::vector<blobgraph_store*> stores_;
};

TEST_F(ClientTest, PushThenPullIntoFreshStoreGivesTheSameCounts) {
  blobgraph_store_stats source{};
  std::string profile = MakeSourceProfile(&source);
  ASSERT_NO_FATAL_FAILURE(StartServer());
  blobgraph_client* client = Connect();
  ASSERT_NE(client, nullptr);

  int already_applied = -1;
  ASSERT_EQ(blobgraph_push_profile(client, profile.c_str(), &already_applied), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(already_applied, 0);

  blobgraph_store* local = OpenStore("local");
  blobgraph_pull_stats pulled{};
  ASSERT_EQ(blobgraph_pull(client, local, nullptr, &pulled), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(pulled.edges, kEdges);
  blobgraph_store_stats stats = StatsOf(local);
  EXPECT_EQ(stats.functions, source.functions);
  EXPECT_EQ(stats.edges, source.edges);
  EXPECT_EQ(stats.static_total, source.static_total);
  EXPECT_EQ(stats.dynamic_total, source.dynamic_total);

  // The pulled graph predicts like the source: caller 5's callees.
  blobgraph_engine* engine = OpenQuietEngine(local);
  blobgraph_hash caller = Caller(5), out[8];
  size_t count = 0;
  ASSERT_EQ(blobgraph_prefetch(engine, &caller, nullptr, out, nullptr, 8, &count), BLOBGRAPH_OK);
  EXPECT_EQ(count, static_cast<size_t>(kCalleesPerCaller));
  for (size_t k = 0; k < count; ++k) EXPECT_EQ(out[k].bytes[1], 5) << k;
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_client_close(client), BLOBGRAPH_OK);
}

TEST_F(ClientTest, PushingTheSameProfileAgainIsAlreadyAppliedAndChangesNothing) {
  blobgraph_store_stats source{};
  std::string profile = MakeSourceProfile(&source);
  ASSERT_NO_FATAL_FAILURE(StartServer());
  blobgraph_client* client = Connect();
  ASSERT_NE(client, nullptr);
  int already_applied = -1;
  ASSERT_EQ(blobgraph_push_profile(client, profile.c_str(), &already_applied), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(already_applied, 0);
  ASSERT_EQ(blobgraph_push_profile(client, profile.c_str(), &already_applied), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(already_applied, 1);
  EXPECT_EQ(blobgraph_client_close(client), BLOBGRAPH_OK);

  // A new connection (a runtime retrying after a crash) is answered the same.
  client = Connect();
  ASSERT_NE(client, nullptr);
  already_applied = -1;
  ASSERT_EQ(blobgraph_push_profile(client, profile.c_str(), &already_applied), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(already_applied, 1);
  ASSERT_EQ(blobgraph_push_profile(client, profile.c_str(), nullptr), BLOBGRAPH_OK);

  blobgraph_store* local = OpenStore("local");
  ASSERT_EQ(blobgraph_pull(client, local, nullptr, nullptr), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(StatsOf(local).dynamic_total, kDynamicTotal);  // applied once, not four times
  EXPECT_EQ(StatsOf(local).static_total, source.static_total);
  EXPECT_EQ(blobgraph_client_close(client), BLOBGRAPH_OK);
}

TEST_F(ClientTest, HotPullTakesOnlyTheHottestFunctions) {
  blobgraph_store_stats source{};
  std::string profile = MakeSourceProfile(&source);
  ASSERT_NO_FATAL_FAILURE(StartServer());
  blobgraph_client* client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_EQ(blobgraph_push_profile(client, profile.c_str(), nullptr), BLOBGRAPH_OK)
      << blobgraph_last_error();

  // Caller i has 3 * (i + 1) calls, each of its callees i + 1: the two
  // hottest functions are callers 19 and 18, with their 6 edges.
  blobgraph_pull_options options;
  ASSERT_EQ(blobgraph_pull_options_init(&options), BLOBGRAPH_OK);
  EXPECT_EQ(options.max_functions, 0u);
  EXPECT_EQ(options.include_names, 1);
  options.max_functions = 2;
  blobgraph_store* hot = OpenStore("hot");
  blobgraph_pull_stats pulled{};
  ASSERT_EQ(blobgraph_pull(client, hot, &options, &pulled), BLOBGRAPH_OK) << blobgraph_last_error();
  EXPECT_EQ(pulled.edges, 6u);
  blobgraph_store_stats stats = StatsOf(hot);
  EXPECT_EQ(stats.edges, 6u);
  EXPECT_EQ(stats.dynamic_total, 3u * 20 + 3u * 19);

  // min_calls alone: callers with at least 54 calls are 17, 18 and 19.
  ASSERT_EQ(blobgraph_pull_options_init(&options), BLOBGRAPH_OK);
  options.min_calls = 54;
  blobgraph_store* warm = OpenStore("warm");
  ASSERT_EQ(blobgraph_pull(client, warm, &options, &pulled), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(StatsOf(warm).edges, 9u);
  EXPECT_EQ(StatsOf(warm).dynamic_total, 3u * (18 + 19 + 20));

  options.struct_size = 0;
  EXPECT_EQ(blobgraph_pull(client, warm, &options, &pulled), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("blobgraph_pull_options_init"));
  EXPECT_EQ(StatsOf(warm).edges, 9u);
  EXPECT_EQ(blobgraph_client_close(client), BLOBGRAPH_OK);
}

TEST_F(ClientTest, StartSetComesFromTheRunsTheServerRecorded) {
  // Seed the server's store with one run that loaded x, y, z in that order.
  blobgraph_hash loads[3] = {MakeHash(9, 1, 0), MakeHash(9, 2, 0), MakeHash(9, 3, 0)};
  {
    blobgraph_store* seed = OpenStore("server-db");
    blobgraph_engine* engine = OpenQuietEngine(seed);
    for (const blobgraph_hash& hash : loads)
      ASSERT_EQ(blobgraph_on_load(engine, &hash), BLOBGRAPH_OK);
    ASSERT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK) << blobgraph_last_error();
    ASSERT_EQ(StatsOf(seed).runs, 1u);
    CloseStore(seed);
  }
  ASSERT_NO_FATAL_FAILURE(StartServer());
  blobgraph_client* client = Connect();
  ASSERT_NE(client, nullptr);

  blobgraph_hash out[8];
  size_t count = 99;
  ASSERT_EQ(blobgraph_pull_start_set(client, 8, out, &count), BLOBGRAPH_OK)
      << blobgraph_last_error();
  ASSERT_EQ(count, 3u);
  for (size_t i = 0; i < count; ++i) EXPECT_EQ(Hex(out[i]), Hex(loads[i])) << i;
  ASSERT_EQ(blobgraph_pull_start_set(client, 2, out, &count), BLOBGRAPH_OK)
      << blobgraph_last_error();
  ASSERT_EQ(count, 2u);
  EXPECT_EQ(Hex(out[1]), Hex(loads[1]));
  ASSERT_EQ(blobgraph_pull_start_set(client, 0, nullptr, &count), BLOBGRAPH_OK);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(blobgraph_pull_start_set(client, 4, nullptr, &count), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_pull_start_set(client, 4, out, nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_client_close(client), BLOBGRAPH_OK);
}

TEST_F(ClientTest, TokensAreCheckedAndAWrongOneIsRefusedWithAMessage) {
  std::string token_file = dir_.Path("token");
  std::ofstream(token_file) << "correct-horse-battery\n";
  ASSERT_NO_FATAL_FAILURE(StartServer({"--token-file", token_file}));
  address_ = server_->address();

  blobgraph_client_options options = Options();
  options.token = "wrong-token";
  blobgraph_client* client = reinterpret_cast<blobgraph_client*>(1);
  EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_INVALID_INPUT);
  EXPECT_EQ(client, nullptr);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("blobgraph_client_connect"));
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("authentication failed"));
  EXPECT_THAT(blobgraph_last_error(), HasSubstr(address_));

  options = Options();  // no token at all
  EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_INVALID_INPUT);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("authentication"));

  options.token_file = token_file.c_str();
  options.token = "correct-horse-battery";
  EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("both set"));

  std::string missing = dir_.Path("no-such-token");
  options.token = nullptr;
  options.token_file = missing.c_str();
  EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_IO_ERROR);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr(missing));

  for (const char* token : {static_cast<const char*>(nullptr), "correct-horse-battery"}) {
    options = Options();
    if (token != nullptr)
      options.token = token;
    else
      options.token_file = token_file.c_str();
    ASSERT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_OK) << blobgraph_last_error();
    size_t count = 99;
    blobgraph_hash out[1];
    EXPECT_EQ(blobgraph_pull_start_set(client, 1, out, &count), BLOBGRAPH_OK)
        << blobgraph_last_error();
    EXPECT_EQ(count, 0u);
    EXPECT_EQ(blobgraph_client_close(client), BLOBGRAPH_OK);
  }
}

TEST_F(ClientTest, UnreachableServerIsAnIoErrorNamingIt) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  address_ = server_->address();
  server_->Stop(SIGTERM);  // its port is now closed
  blobgraph_client_options options = Options();
  options.max_attempts = 2;
  options.retry_backoff_ms = 1;
  blobgraph_client* client = reinterpret_cast<blobgraph_client*>(1);
  EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_IO_ERROR);
  EXPECT_EQ(client, nullptr);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("blobgraph_client_connect: server " + address_));
}

TEST_F(ClientTest, BadOptionsAreInvalidArguments) {
  blobgraph_client* client = reinterpret_cast<blobgraph_client*>(1);
  EXPECT_EQ(blobgraph_client_connect(nullptr, &client), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(blobgraph_client_options_init(nullptr), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_EQ(blobgraph_pull_options_init(nullptr), BLOBGRAPH_INVALID_ARGUMENT);

  blobgraph_client_options options;
  ASSERT_EQ(blobgraph_client_options_init(&options), BLOBGRAPH_OK);
  EXPECT_EQ(options.address, nullptr);
  EXPECT_EQ(options.max_attempts, 5u);
  EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("options.address is NULL"));
  EXPECT_EQ(blobgraph_client_connect(&options, nullptr), BLOBGRAPH_INVALID_ARGUMENT);

  options.address = "127.0.0.1:1";
  options.max_attempts = 0;
  EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("max_attempts"));
  options.max_attempts = 1;
  options.struct_size = 4;
  EXPECT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_INVALID_ARGUMENT);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("struct_size is 4"));
  EXPECT_EQ(client, nullptr);
}

// Every client function on `client` answers CLOSED_HANDLE naming itself.
void ExpectClientRejected(blobgraph_client* client, blobgraph_store* store) {
  int already_applied = -1;
  blobgraph_hash out[2];
  size_t count = 99;
  struct Call {
    const char* name;
    blobgraph_status status;
  } calls[] = {
      {"blobgraph_push_profile", blobgraph_push_profile(client, "/nonexistent", &already_applied)},
      {"blobgraph_pull", blobgraph_pull(client, store, nullptr, nullptr)},
      {"blobgraph_pull_start_set", blobgraph_pull_start_set(client, 2, out, &count)},
      {"blobgraph_client_close", blobgraph_client_close(client)},
  };
  for (const Call& call : calls) EXPECT_EQ(call.status, BLOBGRAPH_CLOSED_HANDLE) << call.name;
  // Each call overwrote the message; the last one names itself and the kind.
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("blobgraph_client_close: client handle"));
  EXPECT_EQ(already_applied, -1);
  EXPECT_EQ(count, 99u);
}

TEST_F(ClientTest, NullClosedStaleAndWrongKindHandlesAreRejected) {
  blobgraph_store* store = OpenStore("local");
  ExpectClientRejected(nullptr, store);
  // A store handle is not a client handle.
  ExpectClientRejected(reinterpret_cast<blobgraph_client*>(store), store);
  EXPECT_EQ(StatsOf(store).edges, 0u);  // and was not touched

  ASSERT_NO_FATAL_FAILURE(StartServer());
  blobgraph_client* first = Connect();
  ASSERT_NE(first, nullptr);
  // A live client with a closed store: the store is named.
  blobgraph_store* closed_store = OpenStore("closed");
  CloseStore(closed_store);
  EXPECT_EQ(blobgraph_pull(first, closed_store, nullptr, nullptr), BLOBGRAPH_CLOSED_HANDLE);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("blobgraph_pull: store handle"));
  EXPECT_EQ(blobgraph_client_close(first), BLOBGRAPH_OK);
  ExpectClientRejected(first, store);

  // The slot is reused by the next client; the old handle stays invalid.
  blobgraph_client* second = Connect();
  ASSERT_NE(second, nullptr);
  ExpectClientRejected(first, store);
  size_t count = 99;
  blobgraph_hash out[1];
  EXPECT_EQ(blobgraph_pull_start_set(second, 1, out, &count), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(blobgraph_client_close(second), BLOBGRAPH_OK);
}

TEST_F(ClientTest, PushOfAnUnreadableProfileNamesTheFile) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  blobgraph_client* client = Connect();
  ASSERT_NE(client, nullptr);
  std::string missing = dir_.Path("missing.profile");
  EXPECT_EQ(blobgraph_push_profile(client, missing.c_str(), nullptr), BLOBGRAPH_IO_ERROR);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr(missing));
  std::string garbage = dir_.Path("garbage.profile");
  std::ofstream(garbage) << "this is not a profile\n";
  EXPECT_EQ(blobgraph_push_profile(client, garbage.c_str(), nullptr), BLOBGRAPH_INVALID_INPUT);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr(garbage));
  EXPECT_EQ(blobgraph_push_profile(client, nullptr, nullptr), BLOBGRAPH_INVALID_ARGUMENT);

  // Nothing reached the server.
  blobgraph_store* local = OpenStore("local");
  ASSERT_EQ(blobgraph_pull(client, local, nullptr, nullptr), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(StatsOf(local).edges, 0u);
  EXPECT_EQ(blobgraph_client_close(client), BLOBGRAPH_OK);
}

}  // namespace
}  // namespace blobgraph::capi_test
