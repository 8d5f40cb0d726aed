// Every output of the real executable fails loudly and leaves nothing half
// written: a file output on a full disk (a real, full tmpfs) exits non-zero
// with the I/O error, leaves no partial or temporary file and keeps a
// previous file at that path byte for byte; stdout on /dev/full is an error
// exit too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OutputPathsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(Run({"import", "--text", "data/sample/difflib/static.txt", "--names",
                   "data/sample/difflib/names.tsv"})
                  .exit_code,
              0);
    ASSERT_EQ(Run({"record", "--trace", "data/sample/difflib/train.bin.gz"}).exit_code, 0);
  }

  // Runs `body` in a private mount namespace with a 8 MiB tmpfs on
  // dir()/full that already holds `full/out` ("previous\n") and is then
  // filled to the last page. The scenario prints "rc=N" for the command.
  CommandResult OnFullDisk(const std::string& command) const {
    std::string full = dir() + "/full";
    std::string script =
        "mkdir -p " + full + " && mount -t tmpfs -o size=8m tmpfs " + full +
        " && printf \"previous\\n\" > " + full + "/out && (dd if=/dev/zero of=" + full +
        "/fill bs=4k 2>/dev/null; true) && " + command + "; echo rc=$?; ls -a " + full +
        "; echo contents=$(cat " + full + "/out)" +
        // With the filler gone the same command succeeds.
        "; rm " + full + "/fill && " + command + " >/dev/null && echo freed-ok; ls -a " + full;
    return Shell("unshare -rm sh -c '" + script + "'");
  }

  void ExpectRefusedOnFullDisk(const std::string& command) {
    CommandResult result = OnFullDisk(command);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("rc=1\n")) << command;
    EXPECT_THAT(result.err, HasSubstr(dir() + "/full/out: ")) << command;
    EXPECT_THAT(result.err, HasSubstr("No space left on device")) << command;
    EXPECT_THAT(result.err, Not(HasSubstr("terminate"))) << command;
    // Only the old file and the filler: no partial file, no temporary.
    EXPECT_THAT(result.out, HasSubstr("rc=1\n.\n..\nfill\nout\ncontents=previous\n")) << command;
    // Space freed: the same command works and leaves only its file.
    EXPECT_THAT(result.out, HasSubstr("freed-ok\n.\n..\nout\n")) << command;
  }
};

TEST_F(OutputPathsTest, ExportToAFullDiskLeavesThePreviousFileIntact) {
  for (const char* format : {"text", "capnp", "json"}) {
    ExpectRefusedOnFullDisk(std::string("blobgraph export --all --format ") + format + " -o " +
                            dir() + "/full/out");
  }
}

TEST_F(OutputPathsTest, ExportedFileIsCompleteAfterSpaceIsFreed) {
  std::string full = dir() + "/full";
  CommandResult result =
      Shell("unshare -rm sh -c 'mkdir -p " + full + " && mount -t tmpfs -o size=8m tmpfs " + full +
            " && blobgraph export --all --format capnp -o " + full +
            "/p.capnp && blobgraph merge --db=" + dir() + "/copy.db " + full + "/p.capnp'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("merged " + full + "/p.capnp"));
}

TEST_F(OutputPathsTest, ReplayDecisionsToAFullDisk) {
  ExpectRefusedOnFullDisk("blobgraph replay --trace data/sample/difflib/test.bin.gz --decisions " +
                          dir() + "/full/out");
}

TEST_F(OutputPathsTest, AMissingDirectoryIsAnErrorNamingThePath) {
  CommandResult result =
      Run({"export", "--all", "--format", "text", "-o", dir() + "/no/such/dir/p.txt"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr(dir() + "/no/such/dir/p.txt: cannot create: "));
}

TEST_F(OutputPathsTest, StdoutOnAFullDeviceIsAnErrorExit) {
  std::string hash = "0000000000000000000000000000000000000000000000000000000000000000";
  CommandResult first = Run({"stats", "--json"});
  ASSERT_EQ(first.exit_code, 0);
  size_t at = first.out.find("\"hash\":\"");
  ASSERT_NE(at, std::string::npos);
  hash = first.out.substr(at + 8, 64);
  for (const std::string& command :
       {std::string("stats"), std::string("stats --json"), "callees " + hash, "show " + hash,
        std::string("export --all --format text -o -"), std::string("export --all --format capnp"),
        std::string("export --all --format json -o -")}) {
    CommandResult result = Shell("blobgraph " + command + " > /dev/full");
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_THAT(result.err, HasSubstr("<stdout>: write failed: No space left on device"))
        << command;
    EXPECT_THAT(result.err, Not(HasSubstr("terminate"))) << command;
    // And the same command to a working stdout is fine.
    EXPECT_EQ(Shell("blobgraph " + command + " > /dev/null").exit_code, 0) << command;
  }
}

}  // namespace
}  // namespace blobgraph::tools::testing
