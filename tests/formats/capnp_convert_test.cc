// schema/capnp_convert: each struct round-trips, and each decoder names the
// entry, the field and what it found when it refuses.
#include "schema/capnp_convert.h"

#include <capnp/message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "formats/formats_test_util.h"

namespace blobgraph::schema {
namespace {

using formats::testing::TestHash;

std::vector<uint8_t> ShortHash(size_t size) { return std::vector<uint8_t>(size, 0x5a); }

TEST(CapnpConvertTest, EdgesRoundTrip) {
  std::vector<EdgeDelta> edges = {{TestHash(1), TestHash(2), 3, 4},
                                  {TestHash(5), TestHash(6), 0, 7}};
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<StreamMessage>().initEdges(edges.size());
  EncodeEdges(edges, list);
  std::vector<EdgeDelta> decoded = {{TestHash(9), TestHash(9), 1, 1}};  // appended to
  ASSERT_TRUE(DecodeEdges(list.asReader(), &decoded).ok());
  ASSERT_EQ(decoded.size(), 3u);
  for (size_t i = 0; i < edges.size(); ++i) {
    EXPECT_EQ(decoded[i + 1].caller, edges[i].caller);
    EXPECT_EQ(decoded[i + 1].callee, edges[i].callee);
    EXPECT_EQ(decoded[i + 1].static_count, edges[i].static_count);
    EXPECT_EQ(decoded[i + 1].dynamic_count, edges[i].dynamic_count);
  }
}

TEST(CapnpConvertTest, ShortCalleeIsRefusedNamingTheEntryAndField) {
  std::vector<EdgeDelta> edges(3, EdgeDelta{TestHash(1), TestHash(2), 1, 1});
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<StreamMessage>().initEdges(edges.size());
  EncodeEdges(edges, list);
  auto short_hash = ShortHash(31);
  list[2].setCallee(capnp::Data::Reader(short_hash.data(), short_hash.size()));
  std::vector<EdgeDelta> decoded;
  Status status = DecodeEdges(list.asReader(), &decoded);
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_EQ(status.message(), "edges[2]: callee hash has 31 bytes, expected 32");
  EXPECT_EQ(decoded.size(), 2u);  // the entries before the bad one
}

TEST(CapnpConvertTest, NamesRoundTripInBothForms) {
  std::vector<NamedHash> names = {{TestHash(1), "main"}, {TestHash(2), ""}};
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<StreamMessage>().initNames(names.size());
  EncodeNames(names, list);
  std::vector<std::pair<BlobHash, std::string>> pairs;
  ASSERT_TRUE(DecodeNames(list.asReader(), &pairs).ok());
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0], std::make_pair(TestHash(1), std::string("main")));
  EXPECT_EQ(pairs[1], std::make_pair(TestHash(2), std::string()));

  capnp::MallocMessageBuilder again;
  auto pair_list = again.initRoot<StreamMessage>().initNames(pairs.size());
  EncodeNames(pairs, pair_list);
  std::vector<NamedHash> decoded;
  ASSERT_TRUE(DecodeNames(pair_list.asReader(), &decoded).ok());
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_EQ(decoded[0].hash, TestHash(1));
  EXPECT_EQ(decoded[0].name, "main");
  EXPECT_EQ(decoded[1].name, "");
}

TEST(CapnpConvertTest, LoadsRoundTripAndAPositionWeightNeedsARunWeight) {
  std::vector<LoadWeights> loads = {{TestHash(1), 65536, 3 * 65536}, {TestHash(2), 0, 9}};
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<StreamMessage>().initLoads(loads.size());
  EncodeLoads(loads, list);
  std::vector<LoadWeights> decoded;
  Status status = DecodeLoads(list.asReader(), &decoded);
  EXPECT_EQ(status.message(), "loads[1]: function " + TestHash(2).ToHex() +
                                  ": position weight 9 without a run weight (no run loaded it)");
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].hash, TestHash(1));
  EXPECT_EQ(decoded[0].run_weight, 65536u);
  EXPECT_EQ(decoded[0].position_weight, 3u * 65536);
  EXPECT_TRUE(CheckLoad({TestHash(3), 0, 0}).ok());
}

