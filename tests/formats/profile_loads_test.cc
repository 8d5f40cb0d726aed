// Load statistics (GraphUpdate::loads, run_weight) in every profile form:
// exact round trips through WriteProfile and ReadProfile, version 1 files
// still read, and every malformed load entry refused naming where it is.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "blobgraph/profile_io.h"
#include "formats/formats_test_util.h"
#include "schema/blobgraph.capnp.h"

namespace blobgraph::formats {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::TempDir;
using testing::TestHash;
using testing::WriteFile;

constexpr uint64_t kRun = LoadRecord::kRunWeight;
const std::string kId = "000102030405060708090a0b0c0d0e0f";

GraphUpdate SampleUpdate(size_t loads) {
  GraphUpdate update;
  ProfileInfo info;
  for (int i = 0; i < 16; ++i) info.id[i] = static_cast<uint8_t>(i * 11);
  info.source_host = "farm 7";
  info.created_unix_ms = 1700000000456;
  update.profile = info;
  update.edges = {{TestHash(1), TestHash(2), 1, 9}, {TestHash(2), TestHash(3), 0, 4}};
  update.names = {{TestHash(1), "main"}};
  update.functions = {TestHash(9)};
  for (size_t i = 0; i < loads; ++i) {
    // Decayed weights are not multiples of a run: any value round-trips.
    update.loads.push_back({TestHash(100 + i), kRun * (1 + i % 3) - i % 7, (i * 977) % 100000});
  }
  // Near 2^64 - 1, each on a function of its own (sums must fit).
  update.loads.push_back({TestHash(7), UINT64_MAX, UINT64_MAX - 1});
  update.loads.push_back({TestHash(8), 1, 0});
  update.loads.push_back({TestHash(1), kRun, 0});
  update.loads.push_back({TestHash(1), kRun, 3 * kRun});  // a repeat stays a repeat
  update.run_weight = UINT64_MAX;
  return update;
}

void Write(const std::string& path, ProfileFormat format, const GraphUpdate& update) {
  auto writer = OpenProfileWriter(path, format);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  Status written = WriteProfile(**writer, update);
  ASSERT_TRUE(written.ok()) << written.ToString();
}

void ExpectLoadsEqual(const std::vector<LoadWeights>& got, const std::vector<LoadWeights>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].hash, want[i].hash) << i;
    EXPECT_EQ(got[i].run_weight, want[i].run_weight) << i;
    EXPECT_EQ(got[i].position_weight, want[i].position_weight) << i;
  }
}

class ProfileLoadsTest : public ::testing::TestWithParam<ProfileFormat> {};

