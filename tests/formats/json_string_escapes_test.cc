// JSON profile strings with \u escapes are read exactly. Cap'n Proto 0.9.2's
// JSON decoder misreads a hex letter in a \uXXXX escape ("\u004a" as '@',
// schema/json_string_escapes.h); the reader decodes every \u itself. Names,
// host, id and hashes, every escape form, surrogate pairs; bad escapes are
// refused naming the entry and offset; the writer's output reads back exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "blobgraph/profile_io.h"
#include "formats/formats_test_util.h"

namespace blobgraph::formats {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::TempDir;
using testing::TestHash;
using testing::WriteFile;

std::string U(unsigned unit, bool upper) {
  static constexpr char kLower[] = "0123456789abcdef";
  static constexpr char kUpper[] = "0123456789ABCDEF";
  const char* digits = upper ? kUpper : kLower;
  std::string text = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) text += digits[unit >> shift & 15];
  return text;
}

// A version-1 profile whose host and one function's name are given as JSON
// string bodies (escapes as written).
std::string Profile(const std::string& host, const std::string& name,
                    const std::string& hash = TestHash(7).ToHex()) {
  return "{\"format\":\"blobgraph-profile\",\"version\":1,"
         "\"id\":\"000102030405060708090a0b0c0d0e0f\",\"sourceHost\":\"" +
         host + "\",\"createdUnixMs\":\"5\",\"edges\":[],\"functions\":[{\"hash\":\"" +
         TestHash(1).ToHex() + "\",\"name\":\"plain\"},{\"hash\":\"" + hash + "\",\"name\":\"" +
         name + "\"}]}";
}

Result<GraphUpdate> Read(const TempDir& dir, const std::string& json) {
  WriteFile(dir.File("p.json"), json);
  return ReadProfile(dir.File("p.json"));
}

TEST(JsonStringEscapesTest, EveryAsciiEscapeInEitherCaseIsExact) {
  TempDir dir;
  for (bool upper : {false, true}) {
    for (unsigned c = 1; c < 0x80; ++c) {
      std::string escaped = "x" + U(c, upper) + "y";
      auto read = Read(dir, Profile(escaped, escaped));
      ASSERT_TRUE(read.ok()) << escaped << ": " << read.status().ToString();
      std::string expected = std::string("x") + static_cast<char>(c) + "y";
      EXPECT_EQ(read->profile->source_host, expected) << escaped;
      ASSERT_EQ(read->names.size(), 2u);
      EXPECT_EQ(read->names[1].second, expected) << escaped;
    }
  }
}

TEST(JsonStringEscapesTest, TheReportedCases) {
  TempDir dir;
  auto read = Read(dir, Profile("h", "A\\u004aB \\u001b \\u001B"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->names[1].second, "AJB \x1b \x1b");  // not "A@B \x11 \x11"
}

TEST(JsonStringEscapesTest, NonAsciiAndSurrogatePairsBecomeUtf8) {
  TempDir dir;
  struct Case {
    std::string escaped, utf8;
  };
  for (const Case& c : {
           Case{"\\u0080", "\xc2\x80"},
           Case{"\\u00e9", "\xc3\xa9"},
           Case{"\\u00C9", "\xc3\x89"},
           Case{"\\u07ff", "\xdf\xbf"},
           Case{"\\u0800", "\xe0\xa0\x80"},
           Case{"\\u4e2d", "\xe4\xb8\xad"},
           Case{"\\uFEFF", "\xef\xbb\xbf"},
           Case{"\\uffff", "\xef\xbf\xbf"},
           Case{"\\ud83d\\ude00", "\xf0\x9f\x98\x80"},
           Case{"\\uD83D\\uDE00", "\xf0\x9f\x98\x80"},
           Case{"\\ud800\\udc00", "\xf0\x90\x80\x80"},
           Case{"\\udbff\\udfff", "\xf4\x8f\xbf\xbf"},
           // Raw UTF-8 and the short escapes, which the codec reads right itself.
           Case{"\xc3\xa9\xf0\x9f\x98\x80", "\xc3\xa9\xf0\x9f\x98\x80"},
           Case{"\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t"},
           // A decoded quote or backslash next to the short escapes.
           Case{"\\u0022\\\"\\u005c\\\\\\u005C", "\"\"\\\\\\"},
       }) {
    auto read = Read(dir, Profile("a" + c.escaped + "b", "a" + c.escaped + "b"));
    ASSERT_TRUE(read.ok()) << c.escaped << ": " << read.status().ToString();
    EXPECT_EQ(read->profile->source_host, "a" + c.utf8 + "b") << c.escaped;
    EXPECT_EQ(read->names[1].second, "a" + c.utf8 + "b") << c.escaped;
  }
}

TEST(JsonStringEscapesTest, EscapesInIdHashesAndMemberNames) {
  TempDir dir;
  // The hash's letters as \u0061.., some of the id's digits and member names escaped.
  std::string hash = TestHash(9).ToHex();
  std::string escaped_hash;
  for (char c : hash)
    escaped_hash += c >= 'a' ? U(static_cast<unsigned char>(c), c > 'c') : std::string(1, c);
  std::string json =
      "{\"\\u0066ormat\":\"blobgraph-profile\",\"version\":1,"
      "\"id\":\"0001020304050607" +
      U('0', false) + "8090" + U('a', false) + "0" + U('b', true) +
      "0c0d0e0f\",\"s\\u006FurceHost\":\"h\",\"createdUnix\\u004ds\":\"5\","
      "\"edges\":[],\"functions\":[{\"hash\":\"" +
      escaped_hash + "\",\"na\\u006de\":\"n\"}]}";
  auto read = Read(dir, json);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->profile->IdHex(), "000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(read->profile->source_host, "h");
  EXPECT_EQ(read->profile->created_unix_ms, 5u);
  ASSERT_EQ(read->names.size(), 1u);
  EXPECT_EQ(read->names[0].first, TestHash(9));
  EXPECT_EQ(read->names[0].second, "n");
}

TEST(JsonStringEscapesTest, AMemberGivenTwiceIsFoundThroughEscapes) {
  TempDir dir;
  auto read = Read(dir,
                   "{\"format\":\"blobgraph-profile\",\"version\":2,\"runWeight\":\"1\","
                   "\"run\\u0057eight\":\"2\"}");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("p.json: runWeight: given twice in the document"));
}

