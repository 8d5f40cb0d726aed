// Bad input through the real executable: a clear one-line error naming the
// file, line, offset or hash, a non-zero exit, and the store unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "blobgraph/graph_store.h"
#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::string kA = HexOf(0xaa), kB = HexOf(0xbb);

class BadInputTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    WriteFile("good.txt", kA + " " + kB + "\n");
    ASSERT_EQ(Run({"import", "--text", "good.txt"}).exit_code, 0);
    before_ = Run({"export", "--all", "--format", "text"}).out;
    before_ = before_.substr(before_.find('\n'));  // drop the header (fresh id)
  }
  void ExpectStoreUnchanged() {
    std::string after = Run({"export", "--all", "--format", "text"}).out;
    EXPECT_EQ(after.substr(after.find('\n')), before_);
  }
  void ExpectOneLineError(const CommandResult& result) {
    EXPECT_NE(result.exit_code, 0);
    ASSERT_FALSE(result.err.empty());
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << result.err;
  }

 private:
  std::string before_;
};

TEST_F(BadInputTest, MalformedTextNamesFileAndLine) {
  WriteFile("bad.txt",
            kA + " " + kB + "\n" + kB + " " + kA + "\n" + kA + " " + kB.substr(0, 62) + "\n");
  CommandResult result = Run({"import", "--text", "bad.txt"});
  ExpectOneLineError(result);
  EXPECT_THAT(result.err, HasSubstr("bad.txt"));
  EXPECT_THAT(result.err, HasSubstr("line 3"));
  EXPECT_THAT(result.err, HasSubstr("62 hex digits, expected 64"));
  ExpectStoreUnchanged();
}

TEST_F(BadInputTest, BadCharacterInHashNamesIt) {
  std::string bad = kA;
  bad[5] = 'z';
  WriteFile("bad.txt", bad + " " + kB + "\n");
  CommandResult result = Run({"import", "--text", "bad.txt"});
  ExpectOneLineError(result);
  EXPECT_THAT(result.err, HasSubstr("'z' at position 5"));
  ExpectStoreUnchanged();
}

TEST_F(BadInputTest, TruncatedBinaryTraceNamesTheOffset) {
  std::string records(64 * 3 + 17, '\x01');
  WriteFile("trace.bin", records);
  CommandResult result = Run({"record", "--trace", "trace.bin", "--format", "binary"});
  ExpectOneLineError(result);
  EXPECT_THAT(result.err, HasSubstr("trace.bin"));
  EXPECT_THAT(result.err, HasSubstr("offset 192"));
  ExpectStoreUnchanged();
}

TEST_F(BadInputTest, GarbageCapnpFileIsRefused) {
  WriteFile("garbage.capnp", std::string(4096, '\x7f'));
  CommandResult result = Run({"import", "--capnp", "garbage.capnp"});
  ExpectOneLineError(result);
  EXPECT_THAT(result.err, HasSubstr("garbage.capnp"));
  CommandResult merge = Run({"merge", "garbage.capnp"});
  EXPECT_NE(merge.exit_code, 0);
  EXPECT_THAT(merge.err, HasSubstr("garbage.capnp"));
  ExpectStoreUnchanged();
}

TEST_F(BadInputTest, TruncatedProfileIsRefusedWhole) {
  ASSERT_EQ(Run({"export", "--all", "--format", "capnp", "-o", "full.capnp"}).exit_code, 0);
  std::string bytes = ReadFile(dir() + "/full.capnp");
  WriteFile("cut.capnp", bytes.substr(0, bytes.size() - 8));
  CommandResult result = Run({"merge", "cut.capnp"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("cut.capnp"));
  ExpectStoreUnchanged();
}

TEST_F(BadInputTest, MissingFileIsNamed) {
  CommandResult result = Run({"import", "--text", "nowhere.txt"});
  ExpectOneLineError(result);
  EXPECT_THAT(result.err, HasSubstr("nowhere.txt"));
}

TEST_F(BadInputTest, WrongLengthHashArgumentIsQuoted) {
  CommandResult result = Run({"callees", "abc123"});
  ExpectOneLineError(result);
  EXPECT_THAT(result.err, HasSubstr("'abc123'"));
  EXPECT_THAT(result.err, HasSubstr("6 hex digits, expected 64"));
}

TEST_F(BadInputTest, StoreInUseIsReportedAndReadersStillWork) {
  auto holder = GraphStore::Open(db());
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  CommandResult writer = Run({"import", "--text", "good.txt"});
  ExpectOneLineError(writer);
  EXPECT_THAT(writer.err, HasSubstr("in use"));
  CommandResult reader = Run({"stats", "--json"});
  EXPECT_EQ(reader.exit_code, 0) << reader.err;
  EXPECT_THAT(reader.out, HasSubstr("\"edges\":1"));
}

TEST_F(BadInputTest, CorruptStoreFileIsNamed) {
  // Compact so the edge lives in a table file, then damage that file.
  {
    auto store = GraphStore::Open(db());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->CompactAll().ok());
  }
  std::string table;
  for (const auto& entry : std::filesystem::directory_iterator(db())) {
    if (entry.path().extension() == ".sst") table = entry.path().string();
  }
  ASSERT_FALSE(table.empty());
  std::filesystem::resize_file(table, std::filesystem::file_size(table) / 2);
  CommandResult result = Run({"stats"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr(std::filesystem::path(table).filename().string()));
}

TEST_F(BadInputTest, FullDiskFailsTheImportAndKeepsTheStore) {
  // 100k distinct edges: far more than the 512 KiB any one file may grow to
  // below. `ulimit -f` makes every write past that fail with EFBIG, as a full
  // disk fails with ENOSPC; SIGXFSZ is ignored so the write returns an error.
  std::string big;
  for (int caller = 0; caller < 1000; ++caller) {
    char hex[65];
    std::snprintf(hex, sizeof(hex), "%064x", caller + 1);
    for (int callee = 0; callee < 100; ++callee) {
      char other[65];
      std::snprintf(other, sizeof(other), "%064x", 100000 + caller * 100 + callee);
      big += std::string(hex) + " " + other + "\n";
    }
  }
  WriteFile("big.txt", big);
  CommandResult result = Shell("trap '' XFSZ; ulimit -f 512; blobgraph import --text big.txt");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr(db())) << result.err;
  EXPECT_THAT(result.err, HasSubstr("File too large")) << result.err;
  ExpectStoreUnchanged();
  EXPECT_EQ(Run({"verify"}).exit_code, 0);
  // With room again, the same import succeeds.
  EXPECT_EQ(Run({"import", "--text", "big.txt"}).exit_code, 0);
}

TEST_F(BadInputTest, NotAStoreDirectoryIsRefused) {
  std::filesystem::create_directory(dir() + "/photos");
  WriteFile("photos/cat.jpg", "meow");
  CommandResult result = Run({"import", "--text", "good.txt", "--db", dir() + "/photos"});
  ExpectOneLineError(result);
  EXPECT_THAT(result.err, HasSubstr("photos"));
  EXPECT_EQ(ReadFile(dir() + "/photos/cat.jpg"), "meow");
}

}  // namespace
}  // namespace blobgraph::tools::testing