TEST(CapnpConvertTest, EventsRoundTrip) {
  std::vector<TraceEvent> events = {{BlobHash(), TestHash(1)}, {TestHash(1), TestHash(2)}};
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<StreamMessage>().initEvents(events.size());
  EncodeEvents(events, list);
  std::vector<TraceEvent> decoded;
  ASSERT_TRUE(DecodeEvents(list.asReader(), &decoded).ok());
  EXPECT_EQ(decoded, events);
}

TEST(CapnpConvertTest, FunctionRoundTripsAndNamesABadCallee) {
  FunctionDeps function{TestHash(1), "f", {TestHash(2), TestHash(2), TestHash(3)}};
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<StreamMessage>().initFunctions(1);
  EncodeFunction(function, list[0]);
  FunctionDeps decoded{TestHash(9), "old", {TestHash(9)}};  // overwritten
  ASSERT_TRUE(DecodeFunction(list.asReader()[0], &decoded).ok());
  EXPECT_EQ(decoded.hash, function.hash);
  EXPECT_EQ(decoded.name, "f");
  EXPECT_EQ(decoded.callees, function.callees);

  auto short_hash = ShortHash(0);
  list[0].getCallees().set(1, capnp::Data::Reader(short_hash.data(), short_hash.size()));
  Status status = DecodeFunction(list.asReader()[0], &decoded);
  EXPECT_EQ(status.message(), "callees[1]: hash has 0 bytes, expected 32");
}

TEST(CapnpConvertTest, IdentityRoundTripsAndRefusesAnIdOfTheWrongLength) {
  ProfileInfo info;
  for (size_t i = 0; i < info.id.size(); ++i) info.id[i] = static_cast<uint8_t>(i + 1);
  info.source_host = "build-7";
  info.created_unix_ms = 1700000000123;
  capnp::MallocMessageBuilder message;
  auto identity = message.initRoot<ProfileIdentity>();
  EncodeIdentity(info, identity);
  auto decoded = DecodeIdentity(identity.asReader());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->id, info.id);
  EXPECT_EQ(decoded->source_host, "build-7");
  EXPECT_EQ(decoded->created_unix_ms, 1700000000123);

  uint8_t id[15] = {};
  identity.setId(capnp::Data::Reader(id, sizeof(id)));
  EXPECT_EQ(DecodeIdentity(identity.asReader()).status().message(),
            "profile id has 15 bytes, expected 16");
}

TEST(CapnpConvertTest, HashListsAreNamedByTheCaller) {
  std::vector<BlobHash> hashes = {TestHash(1), TestHash(2)};
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<StreamMessage>().initFunctions(1)[0].initCallees(3);
  EncodeHashes(hashes, list);  // the third stays empty
  std::vector<BlobHash> decoded;
  Status status = DecodeHashes(list.asReader(), "order", &decoded);
  EXPECT_EQ(status.message(), "order[2]: hash has 0 bytes, expected 32");
  EXPECT_EQ(decoded, hashes);
}

TEST(CapnpConvertTest, ChunkSizeLimitNamesTheList) {
  EXPECT_TRUE(CheckChunkSize("edges", K_MAX_CHUNK_ENTRIES).ok());
  EXPECT_EQ(CheckChunkSize("edges", K_MAX_CHUNK_ENTRIES + 1).message(),
            "edges chunk has 65537 entries, at most 65536");
  EXPECT_EQ(CheckChunkSize("", K_MAX_CHUNK_ENTRIES + 1).message(),
            "chunk has 65537 entries, at most 65536");
}

}  // namespace
}  // namespace blobgraph::schema
