// A malformed stored record (planted with raw RocksDB) through the real
// executable: every command that reads it fails with a Corruption naming the
// column family and the key in hex, exits non-zero, and none crashes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "tools/cli_test_util.h"
#include "tools/raw_store_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::string kA = HexOf(0xa1), kB = HexOf(0xb2), kC = HexOf(0xc3);

class CorruptRowTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    WriteFile("deps.txt", kA + " " + kB + "\n" + kA + " " + kC + "\n" + kB + " " + kC + "\n");
    ASSERT_EQ(Run({"import", "--text", "deps.txt"}).exit_code, 0);
    std::string trace = Gunzip("email", "train.bin");
    CommandResult recorded = Run({"record", "--trace", trace});
    ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  }

  // Runs `args` and expects a clean failure naming `family` key `key_hex`.
  void ExpectCorruption(const std::vector<std::string>& args, const std::string& family,
                        const std::string& key_hex) {
    CommandResult result = Run(args);
    std::string what = args[0] + ": ";
    // Not killed by a signal (the shell reports 128 + signal).
    EXPECT_LT(result.exit_code, 128) << what << result.err;
    EXPECT_NE(result.exit_code, 0) << what << result.out;
    EXPECT_THAT(result.out + result.err, HasSubstr(family + " key " + key_hex)) << what;
    EXPECT_THAT(result.out + result.err, HasSubstr("corrupt")) << what;
  }
};

// One entry announced, a whole callee hash, then a varint cut short.
std::string TruncatedRow() { return std::string("\x01", 1) + HashBytes(kC) + "\x80\x80"; }
// A well-formed entry followed by bytes that belong to nothing.
std::string RowWithTrailingBytes() {
  return std::string("\x01", 1) + HashBytes(kC) + std::string("\x01\x01", 2) + "junk";
}

TEST_F(CorruptRowTest, MalformedEdgeRowFailsEveryReaderNamingTheKey) {
  for (const std::string& row : {TruncatedRow(), RowWithTrailingBytes()}) {
    PutRawRecord(db(), "edges", HashBytes(kA), row);
    ExpectCorruption({"callees", kA}, "edges", kA);
    ExpectCorruption({"prefetch", kB}, "edges", kA);
    ExpectCorruption({"export", "--all", "--format", "text"}, "edges", kA);
    ExpectCorruption({"export", "--all", "--format", "capnp", "-o", dir() + "/out.capnp"}, "edges",
                     kA);
    ExpectCorruption({"stats"}, "edges", kA);
    ExpectCorruption({"stats", "--json"}, "edges", kA);
    ExpectCorruption({"verify"}, "edges", kA);
    ExpectCorruption({"decay", "--factor", "0.5"}, "edges", kA);
    // A write to that caller reads the row first, and refuses.
    WriteFile("more.txt", kA + " " + kB + "\n");
    ExpectCorruption({"import", "--kind", "dynamic", "--text", "more.txt"}, "edges", kA);
  }
}

TEST_F(CorruptRowTest, KeyOfTheWrongLengthFailsScansNamingIt) {
  PutRawRecord(db(), "edges", "short", TruncatedRow());
  const std::string key_hex = "73686f7274";  // "short"
  ExpectCorruption({"export", "--all", "--format", "text"}, "edges", key_hex);
  ExpectCorruption({"stats"}, "edges", key_hex);
  ExpectCorruption({"verify"}, "edges", key_hex);
  ExpectCorruption({"prefetch", kA}, "edges", key_hex);
}

TEST_F(CorruptRowTest, MalformedNodeRecordFailsItsReaders) {
  PutRawRecord(db(), "nodes", HashBytes(kC), "\xff");  // a varint cut short
  ExpectCorruption({"stats"}, "nodes", kC);
  ExpectCorruption({"verify"}, "nodes", kC);
  ExpectCorruption({"export", "--all", "--format", "text"}, "nodes", kC);
}

TEST_F(CorruptRowTest, MalformedLoadRecordFailsItsReaders) {
  PutRawRecord(db(), "loads", HashBytes(kB), std::string("\x01\x02\x03\x04", 4));  // 4 fields
  ExpectCorruption({"stats"}, "loads", kB);
  ExpectCorruption({"verify"}, "loads", kB);
  ExpectCorruption({"prefetch", kA}, "loads", kB);
  ExpectCorruption({"decay", "--factor", "0.5"}, "loads", kB);
}

}  // namespace
}  // namespace blobgraph::tools::testing
