// A real `blobgraph serve` process whose store fills its disk: a small
// tmpfs in a private user+mount namespace (unshare -rm, no root needed),
// the whole scenario in one shell inside it. A push on the full disk is
// refused with a clear message (to the client and in the server's log),
// reads are still answered, and once space is freed the next push of the
// same profile is acknowledged and applied exactly once — no restart.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server_process_util.h"

namespace blobgraph::server::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kScenario = R"(set -u
cd "$WORK"
step() { name=$1; shift; "$@" > $name.out 2> $name.err; echo $? > $name.rc; }
"$B" import -q --text deps1.txt --db src1.db > /dev/null || exit 91
"$B" import -q --text deps2.txt --db src2.db > /dev/null || exit 92
"$B" export -q --db src1.db --format text -o p1.txt > /dev/null || exit 93
"$B" export -q --db src2.db --format text -o p2.txt > /dev/null || exit 94
mkdir -p mnt && mount -t tmpfs -o size=8m tmpfs mnt || exit 90
"$B" serve --db mnt/db --listen 127.0.0.1:0 --port-file port 2> server.log &
server=$!
for i in $(seq 100); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || exit 95
A=127.0.0.1:$(cat port)
step push1 "$B" push --server $A p1.txt
dd if=/dev/zero of=mnt/room bs=1k count=96 2> /dev/null
dd if=/dev/zero of=mnt/filler bs=4k 2> /dev/null
rm mnt/room
step full_push "$B" push --server $A p2.txt
step full_push_again "$B" push --server $A p2.txt
step full_stats "$B" stats --server $A --json
step full_pull "$B" pull --server $A -o pulled.txt
rm mnt/filler
step push2 "$B" push --server $A p2.txt
step push2_repeat "$B" push --server $A p2.txt
kill -TERM $server
wait $server
echo $? > server.rc
step final_stats "$B" stats --db mnt/db --json
)";

class FullDiskServerTest : public ::testing::Test {
 protected:
  ScenarioStep Read(const std::string& name) const { return ReadScenarioStep(work_, name); }
  void WriteDeps(const std::string& name, uint64_t lines, uint64_t seed) const {
    std::ofstream out(work_.File(name));
    char line[160];
    for (uint64_t i = 0; i < lines; ++i) {
      snprintf(line, sizeof(line), "%016llx%048llx %016llx%048llx\n", (unsigned long long)seed,
               (unsigned long long)(i % 300), (unsigned long long)(seed + 1),
               (unsigned long long)i);
      out << line;
    }
  }
  TempDir work_;
};

TEST_F(FullDiskServerTest, RefusesPushesWhileFullServesReadsAndAcceptsOnceSpaceReturns) {
  WriteDeps("deps1.txt", 2000, 10);
  WriteDeps("deps2.txt", 2000, 20);
  std::ofstream(work_.File("scenario.sh")) << kScenario;
  std::string command = "WORK='" + work_.path() + "' B='" + std::string(BLOBGRAPH_EXE) +
                        "' unshare -rm sh '" + work_.File("scenario.sh") + "' > '" +
                        work_.File("scenario.log") + "' 2>&1";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "scenario exit " << status << ": " << Slurp(work_.File("scenario.log"))
      << Slurp(work_.File("server.log"));
  std::string log = Slurp(work_.File("server.log"));

  ScenarioStep push1 = Read("push1");
  ASSERT_EQ(push1.rc, 0) << push1.err;
  EXPECT_THAT(push1.out, HasSubstr("2000 edges applied"));

  for (const char* name : {"full_push", "full_push_again"}) {
    ScenarioStep refused = Read(name);
    EXPECT_EQ(refused.rc, 1) << name;
    EXPECT_THAT(refused.err, HasSubstr("refused: the server's store has no space left on device"))
        << name;
    EXPECT_THAT(refused.err, HasSubstr("nothing of this push was applied")) << name;
    EXPECT_THAT(refused.err, HasSubstr("mnt/db")) << name;
  }
  EXPECT_THAT(log, HasSubstr("refused: the server's store has no space left on device"));
  EXPECT_THAT(log, Not(HasSubstr("Assertion")));
  EXPECT_THAT(log, Not(HasSubstr("Sanitizer")));
  EXPECT_THAT(log, Not(HasSubstr("runtime error")));

  // Reads go on while the disk is full.
  ScenarioStep stats = Read("full_stats");
  ASSERT_EQ(stats.rc, 0) << stats.err;
  EXPECT_EQ(JsonNumber(stats.out, "edges"), 2000u) << stats.out;
  ScenarioStep pull = Read("full_pull");
  ASSERT_EQ(pull.rc, 0) << pull.err;
  EXPECT_THAT(pull.out, HasSubstr("pulled 2000 edges"));

  // Space is back: the same profile goes in, once.
  ScenarioStep push2 = Read("push2");
  ASSERT_EQ(push2.rc, 0) << push2.err << log;
  EXPECT_THAT(push2.out, HasSubstr("2000 edges applied"));
  ScenarioStep repeat = Read("push2_repeat");
  ASSERT_EQ(repeat.rc, 0) << repeat.err;
  EXPECT_THAT(repeat.out, HasSubstr("already applied"));

  EXPECT_EQ(Slurp(work_.File("server.rc")), "0\n") << log;
  ScenarioStep final_stats = Read("final_stats");
  ASSERT_EQ(final_stats.rc, 0) << final_stats.err;
  EXPECT_EQ(JsonNumber(final_stats.out, "edges"), 4000u) << final_stats.out;
  EXPECT_EQ(JsonNumber(final_stats.out, "static_total"), 4000u) << final_stats.out;
  EXPECT_EQ(JsonNumber(final_stats.out, "profiles"), 2u) << final_stats.out;
}

}  // namespace
}  // namespace blobgraph::server::testing
