// JSON profile names and hosts with \u escapes reach the store exactly,
// through the real executable. Cap'n Proto 0.9.2's JSON decoder misreads a
// hex letter in \uXXXX ("A\u004aB" was stored as "A@B", "\u001b" as 0x11;
// schema/json_string_escapes.h). Every escape form is merged and shown by a
// text export byte for byte; JSON -> store -> JSON -> store is exact; a bad
// escape exits 1 naming the file, entry and offset, the store unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The whole graph as a text export. On this base `export` writes the whole
// graph; once `export` carries only this store's own observations (branch
// layers), the whole graph is `export --all`: change this one line.
std::vector<std::string> ExportAllArgs() { return {"export", "--all"}; }

std::string U(unsigned unit, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string text = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) text += digits[unit >> shift & 15];
  return text;
}

// The text format's name escape (formats/profile_text.h): printable ASCII
// but '\', '#' and '%' as is, every other byte as %XX.
std::string TextToken(const std::string& bytes) {
  std::string out;
  for (char c : bytes) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte > ' ' && byte <= '~' && c != '\\' && c != '#' && c != '%') {
      out += c;
    } else {
      static const char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

struct Name {
  uint8_t hash_byte;
  std::string json;   // the string body as written in the profile
  std::string bytes;  // what the store must hold
};

// Every escape form: all of 0x01-0x7f as \u in lower- and in upper-case hex,
// non-ASCII BMP characters, a surrogate pair, raw UTF-8 and the short escapes.
std::vector<Name> EscapedNames() {
  Name lower{0x31, "", ""}, upper{0x32, "", ""};
  for (unsigned c = 1; c < 0x80; ++c) {
    lower.json += U(c, false);
    upper.json += U(c, true);
    lower.bytes += static_cast<char>(c);
  }
  upper.bytes = lower.bytes;
  return {
      lower,
      upper,
      {0x33, "A\\u004aB \\u001b \\u001B", "AJB \x1b \x1b"},  // the reported case
      {0x34, "\\u00e9\\u00C9\\u0100\\u07FF\\u0800\\u4e2d\\uFEFF\\uffff",
       "\xc3\xa9\xc3\x89\xc4\x80\xdf\xbf\xe0\xa0\x80\xe4\xb8\xad\xef\xbb\xbf\xef\xbf\xbf"},
      {0x35, "smile \\ud83d\\ude00 \\uDBFF\\uDFFF", "smile \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"},
      {0x36, "raw \xc3\xa9\xf0\x9f\x98\x80 \\\"\\\\\\/\\b\\f\\n\\r\\t",
       "raw \xc3\xa9\xf0\x9f\x98\x80 \"\\/\b\f\n\r\t"},
  };
}

// Stored as "build host" ESC U+00E9 U+1F600.
const char kHostJson[] = "build\\u0020h\\u006Fst\\u001b\\u00e9\\ud83d\\ude00";

std::string Profile(const std::vector<Name>& names, const std::string& host_json,
                    const std::string& id = "0123456789abcdef0123456789abcdef") {
  std::string json = "{\"format\":\"blobgraph-profile\",\"version\":1,\"id\":\"" + id +
                     "\",\"sourceHost\":\"" + host_json +
                     "\",\"createdUnixMs\":1700000000000,\"edges\":[";
  for (size_t i = 0; i < names.size(); ++i) {
    json += std::string(i ? "," : "") + "{\"caller\":\"" + HexOf(names[i].hash_byte) +
            "\",\"callee\":\"" + HexOf(0x99) +
            "\",\"staticCount\":1,\"dynamicCount\":" + std::to_string(i + 2) + "}";
  }
  json += "],\"functions\":[";
  for (size_t i = 0; i < names.size(); ++i) {
    json += std::string(i ? "," : "") + "{\"hash\":\"" + HexOf(names[i].hash_byte) +
            "\",\"name\":\"" + names[i].json + "\"}";
  }
  return json + "]}";
}

class JsonEscapesCliTest : public CliTest {
 protected:
  // The store's edges and names, sorted (fn lines: "fn HASH TOKEN").
  std::string Dump(const std::string& db) const {
    std::vector<std::string> args = ExportAllArgs();
    args.insert(args.end(), {"--db=" + db, "--format", "text"});
    CommandResult exported = Run(args);
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    return CanonicalDump(exported.out);
  }
};

TEST_F(JsonEscapesCliTest, EveryEscapeFormIsStoredExactly) {
  std::vector<Name> names = EscapedNames();
  std::string path = WriteFile("escaped.json", Profile(names, kHostJson));
  CommandResult merged = Run({"merge", path});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  // Human output escapes the control byte for the terminal (core/quote.h)
  // and keeps valid UTF-8: every stored byte still shows.
  EXPECT_THAT(merged.out, HasSubstr(" from build host\\x1b\xc3\xa9\xf0\x9f\x98\x80, 6 edges\n"));

  std::string dump = Dump(db());
  for (const Name& name : names) {
    EXPECT_THAT(dump, HasSubstr("fn " + HexOf(name.hash_byte) + " " + TextToken(name.bytes) + "\n"))
        << name.json;
  }
  // Not what Cap'n Proto 0.9.2 alone made of them.
  EXPECT_THAT(dump, Not(HasSubstr("A@B")));

  // The host as stored: a second merge of the same id is refused naming it.
  CommandResult again = Run({"merge", path});
  EXPECT_EQ(again.exit_code, 1);
  // Error messages escape every byte outside printable ASCII.
  EXPECT_THAT(again.err, HasSubstr("(from host 'build host\\x1b\\xc3\\xa9\\xf0\\x9f\\x98\\x80',"));
  EXPECT_EQ(Dump(db()), dump);
}

TEST_F(JsonEscapesCliTest, JsonStoreJsonStoreRoundTripIsExact) {
  std::string path = WriteFile("escaped.json", Profile(EscapedNames(), kHostJson));
  ASSERT_EQ(Run({"merge", path}).exit_code, 0);
  std::string dump = Dump(db());

  // The writer (Cap'n Proto's encoder) escapes control characters as
  // "\u001b" etc., the very forms its decoder misread.
  std::string first = dir() + "/first.json";
  std::vector<std::string> args = ExportAllArgs();
  args.insert(args.end(), {"--format", "json", "-o", first});
  ASSERT_EQ(Run(args).exit_code, 0);
  std::string written = ReadFile(first);
  EXPECT_THAT(written, HasSubstr("\\u001b"));
  for (size_t i = 0; i + 1 < written.size(); ++i) {
    EXPECT_GE(static_cast<unsigned char>(written[i]), 0x20u) << "raw control byte at " << i;
  }

  std::string second_db = dir() + "/second.db";
  CommandResult merged = Run({"merge", "--db=" + second_db, first});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(Dump(second_db), dump);

  std::string second = dir() + "/second.json";
  args = ExportAllArgs();
  args.insert(args.end(), {"--db=" + second_db, "--format", "json", "-o", second});
  ASSERT_EQ(Run(args).exit_code, 0);
  std::string third_db = dir() + "/third.db";
  merged = Run({"import", "--db=" + third_db, "--json", second});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(Dump(third_db), dump);
}

TEST_F(JsonEscapesCliTest, BadEscapesExitOneNamingFileEntryAndOffsetStoreUnchanged) {
  ASSERT_EQ(Run({"merge", WriteFile("good.json", Profile(EscapedNames(), kHostJson))}).exit_code,
            0);
  std::string before = Dump(db());
  struct Case {
    std::string name_json, host_json, entry, problem;
  };
  for (const Case& bad : {
           Case{"x\\ud83d", kHostJson, "functions[1].name",
                "UTF-16 high surrogate \\ud83d without a low surrogate"},
           Case{"x\\ud83d\\u0041", kHostJson, "functions[1].name", "UTF-16 high surrogate"},
           Case{"x\\uDE00", kHostJson, "functions[1].name",
                "UTF-16 low surrogate \\ude00 without a high"},
           Case{"x\\u00G1", kHostJson, "functions[1].name",
                "escape '\\u00G1' is not \\u and 4 hex digits"},
           Case{"x\\u0000", kHostJson, "functions[1].name", "\\u0000 (NUL) in a string"},
           Case{"x\\q", kHostJson, "functions[1].name", "unknown escape '\\q'"},
           Case{"x", "h\\ud800", "sourceHost", "UTF-16 high surrogate \\ud800"},
       }) {
    std::vector<Name> names = {{0x41, "fine \\u004a", "fine J"}, {0x42, bad.name_json, ""}};
    // A fresh id: the refusal must come from the escape, not a repeated profile.
    std::string json = Profile(names, bad.host_json, "fedcba9876543210fedcba9876543210");
    size_t offset =
        bad.entry == "sourceHost" ? json.find("\\ud800") : json.rfind(bad.name_json) + 1;
    std::string path = WriteFile("bad.json", json);
    for (const std::string& command : {"merge " + path, "import --json " + path}) {
      CommandResult result = Shell("blobgraph " + command);
      EXPECT_EQ(result.exit_code, 1) << command;
      EXPECT_THAT(result.err, HasSubstr(path + ": " + bad.entry + ": offset " +
                                        std::to_string(offset) + ": " + bad.problem))
          << command;
      EXPECT_EQ(Dump(db()), before) << command;
    }
  }
}

// A NUL in a name, however escaped (\u0000 in JSON, %00 in a text profile),
// is refused: stored, it made every later export of the store fail.
TEST_F(JsonEscapesCliTest, NulNamesAreRefusedInEveryTextualFormat) {
  ASSERT_EQ(Run({"merge", WriteFile("good.json", Profile(EscapedNames(), kHostJson))}).exit_code,
            0);
  std::string before = Dump(db());
  std::string json = WriteFile(
      "nul.json", Profile({{0x41, "a\\u0000b", ""}}, "h", "fedcba9876543210fedcba9876543210"));
  std::string text = WriteFile("nul.txt",
                               "# blobgraph-profile version=1 id=fedcba9876543210fedcba9876543211 "
                               "host=h created_ms=1\nfn " +
                                   HexOf(0x41) + " a%00b\n");
  for (const std::string& path : {json, text}) {
    CommandResult result = Run({"merge", path});
    EXPECT_EQ(result.exit_code, 1) << path;
    EXPECT_THAT(result.err, HasSubstr(path + ": ")) << path;
    EXPECT_THAT(result.err, HasSubstr("NUL")) << path;
    EXPECT_EQ(Dump(db()), before) << path;
  }
}

}  // namespace
}  // namespace blobgraph::tools::testing
