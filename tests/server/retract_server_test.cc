// Retraction on a real `blobgraph serve` process through the real CLI:
// push A, push B, `push --retract A` leaves the server's store equal (stats
// and the exported graph) to a server that only ever got B; a second
// retraction, a wrong file for A's id and an id the server never merged
// change nothing; `profiles --server --json` lists both with their states.
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server_process_util.h"

namespace blobgraph::server::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Two farm machines running the same code (the email sample's call sites
// and names) on different inputs (its train and test traces): a.txt and
// b.capnp are what they export. Server S gets A and B, then A is retracted;
// server O only ever gets B.
constexpr const char* kScenario = R"(set -u
cd "$WORK"
step() { name=$1; shift; "$@" > $name.out 2> $name.err; echo $? > $name.rc; }
gzip -dc "$DATA/sample/email/train.bin.gz" > train.bin || exit 81
gzip -dc "$DATA/sample/email/test.bin.gz" > test.bin || exit 82
for m in a b; do
  "$B" import -q --db $m.db --text "$DATA/sample/email/static.txt" \
      --names "$DATA/sample/email/names.tsv" > /dev/null || exit 83
done
"$B" record -q --db a.db --trace train.bin > /dev/null || exit 84
"$B" record -q --db b.db --trace test.bin > /dev/null || exit 85
"$B" export -q --db a.db --format text -o a.txt > /dev/null || exit 86
"$B" export -q --db b.db --format capnp -o b.capnp > /dev/null || exit 87
"$B" export -q --db a.db --format json -o never.json > /dev/null || exit 88
awk '!done && !/^#/ && !/^fn / && NF == 4 { $4 = $4 + 1; done = 1 } { print }' a.txt > forged.txt
"$B" serve --db s.db --listen 127.0.0.1:0 --port-file s.port 2> s.log &
s=$!
"$B" serve --db o.db --listen 127.0.0.1:0 --port-file o.port 2> o.log &
o=$!
for i in $(seq 300); do [ -s s.port ] && [ -s o.port ] && break; sleep 0.1; done
[ -s s.port ] && [ -s o.port ] || exit 89
S=127.0.0.1:$(cat s.port)
O=127.0.0.1:$(cat o.port)
step push_a "$B" push --server $S a.txt
step push_b "$B" push --server $S b.capnp
step listed_before "$B" profiles --server $S --json
step forged "$B" push --server $S --retract forged.txt
step never "$B" push --server $S --retract never.json
step stats_unchanged "$B" stats --server $S --json
step retract "$B" push --server $S --retract a.txt
step retract_again "$B" push --server $S --retract a.txt
step listed_after "$B" profiles --server $S --json
step listed_table "$B" profiles --server $S
step stats_s "$B" stats --server $S --json
step push_o "$B" push --server $O b.capnp
step stats_o "$B" stats --server $O --json
kill -TERM $s $o
wait $s; echo $? > s.rc
wait $o; echo $? > o.rc
step export_s "$B" export --all -q --db s.db --format text -o -
step export_o "$B" export --all -q --db o.db --format text -o -
step verify_s "$B" verify --db s.db
)";

class RetractServerTest : public ::testing::Test {
 protected:
  ScenarioStep Read(const std::string& name) const { return ReadScenarioStep(work_, name); }
  TempDir work_;
};

std::string Counts(const std::string& stats_json) {
  std::string counts;
  for (const char* key : {"functions", "edges", "static_total", "dynamic_total", "runs"}) {
    counts += std::string(key) + "=" + std::to_string(JsonNumber(stats_json, key)) + " ";
  }
  return counts;
}

std::string IdOf(const std::string& text_profile) {
  size_t at = text_profile.find(" id=");
  return at == std::string::npos ? "" : text_profile.substr(at + 4, 32);
}

