// Count integrity through a real blobgraph-server process: a push whose
// counts would overflow the store's, or whose static list contradicts the
// stored one, is refused with the hashes named and nothing applied; a store
// with a malformed row gives pulls and queries a Corruption naming the
// column family and key, and the server keeps running.
#include <gtest/gtest.h>
#include <signal.h>

#include <limits>

#include "blobgraph/profile_client.h"
#include "server_process_util.h"
#include "storage/raw_records_util.h"

namespace blobgraph::server {
namespace {

using testing::TestClientOptions;

using testing::ServerProcess;
using testing::TempDir;
using testing::TestHash;

GraphUpdate Profile(uint8_t id, std::vector<EdgeDelta> edges) {
  GraphUpdate update;
  update.profile = ProfileInfo::NewForThisHost();
  update.profile->id.fill(id);
  update.edges = std::move(edges);
  return update;
}

std::map<std::pair<BlobHash, BlobHash>, std::pair<uint64_t, uint64_t>> Edges(
    const GraphUpdate& pulled) {
  std::map<std::pair<BlobHash, BlobHash>, std::pair<uint64_t, uint64_t>> out;
  for (const EdgeDelta& e : pulled.edges)
    out[{e.caller, e.callee}] = {e.static_count, e.dynamic_count};
  return out;
}

class ServerCountsTest : public ::testing::Test {
 protected:
  void StartServer() {
    std::string error;
    ASSERT_TRUE(server_.Start({"--quiet"}, &error)) << error;
  }
  TempDir dir_;
  ServerProcess server_{dir_.File("db"), dir_.File("server.log")};
  BlobHash a_ = TestHash(1), b_ = TestHash(2), c_ = TestHash(3);
};

TEST_F(ServerCountsTest, PushThatWouldOverflowOrChangeStaticSitesIsRefused) {
  StartServer();
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE((*client)->Push(Profile(1, {{a_, b_, 1, 100}})).ok());
  auto before = (*client)->Pull();
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  auto wrapped = (*client)->Push(Profile(2, {{c_, a_, 0, 1}, {a_, b_, 1, kMax}}));
  ASSERT_FALSE(wrapped.ok());
  EXPECT_NE(wrapped.status().message().find(a_.ToHex() + " -> " + b_.ToHex()), std::string::npos)
      << wrapped.status().ToString();
  EXPECT_NE(wrapped.status().message().find("2^64 - 1"), std::string::npos);

  auto changed = (*client)->Push(Profile(3, {{c_, a_, 0, 1}, {a_, b_, 2, 1}}));
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("caller " + a_.ToHex()), std::string::npos)
      << changed.status().ToString();

  // The same static list again with new calls is fine: calls add, sites don't.
  ASSERT_TRUE((*client)->Push(Profile(4, {{a_, b_, 1, 5}})).ok());
  auto after = (*client)->Pull();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  auto edges = Edges(*after);
  EXPECT_EQ(edges.size(), 1u);  // nothing of the refused pushes (no c -> a)
  EXPECT_EQ((edges[{a_, b_}]), std::make_pair(uint64_t{1}, uint64_t{105}));
  auto stats = (*client)->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->store.profiles, 2u);
  EXPECT_EQ(server_.Stop(SIGTERM), 0) << server_.Log();
}

TEST_F(ServerCountsTest, HugeButValidPushedCountsGiveProbabilitiesWithinZeroAndOne) {
  StartServer();
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  constexpr uint64_t kHalf = uint64_t{1} << 63;
  // a_'s counts sum to 2^64 - 1 exactly: valid.
  ASSERT_TRUE(
      (*client)->Push(Profile(5, {{a_, b_, kHalf - 1, kHalf}, {a_, c_, kHalf, kHalf - 1}})).ok());
  auto callees = (*client)->Callees(a_);
  ASSERT_TRUE(callees.ok()) << callees.status().ToString();
  ASSERT_EQ(callees->size(), 2u);
  double sum = 0;
  for (const CalleeInfo& callee : *callees) {
    EXPECT_GE(callee.probability, 0.0);
    EXPECT_LE(callee.probability, 1.0);
    sum += callee.probability;
  }
  EXPECT_LE(sum, 1.0 + 1e-9);
  EXPECT_NEAR((*callees)[0].probability, 0.5, 1e-9);
  EXPECT_EQ(server_.Stop(SIGTERM), 0) << server_.Log();
}

class ServerCorruptStoreTest : public ServerCountsTest {
 protected:
  void SetUp() override {
    auto store = GraphStore::Open(dir_.File("db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    GraphUpdate update;
    update.edges = {{a_, b_, 1, 2}, {b_, c_, 1, 2}};
    ASSERT_TRUE((*store)->Apply(update).ok());
  }
};

TEST_F(ServerCorruptStoreTest, MalformedEdgeRowStopsTheStartNamingTheKey) {
  storage_test::PutRaw(dir_.File("db"), "edges", a_.AsBytes(),
                       std::string("\x01", 1) + std::string(b_.AsBytes()) + "\x80\x80");
  std::string error;
  ASSERT_FALSE(server_.Start({"--quiet"}, &error));
  // A clean exit with the reason, not a crash.
  EXPECT_NE(error.find("exited with status 256"), std::string::npos) << error;
  EXPECT_NE(error.find("edges key " + a_.ToHex()), std::string::npos) << error;
  EXPECT_NE(error.find("corrupt"), std::string::npos) << error;
}

TEST_F(ServerCorruptStoreTest, MalformedNodeRecordGivesPullsACorruptionNamingTheKey) {
  storage_test::PutRaw(dir_.File("db"), "nodes", c_.AsBytes(), "\xff");
  StartServer();
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  for (int round = 0; round < 2; ++round) {  // the server keeps serving
    auto pulled = (*client)->Pull();
    ASSERT_FALSE(pulled.ok());
    EXPECT_NE(pulled.status().message().find("nodes key " + c_.ToHex()), std::string::npos)
        << pulled.status().ToString();
    auto callees = (*client)->Callees(a_);  // rows still read
    EXPECT_TRUE(callees.ok()) << callees.status().ToString();
  }
  EXPECT_EQ(server_.Stop(SIGTERM), 0) << server_.Log();
}

}  // namespace
}  // namespace blobgraph::server
