// The runtime round trip against a real `blobgraph serve` process: pull the
// server's graph into a client store, record a run, export, push. The
// server changes by exactly the run's calls (and, where profiles carry
// them, its load statistics), round after round; pulling again replaces
// the previous pull. The whole scenario runs as one shell script of
// blobgraph commands.
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server_process_util.h"
#include "tools/json_test_util.h"

namespace blobgraph::server::testing {
namespace {

using ::testing::HasSubstr;

std::string Hex(char c) { return std::string(64, c); }
const std::string kA = Hex('a'), kB = Hex('b'), kC = Hex('c'), kD = Hex('d');
const std::string kRoot = Hex('0');

constexpr const char* kScenario = R"(set -u
cd "$WORK"
step() { name=$1; shift; "$@" > $name.out 2> $name.err; echo $? > $name.rc; }
"$B" import -q --text deps.txt --db srv.db > /dev/null || exit 91
"$B" record -q --trace farm.txt --db srv.db > /dev/null || exit 92
"$B" serve --db srv.db --listen 127.0.0.1:0 --port-file port 2> server.log &
server=$!
for i in $(seq 100); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || exit 95
A=127.0.0.1:$(cat port)
step s0 "$B" stats --server $A --json
for round in 1 2; do
  step pull$round "$B" pull --server $A --db client.db
  step rec$round "$B" record --trace run$round.txt --db client.db
  step exp$round "$B" export --db client.db --format text -o run$round.profile
  step push$round "$B" push --server $A run$round.profile
  step s$round "$B" stats --server $A --json
done
# Pulling twice equals pulling once; ageing between pulls keeps own counts.
step pull3 "$B" pull --server $A --db client.db
step dump3 "$B" export --db client.db --all --format text
step cstats3 "$B" stats --db client.db --json
step pull4 "$B" pull --server $A --db client.db
step dump4 "$B" export --db client.db --all --format text
step cstats4 "$B" stats --db client.db --json
step decay "$B" decay --db client.db --factor 0.5
step pull5 "$B" pull --server $A --db client.db
step dump5 "$B" export --db client.db --all --format text
step verify5 "$B" verify --db client.db
step own5 "$B" export --db client.db --format text
step s5 "$B" stats --server $A --json
kill -TERM $server
wait $server
echo $? > server.rc
)";

class RoundTripServerTest : public ::testing::Test {
 protected:
  struct Step {
    int rc = -1;
    std::string out, err;
  };
  Step Read(const std::string& name) const {
    Step step;
    std::string rc = Slurp(work_.File(name + ".rc"));
    step.rc = rc.empty() ? -1 : std::stoi(rc);
    step.out = Slurp(work_.File(name + ".out"));
    step.err = Slurp(work_.File(name + ".err"));
    return step;
  }
  void Write(const std::string& name, const std::string& content) const {
    std::ofstream(work_.File(name)) << content;
  }
  static std::string Calls(const std::string& caller, const std::string& callee, int n) {
    std::string lines;
    for (int i = 0; i < n; ++i) lines += caller + " " + callee + "\n";
    return lines;
  }
  TempDir work_;
};

TEST_F(RoundTripServerTest, EachRoundAddsExactlyItsOwnCallsAndPullingAgainRefreshes) {
  // Server: a -> b at 2 sites, a -> c at 1, b -> d at 1 (static 4); the
  // farm observed a -> b 5 times and b -> d twice (dynamic 7).
  Write("deps.txt", kA + " " + kB + "\n" + kA + " " + kB + "\n" + kA + " " + kC + "\n\n" + kB +
                        " " + kD + "\n");
  Write("farm.txt", kRoot + " " + kA + "\n" + Calls(kA, kB, 5) + Calls(kB, kD, 2));
  // Run 1: a -> c 3 times. Run 2: a -> c once and b -> d 4 times.
  Write("run1.txt", kRoot + " " + kA + "\n" + Calls(kA, kC, 3));
  Write("run2.txt",
        kRoot + " " + kA + "\n" + Calls(kA, kC, 1) + Calls(kA, kB, 0) + Calls(kB, kD, 4));
  Write("scenario.sh", kScenario);
  std::string command = "WORK='" + work_.path() + "' B='" + std::string(BLOBGRAPH_EXE) + "' sh '" +
                        work_.File("scenario.sh") + "' > '" + work_.File("scenario.log") + "' 2>&1";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "scenario exit " << status << ": " << Slurp(work_.File("scenario.log"))
      << Slurp(work_.File("server.log"));

  Step s0 = Read("s0");
  ASSERT_EQ(s0.rc, 0) << s0.err;
  EXPECT_EQ(JsonNumber(s0.out, "static_total"), 4u) << s0.out;
  EXPECT_EQ(JsonNumber(s0.out, "dynamic_total"), 7u) << s0.out;
  // The report's documented keys (README, "JSON reports"): the store's
  // counts under the same keys as a local `stats --json`, then the server's.
  tools::testing::JsonValue report = tools::testing::ParseJsonOrFail(s0.out);
  EXPECT_EQ(report.Keys(),
            (std::vector<std::string>{"server", "functions", "edges", "static_total",
                                      "dynamic_total", "bytes_on_disk", "runs", "profiles",
                                      "pushes_applied", "pushes_duplicate", "pushes_failed",
                                      "edges_applied", "connections_open", "uptime_ms"}));
  EXPECT_EQ(report["static_total"].AsUint(), 4u);
  // Profiles carry load statistics: each pushed run adds one run.
  uint64_t runs0 = JsonNumber(s0.out, "runs");

  // Round 1: the export is run 1's calls alone, not the pulled graph.
  for (const char* step : {"pull1", "rec1", "exp1", "push1", "s1"}) {
    ASSERT_EQ(Read(step).rc, 0) << step << ": " << Read(step).err;
  }
  std::string run1 = CanonicalLines(Slurp(work_.File("run1.profile")));
  EXPECT_THAT(run1, HasSubstr(kA + " " + kC + " 0 3\n"));
  EXPECT_THAT(run1, ::testing::Not(HasSubstr(kA + " " + kB)));  // pulled, not observed
  EXPECT_THAT(Read("push1").out, HasSubstr("1 edges applied"));
  Step s1 = Read("s1");
  EXPECT_EQ(JsonNumber(s1.out, "static_total"), 4u) << s1.out;
  EXPECT_EQ(JsonNumber(s1.out, "dynamic_total"), 10u) << s1.out;
  EXPECT_EQ(JsonNumber(s1.out, "edges"), 3u) << s1.out;
  EXPECT_EQ(JsonNumber(s1.out, "runs"), runs0 + 1) << s1.out;

  // Round 2: only its own 5 calls, though the client pulled round 1 back.
  for (const char* step : {"pull2", "rec2", "exp2", "push2", "s2"}) {
    ASSERT_EQ(Read(step).rc, 0) << step << ": " << Read(step).err;
  }
  std::string run2 = CanonicalLines(Slurp(work_.File("run2.profile")));
  EXPECT_THAT(run2, HasSubstr(kA + " " + kC + " 0 1\n"));
  EXPECT_THAT(run2, HasSubstr(kB + " " + kD + " 0 4\n"));
  EXPECT_THAT(run2, ::testing::Not(HasSubstr(kA + " " + kB)));
  Step s2 = Read("s2");
  EXPECT_EQ(JsonNumber(s2.out, "static_total"), 4u) << s2.out;
  EXPECT_EQ(JsonNumber(s2.out, "dynamic_total"), 15u) << s2.out;
  EXPECT_EQ(JsonNumber(s2.out, "runs"), runs0 + 2) << s2.out;

  // Pull twice = pull once: the same graph, the same totals.
  for (const char* step : {"pull3", "dump3", "cstats3", "pull4", "dump4", "cstats4"}) {
    ASSERT_EQ(Read(step).rc, 0) << step << ": " << Read(step).err;
  }
  EXPECT_EQ(CanonicalLines(Read("dump4").out), CanonicalLines(Read("dump3").out));
  std::string c3 = Read("cstats3").out, c4 = Read("cstats4").out;
  for (const char* key : {"functions", "edges", "static_total", "dynamic_total", "runs",
                          "unsent_edges", "pulled_edges"}) {
    EXPECT_EQ(JsonNumber(c4, key), JsonNumber(c3, key)) << key << "\n" << c3 << c4;
  }
  // The client holds the server's graph (15 calls) plus its own two runs
  // (8 calls, pushed already: nothing unsent).
  EXPECT_EQ(JsonNumber(c3, "dynamic_total"), 15u + 8u) << c3;
  EXPECT_EQ(JsonNumber(c3, "static_total"), 4u) << c3;
  EXPECT_EQ(JsonNumber(c3, "unsent_edges"), 0u) << c3;
  EXPECT_EQ(JsonNumber(c3, "pulled_edges"), 3u) << c3;

  // Decay, then pull: the pulled part aged with the graph and is replaced
  // whole; the client's own (aged) counts stay, nothing goes unsent, and
  // the server saw no push.
  for (const char* step : {"decay", "pull5", "dump5", "verify5", "own5", "s5"}) {
    ASSERT_EQ(Read(step).rc, 0) << step << ": " << Read(step).err << Read(step).out;
  }
  // Own counts a -> c 4, b -> d 4 halve to 2 and 2; the server's are
  // a -> b 5, a -> c 4, b -> d 6.
  std::string dump5 = CanonicalLines(Read("dump5").out);
  EXPECT_THAT(dump5, HasSubstr(kA + " " + kB + " 2 5\n"));
  EXPECT_THAT(dump5, HasSubstr(kA + " " + kC + " 1 6\n"));
  EXPECT_THAT(dump5, HasSubstr(kB + " " + kD + " 1 8\n"));
  for (const std::string& edge : {kA + " " + kB, kA + " " + kC, kB + " " + kD}) {
    EXPECT_THAT(Read("own5").out, ::testing::Not(HasSubstr(edge)));  // all sent before
  }
  EXPECT_EQ(JsonNumber(Read("s5").out, "dynamic_total"), 15u);
  EXPECT_EQ(Slurp(work_.File("server.rc")), "0\n") << Slurp(work_.File("server.log"));
}

}  // namespace
}  // namespace blobgraph::server::testing
