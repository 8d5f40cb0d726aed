#include "blobgraph/profile_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "formats/formats_test_util.h"

namespace blobgraph::formats {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::TempDir;
using testing::TestHash;
using testing::WriteFile;

ProfileInfo SampleInfo() {
  ProfileInfo info;
  for (int i = 0; i < 16; ++i) info.id[i] = static_cast<uint8_t>(0xF0 + i * 7);
  info.source_host = "build farm #3 %x\\y";  // spaces, '#', '%' and '\' survive
  info.created_unix_ms = 1700000000123;
  return info;
}

struct Sample {
  ProfileInfo info = SampleInfo();
  std::vector<EdgeDelta> edges;
  std::vector<std::pair<BlobHash, std::string>> names;
  std::vector<BlobHash> unnamed;
};

Sample MakeSample(size_t edges) {
  Sample s;
  for (size_t i = 0; i < edges; ++i) {
    s.edges.push_back({TestHash(i % 1000), TestHash(i + 5000), i % 5, (i * 7919) % 100000});
  }
  // 64-bit exact, on a caller of its own (a file whose counts for one
  // caller sum past 2^64 - 1 is refused: formats/profile_counts.h).
  s.edges.push_back({TestHash(200000), TestHash(2), UINT64_MAX, UINT64_MAX - 1});
  s.edges.push_back({TestHash(1), TestHash(2), 3, 4});
  s.edges.push_back({TestHash(1), TestHash(2), 3, 4});  // a repeat stays
  s.names = {{TestHash(1), "main"},
             {TestHash(2), "name with spaces # and % and \\ and \xc3\xa9"},
             {TestHash(3), "tab\tnewline\ncr\rdel\x7f"}};
  s.unnamed = {TestHash(4), TestHash(5)};
  return s;
}

void WriteSample(const std::string& path, ProfileFormat format, const Sample& s) {
  auto writer = OpenProfileWriter(path, format);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Begin(s.info).ok());
  // With more than 10 edges, the first name goes between edges (the writers
  // must keep edges and names apart however they arrive).
  size_t names_written = 0;
  for (size_t i = 0; i < s.edges.size(); ++i) {
    ASSERT_TRUE((*writer)->AddEdge(s.edges[i]).ok());
    if (i == 10 && !s.names.empty()) {
      ASSERT_TRUE((*writer)->AddFunction(s.names[0].first, s.names[0].second).ok());
      names_written = 1;
    }
  }
  for (size_t i = names_written; i < s.names.size(); ++i) {
    ASSERT_TRUE((*writer)->AddFunction(s.names[i].first, s.names[i].second).ok());
  }
  for (size_t i = 0; i < s.unnamed.size(); ++i) {
    // Both spellings of "no name".
    std::optional<std::string> none;
    if (i % 2 == 1) none = std::string();
    ASSERT_TRUE((*writer)->AddFunction(s.unnamed[i], none).ok());
  }
  ASSERT_TRUE((*writer)->Finish().ok());
}

void ExpectSame(const GraphUpdate& update, const Sample& s) {
  ASSERT_TRUE(update.profile.has_value());
  EXPECT_EQ(update.profile->id, s.info.id);
  EXPECT_EQ(update.profile->source_host, s.info.source_host);
  EXPECT_EQ(update.profile->created_unix_ms, s.info.created_unix_ms);
  ASSERT_EQ(update.edges.size(), s.edges.size());
  for (size_t i = 0; i < s.edges.size(); ++i) {
    EXPECT_EQ(update.edges[i].caller, s.edges[i].caller) << i;
    EXPECT_EQ(update.edges[i].callee, s.edges[i].callee) << i;
    EXPECT_EQ(update.edges[i].static_count, s.edges[i].static_count) << i;
    EXPECT_EQ(update.edges[i].dynamic_count, s.edges[i].dynamic_count) << i;
  }
  EXPECT_EQ(update.names, s.names);
  EXPECT_EQ(update.functions, s.unnamed);
  EXPECT_TRUE(update.runs.empty());
}

class ProfileRoundTripTest : public ::testing::TestWithParam<ProfileFormat> {};

