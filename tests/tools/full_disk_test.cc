// A real full disk under the real blobgraph executable: the store lives on
// a small tmpfs (mounted in a private user+mount namespace: unshare -rm, no
// root needed), filled but for a little room, then import (WriteBatch and
// SST-ingest paths), record, decay and merge run on it. Each must fail with
// an I/O error naming the store (no SIGABRT), and once space is freed the
// store must hold exactly what it held before the failed command — and
// take the same command then.
#include <fstream>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

// One scenario, run in one shell inside the namespace. Writes into dir():
// before.txt / after.txt (the store exported as text, minus the header line
// with its fresh profile id), failed.rc / failed.err (the command on the full
// disk), retried.rc / retried.err (the same command after freeing space).
struct FullDiskRun {
  int shell_exit = -1;
  int failed_rc = -1;
  std::string failed_err;
  int retried_rc = -1;
  std::string retried_err;
  std::string before, after, verify;
  std::string shell_err;
};

class FullDiskTest : public CliTest {
 protected:
  // `setup`: shell lines run first on the empty tmpfs ($B is blobgraph,
  // $D the store); `command`: blobgraph's arguments for the write under
  // test; `room_kb`: the space left free when it runs.
  FullDiskRun RunOnFullDisk(const std::string& setup, const std::string& command, int room_kb) {
    std::string script =
        "set -u\n"
        "B=" + std::string(BLOBGRAPH_EXE) + "\n"
        "D=mnt/db\n"
        "mkdir -p mnt && mount -t tmpfs -o size=8m tmpfs mnt || exit 90\n" +
        setup +
        "\nsnap() { \"$B\" export -q --db $D --format text -o snap.txt >/dev/null || exit 91;"
        " tail -n +2 snap.txt > \"$1\"; }\n"
        "snap before.txt\n"
        "dd if=/dev/zero of=mnt/room bs=1k count=" + std::to_string(room_kb) + " 2>/dev/null\n"
        "dd if=/dev/zero of=mnt/filler bs=4k 2>/dev/null\n"
        "rm mnt/room\n"
        "\"$B\" " + command + " -q --db $D >/dev/null 2>failed.err; echo $? > failed.rc\n"
        "rm mnt/filler\n"
        "snap after.txt\n"
        "\"$B\" verify --db $D > verify.txt 2>&1\n"
        "\"$B\" " + command + " -q --db $D >/dev/null 2>retried.err; echo $? > retried.rc\n";
    WriteFile("scenario.sh", script);
    CommandResult shell = Shell("unshare -rm sh scenario.sh");
    FullDiskRun run;
    run.shell_exit = shell.exit_code;
    run.shell_err = shell.err;
    auto number = [this](const std::string& name) {
      std::string text = ReadFile(dir() + "/" + name);
      return text.empty() ? -1 : std::stoi(text);
    };
    run.failed_rc = number("failed.rc");
    run.failed_err = ReadFile(dir() + "/failed.err");
    run.retried_rc = number("retried.rc");
    run.retried_err = ReadFile(dir() + "/retried.err");
    run.before = ReadFile(dir() + "/before.txt");
    run.after = ReadFile(dir() + "/after.txt");
    run.verify = ReadFile(dir() + "/verify.txt");
    return run;
  }

  // Dependency text of `lines` distinct call sites among `callers` callers.
  std::string WriteDeps(const std::string& name, uint64_t lines, uint64_t callers,
                        uint64_t seed) {
    std::ofstream out(dir() + "/" + name);
    char line[160];
    for (uint64_t i = 0; i < lines; ++i) {
      snprintf(line, sizeof(line), "%016llx%048llx %016llx%048llx\n",
               (unsigned long long)(seed + 1), (unsigned long long)(i % callers),
               (unsigned long long)(seed + 2), (unsigned long long)i);
      out << line;
    }
    return dir() + "/" + name;
  }

