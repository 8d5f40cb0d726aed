// The profile server as a real process on 127.0.0.1: push, pull and queries
// through ProfileClient, idempotent retries, token, TLS, caps, clean stop.
#include <signal.h>
#include <sys/wait.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "blobgraph/profile_client.h"
#include "server_process_util.h"

namespace blobgraph::server {
namespace {

using testing::TestClientOptions;

using testing::MakeProfile;
using testing::MarkerCallee;
using testing::MarkerCaller;
using testing::ServerProcess;
using testing::TempDir;
using testing::TestHash;

// Sum of dynamic counts per (caller, callee) over `updates`.
std::map<std::pair<BlobHash, BlobHash>, uint64_t> Expected(
    const std::vector<GraphUpdate>& updates) {
  std::map<std::pair<BlobHash, BlobHash>, uint64_t> sums;
  for (const auto& update : updates) {
    for (const auto& edge : update.edges) sums[{edge.caller, edge.callee}] += edge.dynamic_count;
  }
  return sums;
}

class ProfileServerTest : public ::testing::Test {
 protected:
  void StartServer(const std::vector<std::string>& extra = {"--quiet"}) {
    std::string error;
    ASSERT_TRUE(server_.Start(extra, &error)) << error;
  }
  TempDir dir_;
  ServerProcess server_{dir_.File("db"), dir_.File("server.log")};
};

TEST_F(ProfileServerTest, PushedProfileComesBackInPullAndQueries) {
  StartServer();
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  GraphUpdate profile = MakeProfile(1, 500);
  profile.functions.push_back(TestHash(777));
  profile.runs.push_back({MarkerCaller(1), TestHash(1)});
  auto pushed = (*client)->Push(profile);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_FALSE(pushed->already_applied);
  EXPECT_EQ(pushed->edges_applied, profile.edges.size());

  auto pulled = (*client)->Pull();
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  std::map<std::pair<BlobHash, BlobHash>, uint64_t> got;
  for (const auto& edge : pulled->edges) got[{edge.caller, edge.callee}] += edge.dynamic_count;
  EXPECT_EQ(got, Expected({profile}));
  bool named = false;
  for (const auto& [hash, name] : pulled->names)
    named |= hash == MarkerCaller(1) && name == "marker_1";
  EXPECT_TRUE(named);
  EXPECT_NE(std::find(pulled->functions.begin(), pulled->functions.end(), TestHash(777)),
            pulled->functions.end());

  auto callees = (*client)->Callees(MarkerCaller(1));
  ASSERT_TRUE(callees.ok()) << callees.status().ToString();
  ASSERT_EQ(callees->size(), 1u);
  EXPECT_EQ((*callees)[0].callee, MarkerCallee(1));
  EXPECT_EQ((*callees)[0].dynamic_count, 1u);
  EXPECT_DOUBLE_EQ((*callees)[0].probability, 1.0);

  auto stats = (*client)->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->store.profiles, 1u);
  EXPECT_EQ(stats->store.runs, 1u);
  EXPECT_EQ(stats->pushes_applied, 1u);
  EXPECT_EQ(stats->edges_applied, profile.edges.size());

  auto hot = (*client)->Pull({.max_functions = 3});
  ASSERT_TRUE(hot.ok()) << hot.status().ToString();
  std::set<BlobHash> callers;
  for (const auto& edge : hot->edges) callers.insert(edge.caller);
  EXPECT_LE(callers.size(), 3u);
  EXPECT_GT(hot->edges.size(), 0u);
  EXPECT_LT(hot->edges.size(), pulled->edges.size());

  auto budgeted = (*client)->Pull({.max_bytes = 1000});
  ASSERT_TRUE(budgeted.ok()) << budgeted.status().ToString();
  EXPECT_LE(budgeted->edges.size() * 96, 1000u);

