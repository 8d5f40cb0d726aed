// Bad input from a peer, sent below ProfileClient: garbage bytes, a message
// that lies about its size, wrong hash and id lengths, oversized chunks and
// commits that lie about what was sent. Each gets its error (or the
// connection is dropped) and the server goes on serving others.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <capnp/message.h>
#include <capnp/rpc-twoparty.h>
#include <gtest/gtest.h>
#include <kj/async-io.h>

#include "blobgraph/profile_client.h"
#include "rpc_error_util.h"
#include "schema/profile_service.capnp.h"
#include "server_process_util.h"

namespace blobgraph::server {
namespace {

using testing::MakeProfile;
using testing::ServerProcess;
using testing::TempDir;

// Sends `bytes` on a fresh TCP connection and reports whether the server
// closed it within 10 s.
bool ServerClosesAfter(uint16_t port, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return false;
  if (write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) return false;
  bool closed = false;
  for (int waited = 0; waited < 100 && !closed; ++waited) {
    pollfd readable{fd, POLLIN, 0};
    if (poll(&readable, 1, 100) <= 0) continue;
    char buffer[4096];
    ssize_t got = read(fd, buffer, sizeof(buffer));
    closed = got <= 0;  // EOF or reset; anything read (an abort message) is skipped
  }
  close(fd);
  return closed;
}

class MalformedRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start({}, &error)) << error;
  }
  // The server still takes a normal push from a normal client.
  void ExpectServerStillServes(uint64_t index) {
    ClientOptions options;
    options.address = server_.address();
    auto client = ProfileClient::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    auto pushed = (*client)->Push(MakeProfile(index, 10));
    EXPECT_TRUE(pushed.ok()) << pushed.status().ToString();
  }

  // A raw RPC session: the test builds requests by hand.
  struct Raw {
    explicit Raw(uint16_t port)
        : io(kj::setupAsyncIo()),
          stream(io.provider->getNetwork()
                     .parseAddress("127.0.0.1", port)
                     .wait(io.waitScope)
                     ->connect()
                     .wait(io.waitScope)),
          network(*stream, capnp::rpc::twoparty::Side::CLIENT),
          rpc(capnp::makeRpcClient(network)) {
      capnp::MallocMessageBuilder message;
      auto id = message.initRoot<capnp::rpc::twoparty::VatId>();
      id.setSide(capnp::rpc::twoparty::Side::SERVER);
      auto service = rpc.bootstrap(id).castAs<schema::ProfileService>();
      session = service.authenticateRequest().send().wait(io.waitScope).getSession();
    }
    schema::PushSession::Client BeginPush(uint8_t id_byte) {
      auto request = session.beginPushRequest();
      uint8_t id[16] = {id_byte, 0xee};
      request.initProfile().setId(capnp::Data::Reader(id, 16));
      return request.send().wait(io.waitScope).getPush();
    }
    // The error text of `promise`, or "" if it succeeded.
    template <typename P>
    std::string ErrorOf(P&& promise) {
      return testing::ErrorOf(std::forward<P>(promise), io.waitScope);
    }
    kj::AsyncIoContext io;
    kj::Own<kj::AsyncIoStream> stream;
    capnp::TwoPartyVatNetwork network;
    capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
    schema::Session::Client session = nullptr;
  };

  static void FillEdges(capnp::List<schema::ProfileEdge>::Builder edges, size_t hash_bytes) {
    std::vector<uint8_t> hash(hash_bytes, 0x42);
    for (auto edge : edges) {
      edge.setCaller(capnp::Data::Reader(hash.data(), hash.size()));
      edge.setCallee(capnp::Data::Reader(hash.data(), hash.size()));
      edge.setDynamicCount(1);
    }
  }

  TempDir dir_;
  ServerProcess server_{dir_.File("db"), dir_.File("server.log")};
};