  void ExpectRefusedIntact(const FullDiskRun& run) {
    ASSERT_EQ(run.shell_exit, 0) << run.shell_err;
    // Non-zero and not a signal (134 was SIGABRT in RocksDB's LOG writer).
    EXPECT_EQ(run.failed_rc, 1) << run.failed_err;
    EXPECT_THAT(run.failed_err, ::testing::HasSubstr("No space left on device"));
    EXPECT_THAT(run.failed_err, ::testing::HasSubstr("mnt/db"));
    EXPECT_THAT(run.failed_err, ::testing::Not(::testing::HasSubstr("Assertion")));
    ASSERT_FALSE(run.before.empty());
    // Not EXPECT_EQ: the exports run to megabytes.
    EXPECT_TRUE(run.after == run.before)
        << "the failed command changed the store: export of " << run.before.size()
        << " bytes before, " << run.after.size() << " after";
    EXPECT_THAT(run.verify, ::testing::HasSubstr("mnt/db: ok"));
    EXPECT_EQ(run.retried_rc, 0) << run.retried_err;
  }
};

TEST_F(FullDiskTest, ImportByWriteBatchIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("more.txt", 2000, 300, 2);
  // The second import opens the store (flushing the first one's WAL) so the
  // WAL is empty when the disk fills: its write is what fails.
  FullDiskRun run = RunOnFullDisk(
      "\"$B\" import -q --text base.txt --db $D >/dev/null || exit 92\n"
      "\"$B\" import -q --text /dev/null --db $D >/dev/null || exit 93\n",
      "import --text more.txt", 96);
  ExpectRefusedIntact(run);
  EXPECT_THAT(run.failed_err, ::testing::HasSubstr(".log"));  // the WAL append
}

TEST_F(FullDiskTest, LargeImportBySstIngestionIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("large.txt", 120000, 4000, 3);  // past the 100k-entry ingest threshold
  FullDiskRun run = RunOnFullDisk(
      "\"$B\" import -q --text base.txt --db $D >/dev/null || exit 92\n"
      "\"$B\" import -q --text /dev/null --db $D >/dev/null || exit 93\n",
      "import --text large.txt", 96);
  ExpectRefusedIntact(run);
  EXPECT_THAT(run.failed_err, ::testing::HasSubstr("tmp-ingest"));  // the SST being written
}

TEST_F(FullDiskTest, RecordIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("trace.txt", 3000, 300, 1);  // a text trace: one call per line
  FullDiskRun run = RunOnFullDisk(
      "\"$B\" import -q --text base.txt --db $D >/dev/null || exit 92\n"
      "\"$B\" import -q --text /dev/null --db $D >/dev/null || exit 93\n",
      "record --trace trace.txt", 96);
  ExpectRefusedIntact(run);
}

TEST_F(FullDiskTest, RecoveryFlushAtOpenIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("trace.txt", 3000, 300, 1);
  // The import's writes are still in the WAL: the next open must flush
  // them into a table file, on a full disk.
  FullDiskRun run = RunOnFullDisk("\"$B\" import -q --text base.txt --db $D >/dev/null || exit 92\n",
                                  "record --trace trace.txt", 64);
  ExpectRefusedIntact(run);
  EXPECT_THAT(run.failed_err, ::testing::HasSubstr("opening store"));
}

TEST_F(FullDiskTest, DecayIsAnIoErrorAndChangesNothing) {
  // Large enough that the rewrite of every decayed row cannot fit.
  WriteDeps("base.txt", 20000, 3000, 1);
  WriteDeps("trace.txt", 20000, 3000, 1);
  FullDiskRun run = RunOnFullDisk(
      "\"$B\" import -q --text base.txt --db $D >/dev/null || exit 92\n"
      "\"$B\" record -q --trace trace.txt --db $D >/dev/null || exit 93\n"
      "\"$B\" import -q --text /dev/null --db $D >/dev/null || exit 94\n",
      "decay --factor 0.5", 96);
  ExpectRefusedIntact(run);
}

TEST_F(FullDiskTest, MergeIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("other.txt", 2000, 300, 5);
  FullDiskRun run = RunOnFullDisk(
      "\"$B\" import -q --text other.txt --db other.db >/dev/null || exit 92\n"
      "\"$B\" export -q --db other.db --format text -o profile.txt >/dev/null || exit 93\n"
      "\"$B\" import -q --text base.txt --db $D >/dev/null || exit 94\n"
      "\"$B\" import -q --text /dev/null --db $D >/dev/null || exit 95\n",
      "merge profile.txt", 96);
  ExpectRefusedIntact(run);
}

}  // namespace
}  // namespace blobgraph::tools::testing