  EXPECT_EQ(server_.Stop(SIGTERM), 0) << server_.Log();
}

TEST_F(ProfileServerTest, RepeatedProfileIdIsAppliedOnce) {
  StartServer();
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  GraphUpdate profile = MakeProfile(2, 50);
  ASSERT_TRUE((*client)->Push(profile).ok());
  auto again = (*client)->Push(profile);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_applied);
  (*client)->Disconnect();
  auto third = (*client)->Push(profile);  // a new connection, same id
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_TRUE(third->already_applied);
  auto callees = (*client)->Callees(MarkerCaller(2));
  ASSERT_TRUE(callees.ok());
  ASSERT_EQ(callees->size(), 1u);
  EXPECT_EQ((*callees)[0].dynamic_count, 1u);
  auto stats = (*client)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->store.profiles, 1u);
}

TEST_F(ProfileServerTest, PushWithoutProfileIdIsRefusedByTheClient) {
  StartServer();
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok());
  GraphUpdate update = MakeProfile(3, 5);
  update.profile.reset();
  auto pushed = (*client)->Push(update);
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Status::Code::kInvalidInput);
  EXPECT_NE(pushed.status().message().find("no profile id"), std::string::npos);
}

TEST_F(ProfileServerTest, TokenIsRequiredAndCheckedAndOthersKeepWorking) {
  std::string token_file = dir_.File("token");
  std::ofstream(token_file) << "s3cret-token-0123\n";
  StartServer({"--quiet", "--token-file", token_file});

  auto wrong = ProfileClient::Connect(TestClientOptions(server_.address(), "s3cret-tokem-0123"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Status::Code::kInvalidInput);
  EXPECT_NE(wrong.status().message().find("authentication failed"), std::string::npos)
      << wrong.status().ToString();
  auto none = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("authentication failed"), std::string::npos);
  auto longer =
      ProfileClient::Connect(TestClientOptions(server_.address(), "s3cret-token-0123-and-more"));
  ASSERT_FALSE(longer.ok());

  auto good = ProfileClient::Connect(TestClientOptions(server_.address(), "s3cret-token-0123"));
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  ASSERT_TRUE((*good)->Push(MakeProfile(4, 10)).ok());
  auto stats = (*good)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->store.profiles, 1u);
}

TEST_F(ProfileServerTest, OversizedPushIsRefusedAndNothingOfItIsStored) {
  StartServer({"--quiet", "--max-push-edges", "100"});
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok());
  GraphUpdate big = MakeProfile(5, 150);
  auto pushed = (*client)->Push(big);
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), Status::Code::kInvalidInput) << pushed.status().ToString();
  EXPECT_NE(pushed.status().message().find("exceeds the limit of 100"), std::string::npos)
      << pushed.status().ToString();
  // The same client and server go on: a small push works, the big one left nothing.
  ASSERT_TRUE((*client)->Push(MakeProfile(6, 20)).ok());
  auto marker = (*client)->Callees(MarkerCaller(5));
  ASSERT_TRUE(marker.ok());
  EXPECT_TRUE(marker->empty());
  auto stats = (*client)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->store.profiles, 1u);
}

TEST_F(ProfileServerTest, ConnectionsPastTheCapAreRefusedAsBusy) {
  StartServer({"--quiet", "--max-connections", "2"});
  ClientOptions options = TestClientOptions(server_.address());
  options.max_attempts = 1;
  auto first = ProfileClient::Connect(options);
  auto second = ProfileClient::Connect(options);
  ASSERT_TRUE(first.ok() && second.ok());
  auto third = ProfileClient::Connect(options);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), Status::Code::kBusy) << third.status().ToString();
  first->reset();
  // The slot frees once the server sees the first connection close.
  Result<std::unique_ptr<ProfileClient>> fourth = Status::IOError("not tried");
  for (int i = 0; i < 200 && !fourth.ok(); ++i) {
    fourth = ProfileClient::Connect(options);
    if (!fourth.ok()) usleep(10000);
  }
  EXPECT_TRUE(fourth.ok()) << fourth.status().ToString();
}

