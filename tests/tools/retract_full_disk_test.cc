// `blobgraph retract` on a real full disk (a small tmpfs in a private
// user+mount namespace, unshare -rm): the retraction fails with an I/O
// error naming the store, the store keeps exactly what it held (the profile
// still merged, not retracted), and once space is freed the same command
// retracts it: the store then equals one that merged only the other profile.
#include <fstream>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RetractFullDiskTest : public CliTest {
 protected:
  // A text profile of `edges` edges between pseudo-random functions, each
  // caller its own (so a retraction rewrites many rows).
  void WriteProfile(const std::string& name, char id, uint64_t edges, uint64_t seed) {
    std::ofstream out(dir() + "/" + name);
    out << "# blobgraph-profile version=1 id=" << std::string(32, id)
        << " host=farm-1 created_ms=5\n";
    char line[200];
    for (uint64_t i = 0; i < edges; ++i) {
      snprintf(line, sizeof(line), "%016llx%048llx %016llx%048llx 0 %llu\n",
               (unsigned long long)seed, (unsigned long long)i, (unsigned long long)(i % 7 + 1),
               (unsigned long long)(i % 11), (unsigned long long)(1 + i % 5));
      out << line;
    }
  }
};

TEST_F(RetractFullDiskTest, FailsWithNothingChangedAndSucceedsOnceSpaceReturns) {
  WriteProfile("a.txt", 'a', 4000, 0xa1);
  WriteProfile("b.txt", 'b', 1000, 0xb2);
  std::string script =
      "set -u\n"
      "B=" +
      std::string(BLOBGRAPH_EXE) +
      "\n"
      "D=mnt/db\n"
      "snap() { \"$B\" export --all -q --db $1 --format text -o snap.txt >/dev/null || exit 91;"
      " tail -n +2 snap.txt | sort > \"$2\"; }\n"
      "\"$B\" merge --db only-b.db b.txt > /dev/null || exit 92\n"
      "snap only-b.db only-b.txt\n"
      "mkdir -p mnt && mount -t tmpfs -o size=8m tmpfs mnt || exit 90\n"
      "\"$B\" merge --db $D a.txt b.txt > /dev/null || exit 93\n"
      // Opening replays the last session's WAL into a table file: one
      // more open now, so the open on the full disk has nothing to replay.
      "\"$B\" import -q --text /dev/null --db $D > /dev/null || exit 94\n"
      "snap $D before.txt\n"
      "dd if=/dev/zero of=mnt/room bs=1k count=96 2>/dev/null\n"
      "dd if=/dev/zero of=mnt/filler bs=4k 2>/dev/null\n"
      "rm mnt/room\n"
      "\"$B\" retract --db $D a.txt > failed.out 2> failed.err; echo $? > failed.rc\n"
      "rm mnt/filler\n"
      "snap $D after.txt\n"
      "\"$B\" profiles --db $D --json > profiles.json\n"
      "\"$B\" verify --db $D > verify.txt 2>&1\n"
      "\"$B\" retract --db $D a.txt > retried.out 2> retried.err; echo $? > retried.rc\n"
      "snap $D retracted.txt\n";
  WriteFile("scenario.sh", script);
  CommandResult shell = Shell("unshare -rm sh scenario.sh");
  ASSERT_EQ(shell.exit_code, 0) << shell.err;

  EXPECT_EQ(ReadFile(dir() + "/failed.rc"), "1\n") << ReadFile(dir() + "/failed.err");
  std::string failed = ReadFile(dir() + "/failed.err");
  EXPECT_THAT(failed, HasSubstr("a.txt"));
  EXPECT_THAT(failed, HasSubstr("mnt/db"));
  EXPECT_THAT(failed, HasSubstr("No space left on device"));
  // Nothing changed: the same graph, the profile still merged.
  std::string before = ReadFile(dir() + "/before.txt");
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(ReadFile(dir() + "/after.txt"), before);
  EXPECT_THAT(ReadFile(dir() + "/profiles.json"), Not(HasSubstr("\"state\":\"retracted\"")));
  EXPECT_THAT(ReadFile(dir() + "/verify.txt"), HasSubstr("ok"));

  EXPECT_EQ(ReadFile(dir() + "/retried.rc"), "0\n") << ReadFile(dir() + "/retried.err");
  EXPECT_THAT(ReadFile(dir() + "/retried.out"), HasSubstr("retracted a.txt"));
  EXPECT_EQ(ReadFile(dir() + "/retracted.txt"), ReadFile(dir() + "/only-b.txt"));
}

}  // namespace
}  // namespace blobgraph::tools::testing
