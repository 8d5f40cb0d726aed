// ProfileClient's store-side round trip (PushObservations, PullInto)
// against a real blobgraph-server process: each observation reaches the
// server once, a failed push keeps it unsent, and pulling again replaces
// the previous pull.
#include <gtest/gtest.h>

#include <map>

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
  return update;
}

TEST(StoreRoundTripTest, PushObservationsSendsEachOnceAndPullIntoRefreshes) {
  TempDir dir;
  {
    auto farm = OpenStore(dir.File("server-db"));
    ASSERT_NE(farm, nullptr);
    ASSERT_TRUE(farm->Apply(Observed({{H(1), H(2), 2, 5}, {H(1), H(3), 1, 0}})).ok());
  }
  ServerProcess server(dir.File("server-db"), dir.File("server.log"));
  std::string error;
  ASSERT_TRUE(server.Start({}, &error)) << error;
  ClientOptions options;
  options.address = server.address();
  auto client = ProfileClient::Connect(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto server_dynamic = [&] { return (*client)->Stats().value().store.dynamic_total; };

  auto local = OpenStore(dir.File("local"));
  ASSERT_NE(local, nullptr);
  ASSERT_TRUE((*client)->PullInto(*local).ok());
  ASSERT_TRUE((*client)->PullInto(*local).ok());  // = once
  EXPECT_EQ(local->Stats()->dynamic_total, 5u);
  EXPECT_EQ(local->Stats()->pulled_edges, 1u);
  // Nothing observed yet: nothing pushed.
  auto nothing = (*client)->PushObservations(*local);
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_EQ(nothing->edges_applied, 0u);
  EXPECT_EQ(server_dynamic(), 5u);

  ASSERT_TRUE(local->Apply(Observed({{H(1), H(3), 0, 4}})).ok());
  auto pushed = (*client)->PushObservations(*local);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(pushed->edges_applied, 1u);
  EXPECT_EQ(server_dynamic(), 9u);
  EXPECT_EQ(local->Stats()->unsent_edges, 0u);
  auto again = (*client)->PushObservations(*local);  // sent already
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->edges_applied, 0u);
  EXPECT_EQ(server_dynamic(), 9u);

  // A server that is gone: the push fails and the observation stays unsent;
  // the next push after the restart delivers it once.
  ASSERT_TRUE(local->Apply(Observed({{H(1), H(2), 0, 2}})).ok());
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  ClientOptions quick = options;
  quick.max_attempts = 1;
  auto offline = ProfileClient::Connect(quick);
  EXPECT_FALSE(offline.ok());
  auto failed = (*client)->PushObservations(*local);
  EXPECT_FALSE(failed.ok());
  // Not lost: sealed into the outgoing batch, which the next push resends.
  EXPECT_EQ(local->Stats()->unsent_edges, 0u);
  EXPECT_EQ(local->Stats()->outgoing_edges, 1u);
  ServerProcess restarted(dir.File("server-db"), dir.File("server2.log"));
  ASSERT_TRUE(restarted.Start({}, &error)) << error;
  options.address = restarted.address();
  auto reconnected = ProfileClient::Connect(options);
  ASSERT_TRUE(reconnected.ok()) << reconnected.status().ToString();
  auto delivered = (*reconnected)->PushObservations(*local);
  ASSERT_TRUE(delivered.ok()) << delivered.status().ToString();
  EXPECT_EQ((*reconnected)->Stats().value().store.dynamic_total, 11u);
  EXPECT_EQ(local->Stats()->unsent_edges, 0u);
  EXPECT_EQ(local->Stats()->outgoing_edges, 0u);

  // Pull again: the local graph is the server's (11) plus its own (4 + 2),
  // not the first pull stacked on top.
  ASSERT_TRUE((*reconnected)->PullInto(*local).ok());
  auto stats = local->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dynamic_total, 11u + 6u);
  EXPECT_EQ(stats->static_total, 3u);
  std::vector<std::string> problems;
  ASSERT_TRUE(local->Verify(&problems).ok());
  EXPECT_TRUE(problems.empty()) << problems.front();
}

}  // namespace
}  // namespace blobgraph::server::testing