TEST_F(ProfileServerTest, NonLoopbackListenWithoutTokenIsRefused) {
  int status = testing::RunCommand(
      {testing::ServerExecutable(), "--db", dir_.File("db2"), "--listen", "0.0.0.0:0"},
      dir_.File("refused.log"));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in(dir_.File("refused.log"));
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("not a loopback address"), std::string::npos) << log;
}

TEST_F(ProfileServerTest, SigtermStopsCleanlyAndTheStoreKeepsEveryAcknowledgedPush) {
  StartServer({});
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok());
  for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE((*client)->Push(MakeProfile(10 + i, 30)).ok());
  client->reset();
  int status = server_.Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << server_.Log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server_.Log();
  std::string log = server_.Log();
  EXPECT_NE(log.find("stopped: 5 pushes applied"), std::string::npos) << log;
  EXPECT_NE(log.find("closed after"), std::string::npos) << log;

  auto store = GraphStore::Open(dir_.File("db"), {.create_if_missing = false, .read_only = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto stats = (*store)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->profiles, 5u);
}

TEST_F(ProfileServerTest, TlsServesClientsThatTrustItsCertificate) {
  std::string cert = dir_.File("cert.pem"), key = dir_.File("key.pem");
  int made = testing::RunCommand(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
       cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"},
      dir_.File("openssl.log"));
  ASSERT_TRUE(WIFEXITED(made) && WEXITSTATUS(made) == 0);
  StartServer({"--quiet", "--tls-cert", cert, "--tls-key", key});

  ClientOptions options = TestClientOptions(server_.address());
  options.tls.enabled = true;
  options.tls.ca_file = cert;
  options.tls.server_name = "localhost";
  auto client = ProfileClient::Connect(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE((*client)->Push(MakeProfile(20, 100)).ok());
  auto pulled = (*client)->Pull();
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(Expected({*pulled}), Expected({MakeProfile(20, 100)}));

  ClientOptions plain = TestClientOptions(server_.address());
  plain.max_attempts = 1;
  plain.call_timeout = std::chrono::milliseconds(3000);
  EXPECT_FALSE(ProfileClient::Connect(plain).ok());
  ClientOptions wrong_name = options;
  wrong_name.tls.server_name = "elsewhere";
  wrong_name.max_attempts = 1;
  EXPECT_FALSE(ProfileClient::Connect(wrong_name).ok());
  // The server still serves the trusted client.
  EXPECT_TRUE((*client)->Stats().ok());
}

}  // namespace
}  // namespace blobgraph::server

namespace blobgraph::server {
namespace {

TEST_F(ProfileServerTest, PrefetchAndStartSetComeFromTheServersEngine) {
  StartServer();
  GraphUpdate profile = MakeProfile(30, 0);  // only the marker edge
  profile.edges.push_back({TestHash(5), TestHash(6), 0, 9});
  profile.edges.push_back({TestHash(5), TestHash(7), 0, 1});
  profile.runs.push_back({TestHash(5), TestHash(6)});
  {
    auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE((*client)->Push(profile).ok());
  }
  // A restarted server's engine builds its snapshot from the store at open.
  ASSERT_EQ(server_.Stop(SIGTERM), 0) << server_.Log();
  StartServer();
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok());
  PrefetchOptions options;
  options.max_depth = 1;
  options.min_probability = 0.0;
  auto predictions = (*client)->Prefetch(TestHash(5), options);
  ASSERT_TRUE(predictions.ok()) << predictions.status().ToString();
  ASSERT_EQ(predictions->size(), 2u);
  // One recorded run in which 5 called both: p = (1 + 0) / (1 + 0.1) each
  // (include/blobgraph/prefetch_model.h); the tie goes to more calls.
  EXPECT_EQ((*predictions)[0].hash, TestHash(6));
  EXPECT_NEAR((*predictions)[0].probability, 1 / 1.1, 1e-6);
  EXPECT_NEAR((*predictions)[1].probability, 1 / 1.1, 1e-6);
  auto start = (*client)->StartSet(2);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  ASSERT_EQ(start->size(), 2u);
  EXPECT_EQ((*start)[0], TestHash(5));
}

}  // namespace
}  // namespace blobgraph::server