TEST_F(RetractServerTest, RetractOnTheServerRestoresTheServerThatGotOnlyTheOther) {
  std::ofstream(work_.File("scenario.sh")) << kScenario;
  std::string command = "WORK='" + work_.path() + "' B='" + std::string(BLOBGRAPH_EXE) +
                        "' DATA='" + std::string(BLOBGRAPH_TEST_DATA_DIR) + "' sh '" +
                        work_.File("scenario.sh") + "' > '" + work_.File("scenario.log") + "' 2>&1";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "scenario exit " << status << ": " << Slurp(work_.File("scenario.log"))
      << Slurp(work_.File("s.log"));
  const std::string log = Slurp(work_.File("s.log"));
  const std::string id_a = IdOf(Slurp(work_.File("a.txt")));
  ASSERT_EQ(id_a.size(), 32u);

  for (const char* name : {"push_a", "push_b", "push_o"}) {
    ScenarioStep pushed = Read(name);
    ASSERT_EQ(pushed.rc, 0) << name << ": " << pushed.err;
    EXPECT_THAT(pushed.out, HasSubstr("edges applied")) << name;
  }
  ScenarioStep before = Read("listed_before");
  ASSERT_EQ(before.rc, 0) << before.err;
  EXPECT_THAT(before.out, HasSubstr("\"id\":\"" + id_a + "\""));
  EXPECT_THAT(before.out, Not(HasSubstr("retracted\"")));
  EXPECT_THAT(before.out, HasSubstr("\"total\":2,\"truncated\":false"));

  // Refused retractions name the file and the id and change nothing.
  ScenarioStep forged = Read("forged");
  EXPECT_EQ(forged.rc, 1);
  EXPECT_THAT(forged.err, HasSubstr("forged.txt"));
  EXPECT_THAT(forged.err, HasSubstr(id_a));
  EXPECT_THAT(forged.err, HasSubstr("not the profile that was merged"));
  ScenarioStep never = Read("never");
  EXPECT_EQ(never.rc, 1);
  EXPECT_THAT(never.err, HasSubstr("never.json"));
  EXPECT_THAT(never.err, HasSubstr("never merged"));
  ScenarioStep unchanged = Read("stats_unchanged");
  ASSERT_EQ(unchanged.rc, 0) << unchanged.err;

  ScenarioStep retracted = Read("retract");
  ASSERT_EQ(retracted.rc, 0) << retracted.err << log;
  EXPECT_THAT(retracted.out, HasSubstr("retracted a.txt on the server: profile " + id_a));
  ScenarioStep again = Read("retract_again");
  EXPECT_EQ(again.rc, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("already retracted"));
  EXPECT_THAT(log, HasSubstr("retract " + id_a));

  // The server that got A and B, A retracted, equals the one that got only B.
  ScenarioStep stats_s = Read("stats_s"), stats_o = Read("stats_o");
  ASSERT_EQ(stats_s.rc, 0) << stats_s.err;
  ASSERT_EQ(stats_o.rc, 0) << stats_o.err;
  EXPECT_EQ(Counts(stats_s.out), Counts(stats_o.out));
  EXPECT_NE(Counts(unchanged.out), Counts(stats_o.out));
  EXPECT_EQ(JsonNumber(stats_s.out, "profiles"), 2u);

  ScenarioStep after = Read("listed_after");
  ASSERT_EQ(after.rc, 0) << after.err;
  EXPECT_THAT(after.out, HasSubstr("\"id\":\"" + id_a + "\""));
  EXPECT_THAT(after.out, HasSubstr("\"state\":\"retracted\""));
  EXPECT_THAT(after.out, HasSubstr("\"state\":\"merged\""));
  ScenarioStep table = Read("listed_table");
  EXPECT_THAT(table.out, HasSubstr(id_a + "  retracted"));

  EXPECT_EQ(Slurp(work_.File("s.rc")), "0\n") << log;
  EXPECT_EQ(Slurp(work_.File("o.rc")), "0\n");
  ScenarioStep export_s = Read("export_s"), export_o = Read("export_o");
  ASSERT_EQ(export_s.rc, 0) << export_s.err;
  ASSERT_EQ(export_o.rc, 0) << export_o.err;
  EXPECT_EQ(CanonicalLines(export_s.out), CanonicalLines(export_o.out));
  EXPECT_EQ(Read("verify_s").rc, 0);
}

}  // namespace
}  // namespace blobgraph::server::testing
