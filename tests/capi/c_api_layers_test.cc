// The C API follows the store model: blobgraph_export_profile writes this
// store's own unsent observations (each once), blobgraph_export_graph the
// whole graph, and blobgraph_pull into a store replaces the previous pull.
// Against a real blobgraph-server process.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "blobgraph/c.h"
#include "blobgraph/graph_store.h"
#include "blobgraph/profile_client.h"
#include "capi_test_util.h"
#include "server_process_util.h"

namespace blobgraph::capi_test {
namespace {

using ::testing::HasSubstr;

blobgraph_hash H(uint8_t byte) {
  blobgraph_hash hash;
  std::memset(hash.bytes, byte, sizeof(hash.bytes));
  return hash;
}
std::string HexOf(uint8_t byte) {
  char text[65];
  blobgraph_hash hash = H(byte);
  EXPECT_EQ(blobgraph_hash_to_hex(&hash, text), BLOBGRAPH_OK);
  return text;
}

blobgraph_store_stats StatsOf(blobgraph_store* store) {
  blobgraph_store_stats stats{};
  EXPECT_EQ(blobgraph_store_stats_get(store, &stats), BLOBGRAPH_OK) << blobgraph_last_error();
  return stats;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Edge lines of a text profile ("CALLER CALLEE STATIC DYNAMIC").
int EdgeLines(const std::string& text) {
  int edges = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.size() > 129 && line[64] == ' ' && line[129] == ' ') ++edges;
    start = end + 1;
  }
  return edges;
}

void RecordCalls(blobgraph_store* store, uint8_t caller, uint8_t callee, int times) {
  blobgraph_engine* engine = OpenQuietEngine(store);
  ASSERT_NE(engine, nullptr);
  blobgraph_hash from = H(caller), to = H(callee);
  for (int i = 0; i < times; ++i)
    EXPECT_EQ(blobgraph_record_call(engine, &from, &to), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_engine_close(engine), BLOBGRAPH_OK) << blobgraph_last_error();
}

TEST(CApiLayersTest, ExportWritesEachOwnObservationOnceAndExportGraphTheWholeGraph) {
  TempDir dir;
  std::string deps = dir.Path("deps.txt");
  std::ofstream(deps) << HexOf(0xaa) << " " << HexOf(0xbb) << "\n"
                      << HexOf(0xaa) << " " << HexOf(0xcc) << "\n";
  blobgraph_store* store = OpenStore(dir.Path("s"));
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(blobgraph_import_dependencies(store, deps.c_str(), nullptr), BLOBGRAPH_OK);
  std::string first = dir.Path("first.txt"), second = dir.Path("second.txt");
  ASSERT_EQ(blobgraph_export_profile(store, first.c_str(), "text"), BLOBGRAPH_OK)
      << blobgraph_last_error();
  EXPECT_EQ(EdgeLines(Slurp(first)), 2);
  ASSERT_EQ(blobgraph_export_profile(store, second.c_str(), "text"), BLOBGRAPH_OK);
  EXPECT_EQ(EdgeLines(Slurp(second)), 0);  // sent already
  ASSERT_NO_FATAL_FAILURE(RecordCalls(store, 0xaa, 0xcc, 3));
  std::string run = dir.Path("run.txt"), all = dir.Path("all.txt");
  ASSERT_EQ(blobgraph_export_profile(store, run.c_str(), "text"), BLOBGRAPH_OK);
  EXPECT_THAT(Slurp(run), HasSubstr(HexOf(0xaa) + " " + HexOf(0xcc) + " 0 3\n"));
  EXPECT_EQ(EdgeLines(Slurp(run)), 1);
  ASSERT_EQ(blobgraph_export_graph(store, all.c_str(), "text"), BLOBGRAPH_OK);
  EXPECT_THAT(Slurp(all), HasSubstr(HexOf(0xaa) + " " + HexOf(0xcc) + " 1 3\n"));
  EXPECT_EQ(EdgeLines(Slurp(all)), 2);
  ASSERT_EQ(blobgraph_store_close(store), BLOBGRAPH_OK);

  // Read-only: export_profile would have to mark the observations sent.
  blobgraph_store* reader = OpenStore(dir.Path("s"), /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  std::string refused = dir.Path("refused.txt");
  EXPECT_EQ(blobgraph_export_profile(reader, refused.c_str(), "text"), BLOBGRAPH_INVALID_INPUT);
  EXPECT_THAT(blobgraph_last_error(), HasSubstr("read-only"));
  EXPECT_FALSE(std::filesystem::exists(refused));
  EXPECT_EQ(blobgraph_export_graph(reader, refused.c_str(), "text"), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_store_close(reader), BLOBGRAPH_OK);
}

TEST(CApiLayersTest, RoundTripAddsOnlyTheRunAndPullTwiceEqualsPullOnce) {
  setenv("BLOBGRAPH_SERVER_EXE", BLOBGRAPH_SERVER, /*overwrite=*/0);
  TempDir dir;
  std::string server_db = dir.Path("server-db");
  {
    std::string deps = dir.Path("deps.txt");
    std::ofstream(deps) << HexOf(0xaa) << " " << HexOf(0xbb) << "\n"
                        << HexOf(0xaa) << " " << HexOf(0xcc) << "\n";
    blobgraph_store* farm = OpenStore(server_db);
    ASSERT_NE(farm, nullptr);
    ASSERT_EQ(blobgraph_import_dependencies(farm, deps.c_str(), nullptr), BLOBGRAPH_OK);
    ASSERT_NO_FATAL_FAILURE(RecordCalls(farm, 0xaa, 0xbb, 5));
    ASSERT_EQ(blobgraph_store_close(farm), BLOBGRAPH_OK);
  }
  server::testing::ServerProcess server(server_db, dir.Path("server.log"));
  std::string error;
  ASSERT_TRUE(server.Start({}, &error)) << error;
  std::string address = server.address();
  blobgraph_client_options options;
  ASSERT_EQ(blobgraph_client_options_init(&options), BLOBGRAPH_OK);
  options.address = address.c_str();
  blobgraph_client* client = nullptr;
  ASSERT_EQ(blobgraph_client_connect(&options, &client), BLOBGRAPH_OK) << blobgraph_last_error();
  // The server's own account (a read-only open of its store could race
  // its compactions).
  server::ClientOptions stats_options;
  stats_options.address = address;
  auto stats_client = server::ProfileClient::Connect(stats_options);
  ASSERT_TRUE(stats_client.ok()) << stats_client.status().ToString();
  auto server_stats = [&] {
    auto stats = (*stats_client)->Stats();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? stats->store : StoreStats{};
  };

  blobgraph_store* local = OpenStore(dir.Path("local"));
  ASSERT_NE(local, nullptr);
  uint64_t expected_dynamic = 5;
  for (int round = 1; round <= 2; ++round) {
    SCOPED_TRACE(round);
    ASSERT_EQ(blobgraph_pull(client, local, nullptr, nullptr), BLOBGRAPH_OK)
        << blobgraph_last_error();
    blobgraph_store_stats once = StatsOf(local);
    ASSERT_EQ(blobgraph_pull(client, local, nullptr, nullptr), BLOBGRAPH_OK);
    blobgraph_store_stats twice = StatsOf(local);
    EXPECT_EQ(twice.dynamic_total, once.dynamic_total);
    EXPECT_EQ(twice.static_total, once.static_total);
    EXPECT_EQ(twice.edges, once.edges);
    ASSERT_NO_FATAL_FAILURE(RecordCalls(local, 0xaa, 0xcc, round));
    std::string profile = dir.Path("run" + std::to_string(round) + ".capnp");
    ASSERT_EQ(blobgraph_export_profile(local, profile.c_str(), nullptr), BLOBGRAPH_OK)
        << blobgraph_last_error();
    int already = -1;
    ASSERT_EQ(blobgraph_push_profile(client, profile.c_str(), &already), BLOBGRAPH_OK)
        << blobgraph_last_error();
    EXPECT_EQ(already, 0);
    expected_dynamic += round;
    StoreStats stats = server_stats();
    EXPECT_EQ(stats.static_total, 2u);
    EXPECT_EQ(stats.dynamic_total, expected_dynamic);
  }
  EXPECT_EQ(blobgraph_store_close(local), BLOBGRAPH_OK);
  EXPECT_EQ(blobgraph_client_close(client), BLOBGRAPH_OK);
}

}  // namespace
}  // namespace blobgraph::capi_test
