// Counts near 2^64 through the real executable: a profile (text, JSON,
// Cap'n Proto) whose counts would overflow the store's is refused naming the
// edge, exits non-zero and leaves the store's exact contents; a file whose
// own counts overflow is refused naming the entry; huge but valid counts
// give probabilities within [0, 1].
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::string kA = HexOf(0xa1), kB = HexOf(0xb2), kC = HexOf(0xc3);
constexpr const char* kMax = "18446744073709551615";      // 2^64 - 1
constexpr const char* kHalf = "9223372036854775808";      // 2^63
constexpr const char* kHalfLess = "9223372036854775807";  // 2^63 - 1

std::string ProfileText(const std::string& id_hex, const std::vector<std::string>& edges) {
  std::string text = "# blobgraph-profile version=1 id=" + id_hex + " host=test created_ms=0\n";
  for (const std::string& edge : edges) text += edge + "\n";
  return text;
}

// A profile id of 32 hex digits made of `digit`.
std::string Id(char digit) { return std::string(32, digit); }

class OverflowCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    WriteFile("base.txt", ProfileText(Id('1'), {kA + " " + kB + " 1 100", kA + " " + kC + " 1 5"}));
    CommandResult merged = Run({"merge", "base.txt"});
    ASSERT_EQ(merged.exit_code, 0) << merged.err;
    before_ = Body(Run({"export", "--all", "--format", "text"}).out);
    ASSERT_THAT(before_, HasSubstr(kA + " " + kB + " 1 100"));
  }
  // A text export without its header line (which carries a fresh id).
  static std::string Body(const std::string& text_export) {
    return text_export.substr(text_export.find('\n') + 1);
  }
  void ExpectStoreUnchanged() {
    CommandResult after = Run({"export", "--all", "--format", "text"});
    ASSERT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(Body(after.out), before_);
  }
  // Writes the text profile `name`.txt and, through a scratch store, the
  // same profile as `name`.json and `name`.capnp; returns the three paths.
  std::vector<std::string> ProfileInEveryFormat(const std::string& name, const std::string& text) {
    std::vector<std::string> paths = {WriteFile(name + ".txt", text)};
    std::string scratch = dir() + "/" + name + "-scratch.db";
    CommandResult imported = Run({"import", "--text", paths[0], "--db", scratch});
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    for (const char* format : {"json", "capnp"}) {
      std::string path = dir() + "/" + name + "." + format;
      CommandResult exported =
          Run({"export", "--all", "--format", format, "-o", path, "--db", scratch});
      EXPECT_EQ(exported.exit_code, 0) << exported.err;
      paths.push_back(path);
    }
    return paths;
  }

  std::string before_;
};

TEST_F(OverflowCliTest, MergeThatWouldWrapAnEdgeIsRefusedNamingItInEveryFormat) {
  // 100 stored + (2^64 - 1) would wrap to 99.
  auto paths = ProfileInEveryFormat("huge", ProfileText(Id('2'), {kA + " " + kB + " 1 " + kMax}));
  for (const std::string& path : paths) {
    for (const char* command : {"merge", "import"}) {
      std::vector<std::string> args = {command, path};
      if (std::string(command) == "import") {
        args = {"import",
                path.ends_with(".json")    ? "--json"
                : path.ends_with(".capnp") ? "--capnp"
                                           : "--text",
                path};
      }
      CommandResult result = Run(args);
      EXPECT_NE(result.exit_code, 0) << path;
      EXPECT_THAT(result.err, HasSubstr(kA)) << path;
      EXPECT_THAT(result.err, HasSubstr(kB)) << path;
      EXPECT_THAT(result.err, HasSubstr("2^64 - 1")) << path;
      EXPECT_THAT(result.err, HasSubstr("nothing of this update was applied")) << path;
      ExpectStoreUnchanged();
    }
  }
}

