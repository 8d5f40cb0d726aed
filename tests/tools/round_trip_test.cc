// export -> import/merge reproduces every count, for every profile format;
// merge refuses a profile twice; record accepts every trace form.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

// The edge and function lines of a text export, sorted: a canonical dump of
// the graph's counts and names (the header line carries a fresh id).
std::string CanonicalDump(const std::string& text_export) {
  std::istringstream in(text_export);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

class RoundTripTest : public CliTest {
 protected:
  // The email sample: static dependencies, names, and a recorded run.
  void ImportEmailSample() {
    ASSERT_EQ(Run({"import", "--text", "data/sample/email/static.txt", "--names",
                   "data/sample/email/names.tsv"}).exit_code, 0);
    std::string train = Gunzip("email", "train.bin");
    CommandResult record = Run({"record", "--trace", train});
    ASSERT_EQ(record.exit_code, 0) << record.err;
  }
  std::string Dump(const std::string& db_path) {
    CommandResult result = Run({"export", "--format", "text", "--db", db_path});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return CanonicalDump(result.out);
  }
};

TEST_F(RoundTripTest, EveryFormatReimportsToTheSameCounts) {
  ImportEmailSample();
  std::string original = Dump(db());
  ASSERT_THAT(original, HasSubstr("fn "));
  for (const char* format : {"capnp", "text", "json"}) {
    std::string file = std::string("profile.") + format;
    CommandResult exported = Run({"export", "--format", format, "-o", file});
    ASSERT_EQ(exported.exit_code, 0) << format << ": " << exported.err;
    std::string copy = dir() + "/copy-" + format + ".db";
    std::string flag = std::string("--") + format;
    CommandResult imported = Run({"import", flag, file, "--db", copy});
    ASSERT_EQ(imported.exit_code, 0) << format << ": " << imported.err;
    EXPECT_EQ(Dump(copy), original) << format;
    std::string merged_copy = dir() + "/merged-" + format + ".db";
    CommandResult merged = Run({"merge", file, "--db", merged_copy});
    ASSERT_EQ(merged.exit_code, 0) << format << ": " << merged.err;
    EXPECT_EQ(Dump(merged_copy), original) << format;
  }
}

TEST_F(RoundTripTest, MergeAddsCountsAndRefusesTheSameProfileTwice) {
  ImportEmailSample();
  ASSERT_EQ(Run({"export", "--format", "capnp", "-o", "farm.capnp"}).exit_code, 0);
  CommandResult first = Run({"merge", "farm.capnp"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  CommandResult stats = Run({"stats", "--json"});
  EXPECT_THAT(stats.out, HasSubstr("\"static_total\":14714"));  // 7357 call sites, twice
  EXPECT_THAT(stats.out, HasSubstr("\"profiles\":1"));
  CommandResult again = Run({"merge", "farm.capnp"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("farm.capnp"));
  EXPECT_THAT(Run({"stats", "--json"}).out, HasSubstr("\"static_total\":14714"));
  CommandResult forced = Run({"merge", "farm.capnp", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(Run({"stats", "--json"}).out, HasSubstr("\"static_total\":22071"));
}

TEST_F(RoundTripTest, MinCountLeavesOutRareEdges) {
  ImportEmailSample();
  CommandResult all = Run({"export", "--format", "text"});
  CommandResult frequent = Run({"export", "--format", "text", "--min-count", "1000"});
  ASSERT_EQ(frequent.exit_code, 0);
  EXPECT_LT(frequent.out.size(), all.out.size());
}

TEST_F(RoundTripTest, RecordAcceptsTextBinaryAndCapnpTracesAlike) {
  std::string a = HexOf(1), b = HexOf(2), c = HexOf(3);
  std::string zero(64, '0');
  WriteFile("trace.txt", zero + " " + a + "\n" + a + " " + b + "\n" + a + " " + c + "\n" + a +
                             " " + b + "\n");
  // The same trace as 64-byte binary records.
  std::string binary;
  for (const auto& [caller, callee] : std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {1, 3}, {1, 2}}) {
    binary += std::string(32, char(caller)) + std::string(32, char(callee));
  }
  WriteFile("trace.bin", binary);
  std::string dumps[2];
  int i = 0;
  for (const char* trace : {"trace.txt", "trace.bin"}) {
    std::string store = dir() + "/" + trace + ".db";
    CommandResult record = Run({"record", "--trace", trace, "--db", store});
    ASSERT_EQ(record.exit_code, 0) << record.err;
    dumps[i++] = Dump(store);
  }
  EXPECT_EQ(dumps[0], dumps[1]);
  EXPECT_THAT(dumps[0], HasSubstr(a + " " + b + " 0 2"));
  EXPECT_THAT(dumps[0], HasSubstr(a + " " + c + " 0 1"));
}

}  // namespace
}  // namespace blobgraph::tools::testing
