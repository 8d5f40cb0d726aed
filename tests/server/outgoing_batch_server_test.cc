// PushObservations exactly once against a real blobgraph-server process:
// a push whose acknowledgement was lost (the server applied it, the store
// never cleared its outgoing batch) is resent under the same id and the
// server counts it once; a push to a stopped server is delivered once
// after the restart.
#include <gtest/gtest.h>

#include <csignal>

#include "blobgraph/graph_store.h"
#include "blobgraph/profile_client.h"
#include "server_process_util.h"

namespace blobgraph::server::testing {
namespace {

BlobHash H(uint8_t byte) {
  uint8_t bytes[BlobHash::kSize];
  std::fill(bytes, bytes + BlobHash::kSize, byte);
  return BlobHash::FromBytes(bytes);
}

std::unique_ptr<GraphStore> OpenStore(const std::string& path) {
  auto store = GraphStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

GraphUpdate Observed(std::vector<EdgeDelta> edges) {
  GraphUpdate update;
  update.edges = std::move(edges);
  update.runs = {{update.edges.at(0).caller}};  // one run per update
  return update;
}

TEST(OutgoingBatchServerTest, LostAcknowledgementIsResentUnderTheSameIdAndCountedOnce) {
  TempDir dir;
  ServerProcess server(dir.File("server-db"), dir.File("server.log"));
  std::string error;
  ASSERT_TRUE(server.Start({}, &error)) << error;
  ClientOptions options;
  options.address = server.address();
  auto client = ProfileClient::Connect(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();

  auto local = OpenStore(dir.File("local"));
  ASSERT_NE(local, nullptr);
  ASSERT_TRUE(local->Apply(Observed({{H(1), H(2), 1, 5}, {H(1), H(3), 0, 2}})).ok());
  // What PushObservations does up to the acknowledgement: seal, push (the
  // server applies it); then no ClearOutgoing, as if the ack was lost.
  auto sealed = local->SealUnsent();
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  ASSERT_TRUE(sealed->profile.has_value());
  auto first = (*client)->Push(*sealed);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->already_applied);
  auto server_stats = (*client)->Stats();
  ASSERT_TRUE(server_stats.ok());
  EXPECT_EQ(server_stats->store.dynamic_total, 7u);
  EXPECT_EQ(server_stats->store.runs, 1u);

  // Recorded meanwhile: goes in the next batch, not this one.
  ASSERT_TRUE(local->Apply(Observed({{H(2), H(3), 0, 4}})).ok());
  auto retried = (*client)->PushObservations(*local);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_TRUE(retried->already_applied);
  server_stats = (*client)->Stats();
  ASSERT_TRUE(server_stats.ok());
  EXPECT_EQ(server_stats->store.dynamic_total, 7u);  // once, not 14
  EXPECT_EQ(server_stats->store.runs, 1u);
  auto stats = local->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->outgoing_edges, 0u);
  EXPECT_EQ(stats->unsent_edges, 1u);

  // The next call sends what was recorded meanwhile, once.
  auto next = (*client)->PushObservations(*local);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_FALSE(next->already_applied);
  EXPECT_EQ(next->edges_applied, 1u);
  server_stats = (*client)->Stats();
  ASSERT_TRUE(server_stats.ok());
  EXPECT_EQ(server_stats->store.dynamic_total, 11u);
  EXPECT_EQ(server_stats->store.runs, 2u);
  EXPECT_EQ(local->Stats()->unsent_edges, 0u);
  EXPECT_EQ(local->Stats()->outgoing_edges, 0u);
  auto nothing = (*client)->PushObservations(*local);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->edges_applied, 0u);
  EXPECT_EQ((*client)->Stats()->store.dynamic_total, 11u);
  std::vector<std::string> problems;
  ASSERT_TRUE(local->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(OutgoingBatchServerTest, PushToAStoppedServerIsDeliveredOnceAfterTheRestart) {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(dir.File("server-db"), dir.File("server.log"));
  std::string error;
  ASSERT_TRUE(server->Start({}, &error)) << error;
  ClientOptions options;
  options.address = server->address();
  options.max_attempts = 1;
  auto client = ProfileClient::Connect(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_EQ(server->Stop(SIGTERM), 0);

  auto local = OpenStore(dir.File("local"));
  ASSERT_NE(local, nullptr);
  ASSERT_TRUE(local->Apply(Observed({{H(1), H(2), 1, 5}})).ok());
  auto failed = (*client)->PushObservations(*local);
  EXPECT_FALSE(failed.ok());
  // The sealed batch waits in the store, also across a reopen.
  std::array<uint8_t, 16> id{};
  {
    auto kept = local->SealUnsent();
    ASSERT_TRUE(kept.ok() && kept->profile.has_value());
    id = kept->profile->id;
  }
  local.reset();
  local = OpenStore(dir.File("local"));
  ASSERT_NE(local, nullptr);
  EXPECT_EQ(local->Stats()->outgoing_edges, 1u);
  ASSERT_TRUE(local->Apply(Observed({{H(1), H(2), 0, 3}})).ok());

  ServerProcess restarted(dir.File("server-db"), dir.File("server2.log"));
  ASSERT_TRUE(restarted.Start({}, &error)) << error;
  options.address = restarted.address();
  options.max_attempts = 3;
  auto reconnected = ProfileClient::Connect(options);
  ASSERT_TRUE(reconnected.ok()) << reconnected.status().ToString();
  auto delivered = (*reconnected)->PushObservations(*local);
  ASSERT_TRUE(delivered.ok()) << delivered.status().ToString();
  EXPECT_FALSE(delivered->already_applied);
  auto profiles = (*reconnected)->Profiles();
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  ASSERT_EQ(profiles->profiles.size(), 1u);
  EXPECT_EQ(profiles->profiles[0].info.id, id);  // the id sealed before the restart
  auto server_stats = (*reconnected)->Stats();
  ASSERT_TRUE(server_stats.ok());
  EXPECT_EQ(server_stats->store.dynamic_total, 5u);  // the sealed batch, once
  EXPECT_EQ(server_stats->store.runs, 1u);
  EXPECT_EQ(server_stats->store.profiles, 1u);
  auto second = (*reconnected)->PushObservations(*local);  // the 3 recorded after
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  server_stats = (*reconnected)->Stats();
  ASSERT_TRUE(server_stats.ok());
  EXPECT_EQ(server_stats->store.dynamic_total, 8u);
  EXPECT_EQ(server_stats->store.runs, 2u);
  EXPECT_EQ(server_stats->store.profiles, 2u);
  EXPECT_EQ(local->Stats()->outgoing_edges, 0u);
  EXPECT_EQ(local->Stats()->unsent_edges, 0u);
  EXPECT_EQ(local->Stats()->dynamic_total, 8u);
}

}  // namespace
}  // namespace blobgraph::server::testing
