// export -> import/merge reproduces every count, for every profile format;
// merge refuses a profile twice; record accepts every trace form.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

class RoundTripTest : public CliTest {
 protected:
  // The email sample: static dependencies, names, and a recorded run.
  void ImportEmailSample() {
    ASSERT_EQ(Run({"import", "--text", "data/sample/email/static.txt", "--names",
                   "data/sample/email/names.tsv"})
                  .exit_code,
              0);
    std::string train = Gunzip("email", "train.bin");
    CommandResult record = Run({"record", "--trace", train});
    ASSERT_EQ(record.exit_code, 0) << record.err;
  }
  std::string Dump(const std::string& db_path) {
    CommandResult result = Run({"export", "--all", "--format", "text", "--db", db_path});
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
    CommandResult exported = Run({"export", "--all", "--format", format, "-o", file});
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

// The number after "key": in a stats --json line.
uint64_t StatsField(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return ~uint64_t{0};
  return std::stoull(json.substr(at + key.size() + 3));
}

TEST_F(RoundTripTest, MergeAddsCountsAndRefusesTheSameProfileTwice) {
  ImportEmailSample();
  std::string before = Run({"stats", "--json"}).out;
  uint64_t calls = StatsField(before, "dynamic_total");
  uint64_t call_sites = StatsField(before, "static_total");
  ASSERT_GT(calls, 0u);
  ASSERT_EQ(call_sites, 7357u);  // data/sample/email/static.txt
  ASSERT_EQ(Run({"export", "--all", "--format", "capnp", "-o", "farm.capnp"}).exit_code, 0);
  CommandResult first = Run({"merge", "farm.capnp"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  CommandResult stats = Run({"stats", "--json"});
  // Observed calls add up; call sites are facts of the callers' content
  // hashes, set once (not twice that).
  EXPECT_EQ(StatsField(stats.out, "dynamic_total"), 2 * calls);
  EXPECT_EQ(StatsField(stats.out, "static_total"), call_sites);
  EXPECT_THAT(stats.out, HasSubstr("\"profiles\":1"));
  CommandResult again = Run({"merge", "farm.capnp"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("farm.capnp"));
  EXPECT_EQ(StatsField(Run({"stats", "--json"}).out, "dynamic_total"), 2 * calls);
  CommandResult forced = Run({"merge", "farm.capnp", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  stats = Run({"stats", "--json"});
  EXPECT_EQ(StatsField(stats.out, "dynamic_total"), 3 * calls);
  EXPECT_EQ(StatsField(stats.out, "static_total"), call_sites);
}

TEST_F(RoundTripTest, MinCountLeavesOutRareEdges) {
  ImportEmailSample();
  CommandResult all = Run({"export", "--all", "--format", "text"});
  CommandResult frequent = Run({"export", "--all", "--format", "text", "--min-count", "1000"});
  ASSERT_EQ(frequent.exit_code, 0);
  EXPECT_LT(frequent.out.size(), all.out.size());
}

TEST_F(RoundTripTest, RecordAcceptsTextBinaryAndCapnpTracesAlike) {
  std::string a = HexOf(1), b = HexOf(2), c = HexOf(3);
  std::string zero(64, '0');
  WriteFile("trace.txt",
            zero + " " + a + "\n" + a + " " + b + "\n" + a + " " + c + "\n" + a + " " + b + "\n");
  // The same trace as 64-byte binary records.
  std::string binary;
  for (const auto& [caller, callee] :
       std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {1, 3}, {1, 2}}) {
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