TEST(JsonStringEscapesTest, BadEscapesAreRefusedNamingEntryAndOffset) {
  TempDir dir;
  std::string good = Profile("h", "n");
  size_t name_at = good.rfind("\"n\"") + 1;  // the second name's body
  size_t host_at = good.find("\"h\"") + 1;
  struct Case {
    std::string host, name, message;
    size_t offset;
  };
  for (const Case& c : {
           Case{"h", "n\\ud83d", "functions[1].name: offset ",
                1},  // then: UTF-16 high surrogate \ud83d without a low surrogate
           Case{"h", "n\\ud83dx", "UTF-16 high surrogate \\ud83d without a low surrogate", 1},
           Case{"h", "n\\ud83d\\u0041", "UTF-16 high surrogate \\ud83d without a low", 1},
           Case{"h", "n\\ud83d\\ud83d", "UTF-16 high surrogate \\ud83d without a low", 1},
           Case{"h", "n\\ude00", "UTF-16 low surrogate \\ude00 without a high surrogate", 1},
           Case{"h", "n\\u00g1", "escape '\\u00g1' is not \\u and 4 hex digits", 1},
           Case{"h", "n\\u12", "escape '\\u12' is not \\u and 4 hex digits", 1},
           Case{"h", "n\\x41", "unknown escape '\\x41", 1},
           Case{"h", "n\\u0000", "\\u0000 (NUL) in a string", 1},
           Case{"h", std::string("n\0m", 3), "a raw NUL byte in a string", 1},
           Case{"h\\uDC00", "n", "sourceHost: offset ", 1},
       }) {
    std::string json = Profile(c.host, c.name);
    auto read = Read(dir, json);
    ASSERT_FALSE(read.ok()) << c.name;
    EXPECT_EQ(read.status().code(), Status::Code::kInvalidInput);
    std::string message = read.status().message();
    EXPECT_THAT(message, HasSubstr(c.message)) << c.name;
    bool in_host = c.host != "h";
    size_t offset = (in_host ? host_at : name_at) + c.offset;
    EXPECT_THAT(message, HasSubstr(dir.File("p.json") + ": " +
                                   (in_host ? "sourceHost" : "functions[1].name") + ": offset " +
                                   std::to_string(offset) + ": "))
        << message;
  }
  // In a member name: the object it is in.
  std::string json = good;
  json.replace(json.rfind("\"name\""), 6, "\"na\\uDE00me\"");
  auto read = Read(dir, json);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(),
              HasSubstr("p.json: functions[1]: a member name: offset " +
                        std::to_string(json.rfind("\\uDE00")) + ": UTF-16 low surrogate"));
  // A file cut inside an escaped string: malformed, as the codec reports it.
  read = Read(dir, good.substr(0, name_at) + "n\\u00e");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("p.json: malformed JSON profile"));
  // In a hash.
  read = Read(dir, Profile("h", "n", TestHash(7).ToHex().substr(0, 60) + "\\u00"));
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("p.json: functions[1].hash: offset "));
}

// The codec's encoder writes control characters as \u00XX with lower-case
// hex ("\u001b"): exactly the escapes its decoder misread. Every byte of a
// name and the host now comes back as written.
TEST(JsonStringEscapesTest, WrittenJsonReadsBackExactly) {
  TempDir dir;
  std::string every;
  for (int c = 1; c < 0x80; ++c) every += static_cast<char>(c);
  every += "\xc3\xa9\xe4\xb8\xad\xef\xbf\xbf\xf0\x9f\x98\x80";  // é 中 U+FFFF 😀
  ProfileInfo info;
  for (int i = 0; i < 16; ++i) info.id[i] = static_cast<uint8_t>(i * 17);
  info.source_host = "host " + every;
  info.created_unix_ms = 42;
  auto writer = OpenProfileWriter(dir.File("p.json"), ProfileFormat::kJson);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Begin(info).ok());
  ASSERT_TRUE((*writer)->AddEdge({TestHash(1), TestHash(2), 3, 4}).ok());
  ASSERT_TRUE((*writer)->AddFunction(TestHash(1), every).ok());
  ASSERT_TRUE((*writer)->AddFunction(TestHash(2), "\x1b[31mred\x1b[0m").ok());
  ASSERT_TRUE((*writer)->Finish().ok());

  std::string json = ReadFile(dir.File("p.json"));
  // Valid JSON: no raw control character (0x00-0x1f) anywhere in the output.
  ASSERT_EQ(json.back(), '\n');
  for (size_t i = 0; i + 1 < json.size(); ++i) {
    EXPECT_GE(static_cast<unsigned char>(json[i]), 0x20u) << "raw control byte at " << i;
  }
  EXPECT_THAT(json, HasSubstr("\\u001b[31mred"));

  auto read = ReadProfile(dir.File("p.json"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->profile->source_host, info.source_host);
  ASSERT_EQ(read->names.size(), 2u);
  EXPECT_EQ(read->names[0].second, every);
  EXPECT_EQ(read->names[1].second, "\x1b[31mred\x1b[0m");
}

}  // namespace
}  // namespace blobgraph::formats