TEST_F(OverflowCliTest, CallerRowTotalThatWouldWrapIsRefused) {
  // Each edge fits, their sum over caller kA does not: 100 + 5 + (2^64 - 100).
  WriteFile("row.txt", ProfileText(Id('3'), {kA + " " + kC + " 1 18446744073709551516"}));
  CommandResult result = Run({"merge", "row.txt"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("caller " + kA));
  EXPECT_THAT(result.err, HasSubstr("dynamic counts would sum past 2^64 - 1"));
  ExpectStoreUnchanged();
}

TEST_F(OverflowCliTest, NodeTotalThatWouldWrapIsRefused) {
  // A second caller into kB: its edge fits, kB's incoming total would not.
  WriteFile("node.txt", ProfileText(Id('4'), {kC + " " + kB + " 0 18446744073709551600"}));
  CommandResult result = Run({"merge", "node.txt"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("function " + kB));
  EXPECT_THAT(result.err, HasSubstr("incoming dynamic count"));
  ExpectStoreUnchanged();
}

TEST_F(OverflowCliTest, FileWhoseOwnCountsOverflowIsRefusedNamingTheEntry) {
  // Caller kC's dynamic counts in one file: 2^63 + 1 + 2^63 wraps.
  WriteFile("self.txt", ProfileText(Id('6'), {kC + " " + kA + " 0 " + kHalf, kC + " " + kB + " 0 1",
                                              kC + " " + kB + " 0 " + kHalf}));
  CommandResult result = Run({"merge", "self.txt"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("self.txt"));
  EXPECT_THAT(result.err, HasSubstr("edge #3"));
  EXPECT_THAT(result.err, HasSubstr(kC + " -> " + kB));
  EXPECT_THAT(result.err, HasSubstr("within the file"));
  ExpectStoreUnchanged();
}

TEST_F(OverflowCliTest, JsonFileWhoseOwnCountsOverflowIsRefusedNamingTheEntry) {
  auto edge = [](const std::string& caller, const std::string& callee, const char* calls) {
    return "{\"caller\":\"" + caller + "\",\"callee\":\"" + callee +
           "\",\"staticCount\":\"0\",\"dynamicCount\":\"" + calls + "\"}";
  };
  WriteFile("self.json", "{\"format\":\"blobgraph-profile\",\"version\":1,\"id\":\"" + Id('8') +
                             "\",\"sourceHost\":\"h\",\"createdUnixMs\":\"0\",\"edges\":[" +
                             edge(kC, kA, kHalf) + "," + edge(kC, kB, kHalf) +
                             "],\"functions\":[]}");
  CommandResult result = Run({"merge", "self.json"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("self.json: edge #2 (" + kC + " -> " + kB + ")"));
  EXPECT_THAT(result.err, HasSubstr("within the file"));
  ExpectStoreUnchanged();
}

// Parses the probabilities of `callees --json`.
std::vector<double> Probabilities(const std::string& json) {
  std::vector<double> out;
  std::regex number("\"probability\":([0-9.eE+-]+)");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), number);
       it != std::sregex_iterator(); ++it) {
    out.push_back(std::stod((*it)[1]));
  }
  return out;
}

TEST_F(OverflowCliTest, HugeButValidCountsGiveProbabilitiesWithinZeroAndOne) {
  std::string db = dir() + "/huge.db";
  // kB: 2^63 - 1 + 2^63 = 2^64 - 1 exactly (fits); static counts too.
  WriteFile("valid.txt", ProfileText(Id('7'), {kB + " " + kA + " " + kHalfLess + " " + kHalf,
                                               kB + " " + kC + " " + kHalf + " " + kHalfLess}));
  CommandResult merged = Run({"merge", "valid.txt", "--db", db});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  CommandResult callees = Run({"callees", kB, "--json", "--db", db});
  ASSERT_EQ(callees.exit_code, 0) << callees.err;
  std::vector<double> p = Probabilities(callees.out);
  ASSERT_EQ(p.size(), 2u) << callees.out;
  double sum = 0;
  for (double value : p) {
    EXPECT_GE(value, 0.0);
    EXPECT_LE(value, 1.0);
    sum += value;
  }
  EXPECT_LE(sum, 1.0 + 1e-6);
  EXPECT_NEAR(p[0], 0.5, 1e-6);
  CommandResult verify = Run({"verify", "--db", db});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace blobgraph::tools::testing