TEST_P(ProfileRoundTripTest, ExportThenImportIsExact) {
  TempDir dir;
  Sample sample = MakeSample(70000);  // more than one chunk
  WriteSample(dir.File("profile"), GetParam(), sample);
  auto read = ReadProfile(dir.File("profile"));  // auto-detect
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectSame(*read, sample);
  auto explicit_format = ReadProfile(dir.File("profile"), GetParam());
  ASSERT_TRUE(explicit_format.ok()) << explicit_format.status().ToString();
  ExpectSame(*explicit_format, sample);
}

TEST_P(ProfileRoundTripTest, EmptyProfileRoundTrips) {
  TempDir dir;
  Sample empty;
  auto writer = OpenProfileWriter(dir.File("p"), GetParam());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Begin(empty.info).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  auto read = ReadProfile(dir.File("p"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectSame(*read, empty);
}

TEST_P(ProfileRoundTripTest, TruncatedProfileIsAnError) {
  TempDir dir;
  WriteSample(dir.File("p"), GetParam(), MakeSample(100));
  std::string bytes = ReadFile(dir.File("p"));
  // Text loses whole lines when cut at a line end; cut mid-line instead.
  WriteFile(dir.File("cut"), bytes.substr(0, bytes.size() / 2 + 3));
  auto read = ReadProfile(dir.File("cut"), GetParam());
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("cut: "));
}

INSTANTIATE_TEST_SUITE_P(AllFormats, ProfileRoundTripTest,
                         ::testing::Values(ProfileFormat::kCapnp, ProfileFormat::kText,
                                           ProfileFormat::kJson),
                         [](const auto& info) {
                           return std::string(ProfileFormatName(info.param));
                         });

TEST(ProfileIoTest, TextFormatIsReadable) {
  TempDir dir;
  Sample s;
  s.edges = {{TestHash(1), TestHash(2), 3, 40}};
  s.names = {{TestHash(1), "main loop"}};
  s.unnamed = {TestHash(4)};
  WriteSample(dir.File("p.txt"), ProfileFormat::kText, s);
  std::string text = ReadFile(dir.File("p.txt"));
  EXPECT_THAT(text, HasSubstr("# blobgraph-profile version=2 id=f0f7fe050c131a21282f363d444b5259 "
                              "host=build%20farm%20%233%20%25x%5Cy created_ms=1700000000123\n"));
  EXPECT_THAT(text, HasSubstr(TestHash(1).ToHex() + " " + TestHash(2).ToHex() + " 3 40\n"));
  EXPECT_THAT(text, HasSubstr("fn " + TestHash(1).ToHex() + " main%20loop\n"));
  EXPECT_THAT(text, HasSubstr("fn " + TestHash(4).ToHex() + "\n"));
}

TEST(ProfileIoTest, JsonIsOneDocumentWithHexHashes) {
  TempDir dir;
  Sample s;
  s.edges = {{TestHash(1), TestHash(2), 3, 40}};
  WriteSample(dir.File("p.json"), ProfileFormat::kJson, s);
  std::string json = ReadFile(dir.File("p.json"));
  EXPECT_EQ(json.front(), '{');
  EXPECT_THAT(json, HasSubstr("\"format\":\"blobgraph-profile\""));
  EXPECT_THAT(json, HasSubstr("\"caller\":\"" + TestHash(1).ToHex() + "\""));
  EXPECT_THAT(json, HasSubstr("\"dynamicCount\":\"40\""));
}

TEST(ProfileIoTest, MalformedTextProfilesNameLineAndColumn) {
  TempDir dir;
  std::string header =
      "# blobgraph-profile version=1 id=000102030405060708090a0b0c0d0e0f host=h created_ms=5\n";
  std::string edge = TestHash(1).ToHex() + " " + TestHash(2).ToHex();
  auto error = [&](const std::string& text) {
    WriteFile(dir.File("p.txt"), text);
    auto read = ReadProfile(dir.File("p.txt"), ProfileFormat::kText);
    EXPECT_FALSE(read.ok()) << text;
    return read.ok() ? std::string() : read.status().message();
  };
  EXPECT_THAT(error(header + edge + " 1 -2\n"),
              HasSubstr("p.txt: line 2: column 133: dynamic count '-2' is not a decimal integer"));
  EXPECT_THAT(error(header + edge + " 1\n"),
              HasSubstr("line 2: column 1: expected 'CALLER CALLEE STATIC DYNAMIC'"));
  EXPECT_THAT(error(header + "fn abc\n"), HasSubstr("line 2: column 4: function hash 'abc'"));
  EXPECT_THAT(error(header + "fn " + TestHash(1).ToHex() + " bad%zzname\n"),
              HasSubstr("line 2: column 69: name: malformed escape at position 3"));
  EXPECT_THAT(error("# blobgraph-profile version=3 id=00 host=h created_ms=5\n"),
              HasSubstr("line 1: column 21: unsupported profile version '3', expected 1 or 2"));
  EXPECT_THAT(error("# blobgraph-profile version=1 id=0011 host=h created_ms=5\n"),
              HasSubstr("line 1: column 31: profile id '0011' has 4 hex digits, expected 32"));
  EXPECT_THAT(error("# blobgraph-profile version=1 host=h\n"),
              HasSubstr("profile header needs version=, id=, host= and created_ms="));
  EXPECT_THAT(error(edge + " 1 2\n"), HasSubstr("p.txt: line 1: not a text profile"));
}

TEST(ProfileIoTest, MalformedJsonProfilesNameTheEntry) {
  TempDir dir;
  std::string head =
      "{\"format\":\"blobgraph-profile\",\"version\":1,\"id\":\"000102030405060708090a0b0c0d0e0f\","
      "\"sourceHost\":\"h\",\"createdUnixMs\":\"5\",";
  auto error = [&](const std::string& text) {
    WriteFile(dir.File("p.json"), text);
    auto read = ReadProfile(dir.File("p.json"));
    EXPECT_FALSE(read.ok()) << text;
    return read.ok() ? std::string() : read.status().message();
  };
  std::string good_edge = "{\"caller\":\"" + TestHash(1).ToHex() + "\",\"callee\":\"" +
                          TestHash(2).ToHex() + "\",\"staticCount\":\"1\",\"dynamicCount\":\"2\"}";
  EXPECT_THAT(error(head + "\"edges\":[" + good_edge + ",{\"caller\":\"ab\"}]}"),
              HasSubstr("p.json: edges[1]: caller hash 'ab' has 2 hex digits, expected 64"));
  EXPECT_THAT(error(head + "\"edges\":[" + good_edge),
              HasSubstr("p.json: malformed JSON profile: "));
  EXPECT_THAT(error("{\"format\":\"other\"}"), HasSubstr("p.json: not a blobgraph JSON profile"));
  EXPECT_THAT(error(head + "\"edges\":[{\"caller\":5}]}"), HasSubstr("p.json: "));
  EXPECT_THAT(error("{\"format\":\"blobgraph-profile\",\"version\":1,\"id\":\"xyz\"}"),
              HasSubstr("p.json: id: profile id 'xyz' has 3 hex digits"));
}

TEST(ProfileIoTest, UnknownContentAndMissingFiles) {
  TempDir dir;
  WriteFile(dir.File("x"), "hello\n");
  auto read = ReadProfile(dir.File("x"));
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("x: not a profile"));
  EXPECT_EQ(ReadProfile("/nonexistent/p").status().code(), Status::Code::kIOError);
  EXPECT_EQ(OpenProfileWriter("/nonexistent/dir/p", ProfileFormat::kCapnp).status().code(),
            Status::Code::kIOError);
  EXPECT_FALSE(ParseProfileFormat("xml").ok());
  EXPECT_EQ(*ParseProfileFormat("json"), ProfileFormat::kJson);
}

TEST(ProfileIoTest, NamesWithNulAreRefusedByEveryWriter) {
  TempDir dir;
  for (ProfileFormat format : {ProfileFormat::kCapnp, ProfileFormat::kText, ProfileFormat::kJson}) {
    auto writer = OpenProfileWriter(dir.File("p"), format);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Begin(SampleInfo()).ok());
    Status status = (*writer)->AddFunction(TestHash(1), std::string("a\0b", 3));
    EXPECT_EQ(status.code(), Status::Code::kInvalidInput) << ProfileFormatName(format);
    EXPECT_THAT(status.message(), HasSubstr("NUL"));
  }
}

TEST(ProfileIoTest, WriterRequiresBeginFirst) {
  TempDir dir;
  for (ProfileFormat format : {ProfileFormat::kCapnp, ProfileFormat::kText, ProfileFormat::kJson}) {
    auto writer = OpenProfileWriter(dir.File("p"), format);
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ((*writer)->AddEdge({}).code(), Status::Code::kInvalidInput);
  }
}

}  // namespace
}  // namespace blobgraph::formats