TEST_P(ProfileLoadsTest, LoadsAndRunWeightRoundTripExactly) {
  TempDir dir;
  GraphUpdate update = SampleUpdate(70000);  // more than one chunk of loads
  Write(dir.File("p"), GetParam(), update);
  auto read = ReadProfile(dir.File("p"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectLoadsEqual(read->loads, update.loads);
  EXPECT_EQ(read->run_weight, UINT64_MAX);
  EXPECT_EQ(read->profile->id, update.profile->id);
  EXPECT_EQ(read->names, update.names);
  EXPECT_EQ(read->functions, update.functions);
  ASSERT_EQ(read->edges.size(), 2u);
  EXPECT_EQ(read->edges[0].dynamic_count, 9u);
}

TEST_P(ProfileLoadsTest, ZeroRunWeightAndNoLoadsRoundTrip) {
  TempDir dir;
  GraphUpdate update = SampleUpdate(0);
  update.loads.clear();
  update.run_weight = 0;
  Write(dir.File("p"), GetParam(), update);
  auto read = ReadProfile(dir.File("p"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(read->loads.empty());
  EXPECT_EQ(read->run_weight, 0u);
}

TEST_P(ProfileLoadsTest, RunsAreFoldedIntoLoadsAndRunWeight) {
  TempDir dir;
  GraphUpdate update = SampleUpdate(0);
  update.loads = {{TestHash(50), 5, 6}};
  update.run_weight = 7;
  // Two runs: 20 at 0, 21 at 1; then 21 at 0. A continuation of a run
  // counted before: 22 at position 4 (no run weight of its own).
  update.runs = {{TestHash(20), TestHash(21)}, {TestHash(21)}};
  update.run_continuations = {RunContinuation{4, {TestHash(22)}}};
  Write(dir.File("p"), GetParam(), update);
  auto read = ReadProfile(dir.File("p"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(read->runs.empty());
  std::vector<LoadWeights> want = {{TestHash(50), 5, 6}};
  // Folded ones follow in hash order.
  std::vector<LoadWeights> folded = {
      {TestHash(20), kRun, 0}, {TestHash(21), 2 * kRun, kRun}, {TestHash(22), kRun, 4 * kRun}};
  std::sort(folded.begin(), folded.end(),
            [](const LoadWeights& a, const LoadWeights& b) { return a.hash < b.hash; });
  want.insert(want.end(), folded.begin(), folded.end());
  ExpectLoadsEqual(read->loads, want);
  EXPECT_EQ(read->run_weight, 7 + 2 * kRun);
}

TEST_P(ProfileLoadsTest, LoadSumsPastTheLimitAreRefusedNamingTheEntry) {
  TempDir dir;
  GraphUpdate update = SampleUpdate(0);
  update.loads = {
      {TestHash(1), 5, 0}, {TestHash(2), UINT64_MAX, 0}, {TestHash(3), 1, 1}, {TestHash(2), 1, 0}};
  Write(dir.File("runs"), GetParam(), update);  // writers do not judge
  auto read = ReadProfile(dir.File("runs"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Status::Code::kInvalidInput);
  EXPECT_THAT(read.status().message(),
              HasSubstr("runs: load #4 (" + TestHash(2).ToHex() +
                        "): the function's run weights sum past 2^64 - 1 within the file"));
  update.loads = {{TestHash(2), 1, UINT64_MAX - 1}, {TestHash(2), 1, 2}};
  Write(dir.File("positions"), GetParam(), update);
  read = ReadProfile(dir.File("positions"));
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(),
              HasSubstr("positions: load #2 (" + TestHash(2).ToHex() +
                        "): the function's position weights sum past 2^64 - 1"));
  // Exactly 2^64 - 1 is fine.
  update.loads = {{TestHash(2), UINT64_MAX - 1, 0}, {TestHash(2), 1, 0}};
  Write(dir.File("fits"), GetParam(), update);
  EXPECT_TRUE(ReadProfile(dir.File("fits")).ok());
}

TEST_P(ProfileLoadsTest, RunWeightAtMostOnceInEveryWriter) {
  TempDir dir;
  auto writer = OpenProfileWriter(dir.File("p"), GetParam());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Begin(*SampleUpdate(0).profile).ok());
  ASSERT_TRUE((*writer)->SetRunWeight(kRun).ok());
  Status second = (*writer)->SetRunWeight(kRun);
  EXPECT_EQ(second.code(), Status::Code::kInvalidInput);
  EXPECT_THAT(second.message(), HasSubstr("run weight set twice"));
}

INSTANTIATE_TEST_SUITE_P(AllFormats, ProfileLoadsTest,
                         ::testing::Values(ProfileFormat::kCapnp, ProfileFormat::kText,
                                           ProfileFormat::kJson),
                         [](const auto& info) {
                           return std::string(ProfileFormatName(info.param));
                         });

TEST(ProfileLoadsTest, WriteProfileNeedsAnIdentity) {
  TempDir dir;
  auto writer = OpenProfileWriter(dir.File("p"), ProfileFormat::kText);
  ASSERT_TRUE(writer.ok());
  GraphUpdate update;
  Status status = WriteProfile(**writer, update);
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_THAT(status.message(), HasSubstr("no identity"));
}

// ---------------------------------------------------------------- text

std::string ReadError(const std::string& path) {
  auto read = ReadProfile(path);
  EXPECT_FALSE(read.ok()) << path;
  return read.ok() ? std::string() : read.status().message();
}

TEST(ProfileLoadsTextTest, LinesAsDocumented) {
  TempDir dir;
  GraphUpdate update = SampleUpdate(0);
  update.loads = {{TestHash(1), kRun, 2 * kRun}};
  update.run_weight = 3 * kRun;
  Write(dir.File("p.txt"), ProfileFormat::kText, update);
  std::string text = ReadFile(dir.File("p.txt"));
  EXPECT_THAT(text, HasSubstr("# blobgraph-profile version=2 id="));
  EXPECT_THAT(text, HasSubstr("\nload " + TestHash(1).ToHex() + " 65536 131072\n"));
  EXPECT_THAT(text, HasSubstr("\nrun_weight 196608\n"));
}

TEST(ProfileLoadsTextTest, MalformedLoadLinesNameLineAndColumn) {
  TempDir dir;
  std::string v2 = "# blobgraph-profile version=2 id=" + kId + " host=h created_ms=5\n";
  std::string v1 = "# blobgraph-profile version=1 id=" + kId + " host=h created_ms=5\n";
  std::string hash = TestHash(1).ToHex();
  auto error = [&](const std::string& text) {
    WriteFile(dir.File("p.txt"), text);
    return ReadError(dir.File("p.txt"));
  };
  EXPECT_THAT(error(v2 + "load " + hash.substr(2) + " 1 0\n"),
              HasSubstr("p.txt: line 2: column 6: function hash '" + hash.substr(2) +
                        "' has 62 hex digits, expected 64"));
  EXPECT_THAT(error(v2 + "run_weight 5\nload " + hash + " 0 7\n"),
              HasSubstr("p.txt: line 3: column 73: function " + hash +
                        ": position weight 7 without a run weight"));
  EXPECT_THAT(error(v2 + "run_weight 5\n\nrun_weight 5\n"),
              HasSubstr("p.txt: line 4: column 1: a second run_weight line"));
  EXPECT_THAT(error(v2 + "run_weight 18446744073709551616\n"),
              HasSubstr("p.txt: line 2: column 12: run weight '18446744073709551616'"));
  EXPECT_THAT(error(v2 + "load " + hash + " 1\n"),
              HasSubstr("line 2: column 1: expected 'load HASH RUN_WEIGHT POSITION_WEIGHT'"));
  EXPECT_THAT(error(v2 + "run_weight\n"), HasSubstr("line 2: column 1: expected 'run_weight N'"));
  EXPECT_THAT(error(v2 + "load " + hash + " 1 -1\n"),
              HasSubstr("line 2: column 73: position weight"));
  EXPECT_THAT(error(v1 + "load " + hash + " 1 0\n"),
              HasSubstr("p.txt: line 2: column 1: 'load' line in a version 1 profile"));
  EXPECT_THAT(error(v1 + "run_weight 1\n"), HasSubstr("'run_weight' line in a version 1 profile"));
}

TEST(ProfileLoadsTextTest, VersionOneStillReads) {
  TempDir dir;
  std::string v1 = "# blobgraph-profile version=1 id=" + kId + " host=h created_ms=5\n" +
                   TestHash(1).ToHex() + " " + TestHash(2).ToHex() + " 1 2\n";
  WriteFile(dir.File("v1.txt"), v1);
  auto read = ReadProfile(dir.File("v1.txt"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->edges.size(), 1u);
  EXPECT_TRUE(read->loads.empty());
  EXPECT_EQ(read->run_weight, 0u);
}

// ---------------------------------------------------------------- json

std::string JsonHead(int version) {
  return "{\"format\":\"blobgraph-profile\",\"version\":" + std::to_string(version) + ",\"id\":\"" +
         kId + "\",\"sourceHost\":\"h\",\"createdUnixMs\":\"5\"";
}

TEST(ProfileLoadsJsonTest, ExactIntegersWrittenAsNumbersToo) {
  TempDir dir;
  // Other tools write bare numbers; past 2^53 they must stay exact.
  WriteFile(dir.File("p.json"),
            JsonHead(2) + ",\"loads\":[{\"hash\":\"" + TestHash(1).ToHex() +
                "\",\"runWeight\":18446744073709551615,\"positionWeight\":18446744073709551614}],"
                "\"runWeight\":18446744073709551615}");
  auto read = ReadProfile(dir.File("p.json"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectLoadsEqual(read->loads, {{TestHash(1), UINT64_MAX, UINT64_MAX - 1}});
  EXPECT_EQ(read->run_weight, UINT64_MAX);
}

TEST(ProfileLoadsJsonTest, MalformedLoadsNameTheEntry) {
  TempDir dir;
  auto error = [&](const std::string& text) {
    WriteFile(dir.File("p.json"), text);
    return ReadError(dir.File("p.json"));
  };
  std::string good = "{\"hash\":\"" + TestHash(1).ToHex() + "\",\"runWeight\":\"1\"}";
  EXPECT_THAT(error(JsonHead(2) + ",\"loads\":[" + good + ",{\"hash\":\"abcd\"}]}"),
              HasSubstr("p.json: loads[1]: function hash 'abcd' has 4 hex digits, expected 64"));
  EXPECT_THAT(error(JsonHead(2) + ",\"loads\":[" + good + ",{\"hash\":\"" + TestHash(2).ToHex() +
                    "\",\"positionWeight\":\"3\"}]}"),
              HasSubstr("p.json: loads[1]: function " + TestHash(2).ToHex() +
                        ": position weight 3 without a run weight"));
  EXPECT_THAT(error(JsonHead(2) + ",\"runWeight\":18446744073709551616}"),
              HasSubstr("p.json: runWeight: 18446744073709551616 is larger than"));
  EXPECT_THAT(error(JsonHead(2) + ",\"loads\":[{\"hash\":\"" + TestHash(1).ToHex() +
                    "\",\"runWeight\":-1}]}"),
              HasSubstr("p.json: malformed JSON profile: expected value >= U(MIN) [-1 >= 0]"));
  EXPECT_THAT(error(JsonHead(1) + ",\"loads\":[" + good + "]}"),
              HasSubstr("p.json: loads in a version 1 profile"));
  EXPECT_THAT(error(JsonHead(1) + ",\"runWeight\":\"5\"}"),
              HasSubstr("p.json: runWeight in a version 1 profile"));
  EXPECT_THAT(error(JsonHead(3) + "}"), HasSubstr("p.json: unsupported profile version 3"));
  // The codec would keep the last alone: a second member is refused.
  EXPECT_THAT(error(JsonHead(2) + ",\"runWeight\":\"5\",\"runWeight\":\"6\"}"),
              HasSubstr("p.json: runWeight: given twice in the document"));
  EXPECT_THAT(error(JsonHead(2) + ",\"loads\":[" + good + "],\"edges\":[],\"loads\":[]}"),
              HasSubstr("p.json: loads: given twice in the document"));
  // Nested objects may repeat member names of the document.
  WriteFile(dir.File("ok.json"), JsonHead(2) + ",\"loads\":[{\"hash\":\"" + TestHash(1).ToHex() +
                                     "\",\"runWeight\":\"2\"}],\"runWeight\":\"2\"}");
  EXPECT_TRUE(ReadProfile(dir.File("ok.json")).ok());
}

TEST(ProfileLoadsJsonTest, VersionOneStillReads) {
  TempDir dir;
  WriteFile(dir.File("v1.json"), JsonHead(1) + ",\"edges\":[],\"functions\":[]}");
  auto read = ReadProfile(dir.File("v1.json"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(read->loads.empty());
}

// ---------------------------------------------------------------- capnp

using Fill = std::function<void(schema::StreamMessage::Builder)>;

void WriteMessages(const std::string& path, const std::vector<Fill>& messages) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  for (const auto& fill : messages) {
    capnp::MallocMessageBuilder message;
    fill(message.initRoot<schema::StreamMessage>());
    capnp::writeMessageToFd(fd, message);
  }
  ::close(fd);
}

Fill Header(uint32_t version) {
  return [version](schema::StreamMessage::Builder root) {
    auto header = root.initHeader();
    header.setMagic(schema::K_FORMAT_MAGIC.get());
    header.setVersion(version);
    header.setKind(schema::StreamKind::PROFILE);
    auto identity = header.initProfile();
    uint8_t id[16] = {};
    identity.setId(capnp::Data::Reader(id, 16));
    identity.setSourceHost("h");
  };
}

Fill Loads(std::vector<LoadWeights> loads, size_t short_index = SIZE_MAX) {
  return [loads, short_index](schema::StreamMessage::Builder root) {
    auto list = root.initLoads(loads.size());
    for (size_t i = 0; i < loads.size(); ++i) {
      list[i].setHash(capnp::Data::Reader(loads[i].hash.data(), i == short_index ? 31 : 32));
      list[i].setRunWeight(loads[i].run_weight);
      list[i].setPositionWeight(loads[i].position_weight);
    }
  };
}

Fill RunWeight(uint64_t weight) {
  return [weight](schema::StreamMessage::Builder root) { root.setRunWeight(weight); };
}

Fill End(uint64_t entries) {
  return [entries](schema::StreamMessage::Builder root) { root.initEnd().setEntries(entries); };
}

std::string HeaderBytes(uint32_t version) {
  TempDir dir;
  WriteMessages(dir.File("h"), {Header(version)});
  return std::to_string(ReadFile(dir.File("h")).size());
}

TEST(ProfileLoadsCapnpTest, MalformedLoadsNameMessageOffsetAndEntry) {
  TempDir dir;
  std::string at1 = "message 1 (offset " + HeaderBytes(2) + "): ";
  LoadWeights good{TestHash(1), kRun, 0};
  WriteMessages(dir.File("a.capnp"), {Header(2), Loads({good, good}, 1), End(2)});
  EXPECT_THAT(ReadError(dir.File("a.capnp")),
              HasSubstr("a.capnp: " + at1 + "loads[1]: function hash has 31 bytes, expected 32"));
  WriteMessages(dir.File("b.capnp"), {Header(2), Loads({good, {TestHash(2), 0, 9}}), End(2)});
  EXPECT_THAT(ReadError(dir.File("b.capnp")),
              HasSubstr("b.capnp: " + at1 + "loads[1]: function " + TestHash(2).ToHex() +
                        ": position weight 9 without a run weight"));
  WriteMessages(dir.File("c.capnp"), {Header(2), RunWeight(1), RunWeight(1), End(2)});
  EXPECT_THAT(ReadError(dir.File("c.capnp")), HasSubstr("c.capnp: message 2 (offset "));
  EXPECT_THAT(ReadError(dir.File("c.capnp")), HasSubstr("): a second run weight"));
  WriteMessages(dir.File("d.capnp"), {Header(1), Loads({good}), End(1)});
  EXPECT_THAT(ReadError(dir.File("d.capnp")),
              HasSubstr("d.capnp: message 1 (offset " + HeaderBytes(1) +
                        "): a loads chunk in a version 1 stream"));
  WriteMessages(dir.File("e.capnp"), {Header(1), RunWeight(1), End(1)});
  EXPECT_THAT(ReadError(dir.File("e.capnp")), HasSubstr("a run weight in a version 1 stream"));
  // The run weight counts as an entry: a trailer that leaves it out lies.
  WriteMessages(dir.File("f.capnp"), {Header(2), Loads({good}), RunWeight(1), End(1)});
  EXPECT_THAT(ReadError(dir.File("f.capnp")),
              HasSubstr("end trailer counts 1 entries, the stream has 2"));
}

TEST(ProfileLoadsCapnpTest, VersionOneAndTwoStreamsRead) {
  TempDir dir;
  WriteMessages(dir.File("v1.capnp"), {Header(1), End(0)});
  auto v1 = ReadProfile(dir.File("v1.capnp"));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_TRUE(v1->loads.empty());
  WriteMessages(dir.File("v2.capnp"),
                {Header(2), RunWeight(UINT64_MAX), Loads({{TestHash(3), 2, 1}}), End(2)});
  auto v2 = ReadProfile(dir.File("v2.capnp"));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  ExpectLoadsEqual(v2->loads, {{TestHash(3), 2, 1}});
  EXPECT_EQ(v2->run_weight, UINT64_MAX);
}

}  // namespace
}  // namespace blobgraph::formats