TEST_F(MalformedRequestTest, GarbageBytesDropTheConnectionOnly) {
  std::string garbage(256, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>(i * 131 + 7);
  EXPECT_TRUE(ServerClosesAfter(server_.port(), garbage));
  ExpectServerStillServes(1);
}

TEST_F(MalformedRequestTest, MessageThatLiesAboutItsSizeIsRefusedBeforeAllocating) {
  // Segment table: one segment of 0x3fffffff words (8 GiB), then nothing.
  std::string header(8, '\0');
  uint32_t words[2] = {0, 0x3fffffff};
  std::memcpy(header.data(), words, sizeof(words));
  EXPECT_TRUE(ServerClosesAfter(server_.port(), header));
  ExpectServerStillServes(2);
}

TEST_F(MalformedRequestTest, ShortHashIsRefusedNamingTheEntry) {
  Raw raw(server_.port());
  auto push = raw.BeginPush(1);
  auto edges = push.addEdgesRequest();
  FillEdges(edges.initEdges(3), 32);
  std::vector<uint8_t> short_hash(31, 1);
  edges.getEdges()[2].setCallee(capnp::Data::Reader(short_hash.data(), short_hash.size()));
  raw.ErrorOf(edges.send());
  auto commit = push.commitRequest();
  commit.setEdges(3);
  std::string error = raw.ErrorOf(commit.send());
  EXPECT_NE(error.find("addEdges: edges[2]: callee hash has 31 bytes, expected 32"),
            std::string::npos)
      << error;
  ExpectServerStillServes(3);
}

TEST_F(MalformedRequestTest, OversizedChunkIsRefused) {
  Raw raw(server_.port());
  auto push = raw.BeginPush(2);
  auto edges = push.addEdgesRequest();
  FillEdges(edges.initEdges(65537), 32);
  raw.ErrorOf(edges.send());
  auto commit = push.commitRequest();
  commit.setEdges(65537);
  std::string error = raw.ErrorOf(commit.send());
  EXPECT_NE(error.find("addEdges: chunk has 65537 entries, at most 65536"), std::string::npos)
      << error;
  ExpectServerStillServes(4);
}

TEST_F(MalformedRequestTest, CommitThatLiesAboutItsCountsAppliesNothing) {
  Raw raw(server_.port());
  auto push = raw.BeginPush(3);
  auto edges = push.addEdgesRequest();
  FillEdges(edges.initEdges(4), 32);
  EXPECT_EQ(raw.ErrorOf(edges.send()), "");
  auto commit = push.commitRequest();
  commit.setEdges(5);
  std::string error = raw.ErrorOf(commit.send());
  EXPECT_NE(error.find("client sent 5 edges, server received 4"), std::string::npos) << error;
  // The response owns the message the stats reader points into.
  auto response = raw.session.statsRequest().send().wait(raw.io.waitScope);
  auto stats = response.getStats();
  EXPECT_EQ(stats.getEdges(), 0u);
  EXPECT_EQ(stats.getProfiles(), 0u);
}

TEST_F(MalformedRequestTest, ShortProfileIdIsRefused) {
  Raw raw(server_.port());
  auto request = raw.session.beginPushRequest();
  uint8_t id[15] = {1};
  request.initProfile().setId(capnp::Data::Reader(id, 15));
  std::string error = raw.ErrorOf(request.send());
  EXPECT_NE(error.find("beginPush: profile id has 15 bytes, expected 16"), std::string::npos)
      << error;
  ExpectServerStillServes(5);
}

TEST_F(MalformedRequestTest, ShortProfileIdOfARetractIsRefusedNamingTheMethod) {
  Raw raw(server_.port());
  auto request = raw.session.beginRetractRequest();
  uint8_t id[17] = {1};
  request.initProfile().setId(capnp::Data::Reader(id, 17));
  std::string error = raw.ErrorOf(request.send());
  EXPECT_NE(error.find("beginRetract: profile id has 17 bytes, expected 16"), std::string::npos)
      << error;
  ExpectServerStillServes(6);
}

TEST_F(MalformedRequestTest, CallsAfterCommitAreRefused) {
  Raw raw(server_.port());
  auto push = raw.BeginPush(4);
  auto edges = push.addEdgesRequest();
  FillEdges(edges.initEdges(1), 32);
  EXPECT_EQ(raw.ErrorOf(edges.send()), "");
  auto commit = push.commitRequest();
  commit.setEdges(1);
  EXPECT_EQ(raw.ErrorOf(commit.send()), "");
  auto late = push.addEdgesRequest();
  FillEdges(late.initEdges(1), 32);
  raw.ErrorOf(late.send());
  std::string error = raw.ErrorOf(push.commitRequest().send());
  EXPECT_NE(error.find("already committed"), std::string::npos) << error;
}

}  // namespace
}  // namespace blobgraph::server
