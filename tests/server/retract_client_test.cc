// ProfileClient::Retract and ProfileClient::Profiles against a real
// blobgraph-server process: retraction restores the pulled graph of a
// server that never got the profile, once; unknown ids and wrong contents
// are refused with nothing changed; the listing is capped and says so.
#include <gtest/gtest.h>

#include <map>

#include "blobgraph/profile_client.h"
#include "server_process_util.h"

namespace blobgraph::server {
namespace {

using testing::TestClientOptions;

using testing::MakeProfile;
using testing::ServerProcess;
using testing::TempDir;

using EdgeMap = std::map<std::pair<BlobHash, BlobHash>, std::pair<uint64_t, uint64_t>>;

EdgeMap Pulled(ProfileClient& client) {
  auto pulled = client.Pull();
  EXPECT_TRUE(pulled.ok()) << pulled.status().ToString();
  EdgeMap out;
  if (!pulled.ok()) return out;
  for (const EdgeDelta& e : pulled->edges) {
    auto& counts = out[{e.caller, e.callee}];
    counts.first += e.static_count;
    counts.second += e.dynamic_count;
  }
  return out;
}

class RetractClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start({"--quiet"}, &error)) << error;
    ASSERT_TRUE(others_.Start({"--quiet"}, &error)) << error;
  }
  TempDir dir_;
  ServerProcess server_{dir_.File("db"), dir_.File("server.log")};
  ServerProcess others_{dir_.File("others-db"), dir_.File("others.log")};
};

TEST_F(RetractClientTest, RetractRestoresTheOtherServersGraphOnce) {
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  auto reference = ProfileClient::Connect(TestClientOptions(others_.address()));
  ASSERT_TRUE(client.ok() && reference.ok());
  GraphUpdate profiles[3] = {MakeProfile(0, 400), MakeProfile(1, 400), MakeProfile(2, 400)};
  for (const GraphUpdate& profile : profiles) ASSERT_TRUE((*client)->Push(profile).ok());
  for (int i : {1, 2}) ASSERT_TRUE((*reference)->Push(profiles[i]).ok());
  const EdgeMap before = Pulled(**client);

  // Wrong contents for profile 0's id, and an id never pushed: refused.
  GraphUpdate forged = profiles[0];
  forged.edges.pop_back();
  auto mismatch = (*client)->Retract(forged);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().code(), Status::Code::kInvalidInput);
  EXPECT_NE(mismatch.status().message().find("not the profile that was merged"), std::string::npos)
      << mismatch.status().message();
  auto unknown = (*client)->Retract(MakeProfile(9, 10));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Status::Code::kNotFound) << unknown.status().ToString();
  EXPECT_EQ(Pulled(**client), before);

  auto retracted = (*client)->Retract(profiles[0]);
  ASSERT_TRUE(retracted.ok()) << retracted.status().ToString();
  EXPECT_FALSE(retracted->already_retracted);
  EXPECT_GT(retracted->edges, 0u);
  const EdgeMap after = Pulled(**client);
  EXPECT_EQ(after, Pulled(**reference));
  auto stats = (*client)->Stats(), reference_stats = (*reference)->Stats();
  ASSERT_TRUE(stats.ok() && reference_stats.ok());
  EXPECT_EQ(stats->store.functions, reference_stats->store.functions);
  EXPECT_EQ(stats->store.edges, reference_stats->store.edges);
  EXPECT_EQ(stats->store.dynamic_total, reference_stats->store.dynamic_total);

  auto again = (*client)->Retract(profiles[0]);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_retracted);
  EXPECT_EQ(Pulled(**client), after);
  // A push of the retracted id is answered as applied before: nothing changes.
  auto pushed = (*client)->Push(profiles[0]);
  ASSERT_TRUE(pushed.ok());
  EXPECT_TRUE(pushed->already_applied);
  EXPECT_EQ(Pulled(**client), after);
}

TEST_F(RetractClientTest, ProfilesListsStatesAndSaysWhenCapped) {
  auto client = ProfileClient::Connect(TestClientOptions(server_.address()));
  ASSERT_TRUE(client.ok());
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE((*client)->Push(MakeProfile(i, 5)).ok());
  ASSERT_TRUE((*client)->Retract(MakeProfile(1, 5)).ok());

  auto all = (*client)->Profiles();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->total, 3u);
  EXPECT_FALSE(all->truncated);
  ASSERT_EQ(all->profiles.size(), 3u);
  size_t retracted = 0;
  for (const ProfileRecord& record : all->profiles) {
    EXPECT_EQ(record.info.source_host, "test-host");
    EXPECT_GT(record.merged_unix_ms, 0);
    EXPECT_EQ(record.edges, 6u);
    EXPECT_NE(record.digest, (std::array<uint8_t, 32>{}));
    if (record.retracted) {
      ++retracted;
      EXPECT_EQ(record.info.id, MakeProfile(1, 5).profile->id);
      EXPECT_GT(record.retracted_unix_ms, 0);
    }
  }
  EXPECT_EQ(retracted, 1u);

  auto capped = (*client)->Profiles(2);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->profiles.size(), 2u);
  EXPECT_EQ(capped->total, 3u);
  EXPECT_TRUE(capped->truncated);
}

}  // namespace
}  // namespace blobgraph::server
