// JSON profile counts over the whole 64-bit range, through the real
// executable: bare numbers above 2^53 are read exactly (not rounded through a
// double), the writer keeps them exact, and a number that cannot be a 64-bit
// count is refused naming the entry, with the store unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

class JsonCountsTest : public CliTest {
 protected:
  std::string Profile(const std::string& static_count, const std::string& dynamic_count) const {
    return "{\"format\":\"blobgraph-profile\",\"version\":1,"
           "\"id\":\"0123456789abcdef0123456789abcdef\",\"sourceHost\":\"h\","
           "\"createdUnixMs\":1700000000000,\"edges\":[{\"caller\":\"" +
           HexOf(0x11) + "\",\"callee\":\"" + HexOf(0x22) +
           "\",\"staticCount\":1,\"dynamicCount\":2},"
           "{\"caller\":\"" +
           HexOf(0x55) + "\",\"callee\":\"" + HexOf(0x33) + "\",\"staticCount\":" + static_count +
           ",\"dynamicCount\":" + dynamic_count + "}],\"functions\":[{\"hash\":\"" + HexOf(0x44) +
           "\",\"name\":\"n 12345678901234567890\"}]}";
  }

  // The store's edges as "CALLER CALLEE STATIC DYNAMIC" text lines.
  std::string Edges(const std::string& db) const {
    CommandResult exported = Run({"export", "--all", "--db=" + db, "--format", "text"});
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    std::string edges;
    size_t start = 0;
    while (start < exported.out.size()) {
      size_t end = exported.out.find('\n', start);
      std::string line = exported.out.substr(start, end - start);
      if (!line.empty() && line[0] != '#' && line.rfind("fn ", 0) != 0) edges += line + "\n";
      start = end == std::string::npos ? exported.out.size() : end + 1;
    }
    return edges;
  }
};

TEST_F(JsonCountsTest, CountsAbove2To53RoundTripExactly) {
  // 2^53 + 1 is the first integer a double cannot hold; 2^64 - 1 the largest count.
  std::string path = WriteFile("big.json", Profile("9007199254740993", "18446744073709551615"));
  CommandResult merged = Run({"merge", path});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  // The big edge has a caller of its own: one caller's counts may not sum
  // past 2^64 - 1 (see overflow_cli_test.cc).
  std::string expected = HexOf(0x11) + " " + HexOf(0x22) + " 1 2\n" + HexOf(0x55) + " " +
                         HexOf(0x33) + " 9007199254740993 18446744073709551615\n";
  EXPECT_EQ(Edges(db()), expected);

  // Written by export json and merged into a fresh store: the same counts.
  std::string exported = dir() + "/exported.json";
  ASSERT_EQ(Run({"export", "--all", "--format", "json", "-o", exported}).exit_code, 0);
  EXPECT_THAT(ReadFile(exported), HasSubstr("\"18446744073709551615\""));
  CommandResult again = Run({"merge", "--db=" + dir() + "/fresh.db", exported});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Edges(dir() + "/fresh.db"), expected);
}

TEST_F(JsonCountsTest, CountsBeyond64BitsAreRefusedNamingTheEntry) {
  ASSERT_EQ(Run({"import", "--text", "data/sample/difflib/static.txt"}).exit_code, 0);
  std::string before = Edges(db());
  struct Case {
    std::string static_count, dynamic_count, message;
  };
  for (const Case& bad : {
           Case{"1", "18446744073709551616",
                "edges[1].dynamicCount: 18446744073709551616 is larger than 18446744073709551615"},
           Case{"99999999999999999999999", "1",
                "edges[1].staticCount: 99999999999999999999999 is larger"},
           Case{"1.8e19", "1", "edges[1].staticCount: number 1.8e19 is not exact"},
           Case{"9007199254740993.0", "1", "edges[1].staticCount: number 9007199254740993.0"},
       }) {
    std::string path = WriteFile("bad.json", Profile(bad.static_count, bad.dynamic_count));
    for (const std::string& command : {"import --json " + path, "merge " + path}) {
      CommandResult result = Shell("blobgraph " + command);
      EXPECT_EQ(result.exit_code, 1) << command;
      EXPECT_THAT(result.err, HasSubstr(path + ": " + bad.message)) << command;
      EXPECT_EQ(Edges(db()), before) << command;
    }
  }
}

}  // namespace
}  // namespace blobgraph::tools::testing
