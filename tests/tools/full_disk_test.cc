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
        "B=" +
        std::string(BLOBGRAPH_EXE) +
        "\n"
        "D=mnt/db\n"
        "mkdir -p mnt && mount -t tmpfs -o size=16m tmpfs mnt || exit 90\n" +
        setup +
        "\nsnap() { \"$B\" export --all -q --db $D --format text -o snap.txt >/dev/null || exit 91;"
        " tail -n +2 snap.txt > \"$1\"; }\n"
        "snap before.txt\n"
        "dd if=/dev/zero of=mnt/room bs=1k count=" +
        std::to_string(room_kb) +
        " 2>/dev/null\n"
        "dd if=/dev/zero of=mnt/filler bs=4k 2>/dev/null\n"
        "rm mnt/room\n"
        "\"$B\" " +
        command +
        " -q --db $D >/dev/null 2>failed.err; echo $? > failed.rc\n"
        "rm mnt/filler\n"
        "snap after.txt\n"
        "\"$B\" verify --db $D > verify.txt 2>&1\n"
        "\"$B\" " +
        command + " -q --db $D >/dev/null 2>retried.err; echo $? > retried.rc\n";
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
  std::string WriteDeps(const std::string& name, uint64_t lines, uint64_t callers, uint64_t seed) {
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

  // A text trace of `lines` calls between pseudo-random hashes (little for
  // compression to win, so its table files are large).
  void WriteRandomTrace(const std::string& name, uint64_t lines, uint64_t seed) {
    std::ofstream out(dir() + "/" + name);
    uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
    auto next = [&state] {  // splitmix64
      uint64_t z = (state += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      return z ^ (z >> 31);
    };
    char line[160];
    for (uint64_t i = 0; i < lines; ++i) {
      uint64_t a = next(), b = next(), c = next(), d = next();
      snprintf(line, sizeof(line), "%016llx%016llx%016llx%016llx %016llx%016llx%016llx%016llx\n",
               (unsigned long long)(seed + 1), (unsigned long long)(i % 500), (unsigned long long)a,
               (unsigned long long)b, (unsigned long long)c, (unsigned long long)d,
               (unsigned long long)(a ^ d), (unsigned long long)i);
      out << line;
    }
  }

  void ExpectRefusedIntact(const FullDiskRun& run) {
    ASSERT_EQ(run.shell_exit, 0) << run.shell_err;
    // Non-zero and not a signal (134 was SIGABRT in RocksDB's LOG writer).
    EXPECT_EQ(run.failed_rc, 1) << run.failed_err;
    EXPECT_THAT(run.failed_err, ::testing::HasSubstr("No space left on device"));
    EXPECT_THAT(run.failed_err, ::testing::HasSubstr("mnt/db"));
    EXPECT_THAT(run.failed_err, ::testing::Not(::testing::HasSubstr("Assertion")));
    // Under ASan/UBSan (CI) a report would otherwise hide behind the expected exit 1.
    EXPECT_THAT(run.failed_err, ::testing::Not(::testing::HasSubstr("Sanitizer")));
    EXPECT_THAT(run.failed_err, ::testing::Not(::testing::HasSubstr("runtime error")));
    ASSERT_FALSE(run.before.empty());
    // Not EXPECT_EQ: the exports run to megabytes.
    EXPECT_TRUE(run.after == run.before)
        << "the failed command changed the store: export of " << run.before.size()
        << " bytes before, " << run.after.size() << " after";
    EXPECT_THAT(run.verify, ::testing::HasSubstr("mnt/db: ok"));
    EXPECT_EQ(run.retried_rc, 0) << run.retried_err;
  }
};

// Setup commands for RunOnFullDisk: base.txt imported into the store, then
// an empty import whose open flushes that import's WAL into a table file.
constexpr const char* kSeedWithBase =
    "\"$B\" import -q --text base.txt --db $D >/dev/null || exit 92\n"
    "\"$B\" import -q --text /dev/null --db $D >/dev/null || exit 93\n";

TEST_F(FullDiskTest, ImportByWriteBatchIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("more.txt", 2000, 300, 2);
  // The second import opens the store (flushing the first one's WAL) so the
  // WAL is empty when the disk fills: its write is what fails.
  FullDiskRun run = RunOnFullDisk(kSeedWithBase, "import --text more.txt", 96);
  ExpectRefusedIntact(run);
  EXPECT_THAT(run.failed_err, ::testing::HasSubstr(".log"));  // the WAL append
}

TEST_F(FullDiskTest, LargeImportBySstIngestionIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("large.txt", 120000, 4000, 3);  // past the 100k-entry ingest threshold
  FullDiskRun run = RunOnFullDisk(kSeedWithBase, "import --text large.txt", 96);
  ExpectRefusedIntact(run);
  EXPECT_THAT(run.failed_err, ::testing::HasSubstr("tmp-ingest"));  // the SST being written
}

TEST_F(FullDiskTest, RecordIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("trace.txt", 3000, 300, 1);  // a text trace: one call per line
  FullDiskRun run = RunOnFullDisk(kSeedWithBase, "record --trace trace.txt", 96);
  ExpectRefusedIntact(run);
}

TEST_F(FullDiskTest, RecoveryFlushAtOpenIsAnIoErrorAndChangesNothing) {
  WriteDeps("base.txt", 2000, 300, 1);
  WriteDeps("trace.txt", 3000, 300, 1);
  // The import's writes are still in the WAL: the next open must flush
  // them into a table file, on a full disk.
  FullDiskRun run =
      RunOnFullDisk("\"$B\" import -q --text base.txt --db $D >/dev/null || exit 92\n",
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
      "\"$B\" export --all -q --db other.db --format text -o profile.txt >/dev/null || exit 93\n"
      "\"$B\" import -q --text base.txt --db $D >/dev/null || exit 94\n"
      "\"$B\" import -q --text /dev/null --db $D >/dev/null || exit 95\n",
      "merge profile.txt", 96);
  ExpectRefusedIntact(run);
}

// A background compaction that cannot write its output: RocksDB stops
// compacting (a background error) and nothing is lost; once space is back
// the store compacts and holds exactly what it held. `blobgraph serve`
// keeps the store open until the compaction has failed (a short command
// would close it first, and RocksDB drops a compaction cut by shutdown).
TEST_F(FullDiskTest, CompactionOnAFullDiskLosesNothing) {
  // Three large, barely compressible traces make three large L0 files; the
  // small one's flush at the server's open makes a fourth, which triggers a
  // compaction whose output cannot fit in what is left.
  for (int k = 0; k < 3; ++k) WriteRandomTrace("t" + std::to_string(k) + ".txt", 6000, k);
  WriteRandomTrace("small.txt", 200, 9);
  std::string script =
      "set -u\nB=" + std::string(BLOBGRAPH_EXE) +
      "\n"
      "mkdir -p mnt && mount -t tmpfs -o size=16m tmpfs mnt || exit 90\n"
      "for t in t0 t1 t2 small; do"
      " \"$B\" record -q --trace $t.txt --db mnt/db >/dev/null || exit 92; done\n"
      "snap() { \"$B\" export --all -q --db mnt/db --format text -o snap.txt >/dev/null || exit 91;"
      " tail -n +2 snap.txt > \"$1\"; }\n"
      "snap before.txt\n"
      "dd if=/dev/zero of=mnt/room bs=1k count=200 2>/dev/null\n"
      "dd if=/dev/zero of=mnt/filler bs=4k 2>/dev/null\n"
      "rm mnt/room\n"
      "\"$B\" serve --db mnt/db --listen 127.0.0.1:0 --port-file port 2>server.log &\n"
      "server=$!\n"
      "for i in $(seq 100); do grep -q 'Compaction error' mnt/db/LOG 2>/dev/null && break;"
      " sleep 0.1; done\n"
      "cp mnt/db/LOG full.LOG\n"
      "kill -TERM $server; wait $server; echo $? > server.rc\n"
      "rm mnt/filler\n"
      "\"$B\" import -q --text /dev/null --db mnt/db >/dev/null 2>reopen.err || exit 95\n"
      "snap after.txt\n"
      "\"$B\" verify --db mnt/db > verify.txt 2>&1\n";
  WriteFile("compaction.sh", script);
  CommandResult shell = Shell("unshare -rm sh compaction.sh");
  ASSERT_EQ(shell.exit_code, 0) << shell.err << ReadFile(dir() + "/reopen.err");
  EXPECT_THAT(ReadFile(dir() + "/full.LOG"),
              ::testing::HasSubstr("Compaction error: IO error: No space left on device"));
  EXPECT_EQ(ReadFile(dir() + "/server.rc"), "0\n") << ReadFile(dir() + "/server.log");
  std::string before = ReadFile(dir() + "/before.txt"), after = ReadFile(dir() + "/after.txt");
  ASSERT_FALSE(before.empty());
  EXPECT_TRUE(after == before) << "export of " << after.size() << " bytes, expected "
                               << before.size();
  EXPECT_THAT(ReadFile(dir() + "/verify.txt"), ::testing::HasSubstr("mnt/db: ok"));
}

}  // namespace
}  // namespace blobgraph::tools::testing
