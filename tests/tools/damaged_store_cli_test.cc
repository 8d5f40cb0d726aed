// `blobgraph verify` and a write command on damaged stores, through the
// real executable: a truncated MANIFEST, a deleted table file, a WAL
// damaged before its end. verify lists the damage as a problem naming the
// file and exits 1; a write is refused and deletes nothing.
#include <filesystem>
#include <fstream>
#include <set>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DamagedStoreCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    std::string deps;
    for (int i = 0; i < 500; ++i) {
      char line[160];
      snprintf(line, sizeof(line), "%064x %064x\n", 1000 + i % 40, 5000 + i);
      deps += line;
    }
    WriteFile("deps.txt", deps);
    ASSERT_EQ(Run({"import", "-q", "--text", "deps.txt"}).exit_code, 0);
    // A second session flushes the first one's WAL into table files.
    ASSERT_EQ(Run({"record", "-q", "--trace", "deps.txt"}).exit_code, 0);
  }

  std::set<std::string> TableFiles() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(db())) {
      if (entry.path().extension() == ".sst") names.insert(entry.path().filename());
    }
    return names;
  }

  // verify (text and JSON) reports `file` in a problem; a write is refused.
  void ExpectReported(const std::string& file) {
    std::set<std::string> tables = TableFiles();
    CommandResult verify = Run({"verify"});
    EXPECT_EQ(verify.exit_code, 1) << verify.err;
    EXPECT_THAT(verify.out, HasSubstr("problem: "));
    EXPECT_THAT(verify.out, HasSubstr(file));
    EXPECT_THAT(verify.out, HasSubstr("1 problems"));
    CommandResult json = Run({"verify", "--json"});
    EXPECT_EQ(json.exit_code, 1);
    EXPECT_THAT(json.out, HasSubstr("\"ok\":false"));
    EXPECT_THAT(json.out, HasSubstr(file));
    CommandResult write = Run({"import", "-q", "--text", "deps.txt"});
    EXPECT_EQ(write.exit_code, 1);
    EXPECT_THAT(write.err, HasSubstr(file));
    EXPECT_EQ(TableFiles(), tables) << "a refused open deleted table files";
  }
};

TEST_F(DamagedStoreCliTest, TruncatedManifestIsAProblemNamingIt) {
  std::ifstream current(db() + "/CURRENT");
  std::string manifest;
  std::getline(current, manifest);
  fs::resize_file(db() + "/" + manifest, fs::file_size(db() + "/" + manifest) / 3);
  ExpectReported(manifest);
}

TEST_F(DamagedStoreCliTest, DeletedTableFileIsAProblemNamingIt) {
  std::set<std::string> tables = TableFiles();
  ASSERT_FALSE(tables.empty());
  fs::remove(db() + "/" + *tables.rbegin());
  ExpectReported(*tables.rbegin());
}

TEST_F(DamagedStoreCliTest, WalDamagedBeforeItsEndIsAProblemNamingIt) {
  std::string wal;
  for (const auto& entry : fs::directory_iterator(db())) {
    if (entry.path().extension() == ".log" && entry.file_size() > 0) wal = entry.path().filename();
  }
  ASSERT_FALSE(wal.empty());
  {
    std::fstream file(db() + "/" + wal, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(40);  // inside the first record, far from the last
    file.put('\x5a');
  }
  ExpectReported(wal);
}

}  // namespace
}  // namespace blobgraph::tools::testing
