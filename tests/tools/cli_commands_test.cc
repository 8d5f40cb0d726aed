// Every subcommand through the real executable, on small graphs whose
// counts and probabilities are worked out by hand.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "tools/json_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::string kA = HexOf(0xaa), kB = HexOf(0xbb), kC = HexOf(0xcc), kD = HexOf(0xdd);

class CliCommandsTest : public CliTest {
 protected:
  void ImportSmallGraph() {
    // a calls b at two sites and c at one; b calls d; d has no callees.
    std::string deps = "# small graph\n" + kA + " " + kB + "\n" + kA + " " + kB + "\n" + kA + " " +
                       kC + "\n\n" + kB + " " + kD + "\n" + kD + "\n";
    WriteFile("deps.txt", deps);
    WriteFile("names.tsv", kA + "\tmain\n" + kB + "\tparse\n");
    CommandResult result = Run({"import", "--text", "deps.txt", "--names", "names.tsv"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("4 call sites"));
  }
};

TEST_F(CliCommandsTest, HelpListsEveryCommandAndEachCommandHasHelp) {
  CommandResult help = Run({"--help"});
  ASSERT_EQ(help.exit_code, 0);
  std::vector<std::string> commands = {"import",  "record",   "export", "merge",  "stats", "show",
                                       "callees", "prefetch", "decay",  "verify", "replay"};
  if (BLOBGRAPH_HAS_BENCH_COMMAND) commands.push_back("bench");
  EXPECT_THAT(help.out, HasSubstr("bench"));
  for (const std::string& command : commands) {
    EXPECT_THAT(help.out, HasSubstr(command));
    CommandResult sub = Run({command, "--help"});
    EXPECT_EQ(sub.exit_code, 0) << command;
    EXPECT_THAT(sub.out, HasSubstr("--db")) << command;
  }
  CommandResult unknown = Run({"frobnicate"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command 'frobnicate'"));
}

// `blobgraph bench` runs blobgraph-bench from beside blobgraph: its help
// and exit codes come through; where the benchmarks were not built it says
// how to build them, exit 1.
TEST_F(CliCommandsTest, BenchRunsTheFiguresCommandOrSaysHowToBuildIt) {
  CommandResult help = Run({"bench", "--help"});
  if (BLOBGRAPH_HAS_BENCH_COMMAND) {
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_THAT(help.out, HasSubstr("blobgraph bench [--functions N[,N...] | --deps FILE]"));
    CommandResult bad = Run({"bench", "--functions", "0"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_THAT(bad.err, HasSubstr("blobgraph bench: --functions 0: too small"));
  } else {
    EXPECT_EQ(help.exit_code, 1);
    EXPECT_THAT(help.err, HasSubstr("blobgraph-bench: No such file or directory; the figures "
                                    "command is built with the benchmarks"));
  }
}

TEST_F(CliCommandsTest, StatsCountsFunctionsEdgesAndCallSites) {
  ImportSmallGraph();
  CommandResult stats = Run({"stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_THAT(stats.out, HasSubstr("\"functions\":4"));
  EXPECT_THAT(stats.out, HasSubstr("\"edges\":3"));
  EXPECT_THAT(stats.out, HasSubstr("\"static_total\":4"));
  EXPECT_THAT(stats.out, HasSubstr("\"dynamic_total\":0"));
  CommandResult text = Run({"stats"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("parse"));  // names shown beside hashes
}

TEST_F(CliCommandsTest, CalleesShowsCountsAndProbabilitiesMostProbableFirst) {
  ImportSmallGraph();
  CommandResult callees = Run({"callees", kA, "--json"});
  ASSERT_EQ(callees.exit_code, 0) << callees.err;
  // Static only: p(b|a) = 2/3, p(c|a) = 1/3.
  size_t b = callees.out.find(kB), c = callees.out.find(kC);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(b, c);
  JsonValue json = ParseJsonOrFail(callees.out);
  EXPECT_EQ(json["hash"].AsString(), kA);
  EXPECT_EQ(json["name"].AsString(), "main");
  ASSERT_EQ(json["callees"].size(), 2u);
  const JsonValue& first = json["callees"][0];
  EXPECT_EQ(first.Keys(),
            (std::vector<std::string>{"hash", "name", "static", "dynamic", "probability"}));
  EXPECT_EQ(first["hash"].AsString(), kB);
  EXPECT_EQ(first["name"].AsString(), "parse");
  EXPECT_EQ(first["static"].AsUint(), 2u);
  EXPECT_EQ(first["dynamic"].AsUint(), 0u);
  EXPECT_DOUBLE_EQ(first["probability"].AsDouble(), 2.0 / 3);
  EXPECT_TRUE(json["callees"][1]["name"].is_null());
  CommandResult top1 = Run({"callees", kA, "--top", "1"});
  EXPECT_EQ(top1.exit_code, 0);
  EXPECT_THAT(top1.out, HasSubstr(kB));
  EXPECT_EQ(top1.out.find(kC), std::string::npos);
}

TEST_F(CliCommandsTest, RecordedCallsShiftProbabilities) {
  ImportSmallGraph();
  // a -> c observed 9 times. Prior strength A = 0.5 (prior weight) * 9 (the
  // largest observed count) = 4.5; p(c|a) = (4.5*1 + 9) / (4.5*3 + 9) = 0.6,
  // up from 1/3; p(b|a) = (4.5*2 + 0) / 22.5 = 0.4, down from 2/3.
  std::string trace = std::string(64, '0') + " " + kA + "\n";
  for (int i = 0; i < 9; ++i) trace += kA + " " + kC + "\n";
  WriteFile("trace.txt", trace);
  CommandResult record = Run({"record", "--trace", "trace.txt"});
  ASSERT_EQ(record.exit_code, 0) << record.err;
  EXPECT_THAT(record.out, HasSubstr("10 events"));
  CommandResult callees = Run({"callees", kA, "--json"});
  ASSERT_EQ(callees.exit_code, 0);
  EXPECT_LT(callees.out.find(kC), callees.out.find(kB));
  JsonValue json = ParseJsonOrFail(callees.out);
  ASSERT_EQ(json["callees"].size(), 2u);
  EXPECT_EQ(json["callees"][0]["static"].AsUint(), 1u);
  EXPECT_EQ(json["callees"][0]["dynamic"].AsUint(), 9u);
  EXPECT_DOUBLE_EQ(json["callees"][0]["probability"].AsDouble(), 0.6);
  EXPECT_EQ(json["callees"][1]["static"].AsUint(), 2u);
  EXPECT_EQ(json["callees"][1]["dynamic"].AsUint(), 0u);
  EXPECT_DOUBLE_EQ(json["callees"][1]["probability"].AsDouble(), 0.4);
  CommandResult stats = Run({"stats", "--json"});
  EXPECT_THAT(stats.out, HasSubstr("\"runs\":1"));
}

TEST_F(CliCommandsTest, PrefetchWalksTwoLevelsWithPathProbabilities) {
  ImportSmallGraph();
  // Nothing ran: each call site is taken with the default list precision
  // 0.3 (include/blobgraph/prefetch_model.h): b (two sites) 1 - 0.7^2 = 0.51,
  // c 0.3, then d via b: 0.51 * 0.3 = 0.153, under the default --min-prob
  // 0.2 and over 0.1. Ranked by path probability.
  CommandResult by_default = Run({"prefetch", kA, "--json"});
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  JsonValue json = ParseJsonOrFail(by_default.out);
  EXPECT_EQ(json["hash"].AsString(), kA);
  EXPECT_EQ(json["name"].AsString(), "main");
  ASSERT_EQ(json["predictions"].size(), 2u);
  const JsonValue& b_first = json["predictions"][0];
  EXPECT_EQ(b_first.Keys(), (std::vector<std::string>{"hash", "name", "probability", "depth"}));
  EXPECT_EQ(b_first["hash"].AsString(), kB);
  EXPECT_EQ(b_first["name"].AsString(), "parse");
  // The engine's path probabilities are floats, printed as the shortest
  // text that reads back to the same float.
  EXPECT_EQ(b_first["probability"].number_text(), "0.51");
  EXPECT_EQ(b_first["depth"].AsUint(), 1u);
  EXPECT_EQ(json["predictions"][1]["probability"].number_text(), "0.3");
  EXPECT_EQ(json["predictions"][1]["depth"].AsUint(), 1u);
  const JsonValue& settings = json["settings"];
  EXPECT_EQ(settings["depth"].AsUint(), 2u);
  EXPECT_EQ(settings["min_prob"].AsDouble(), 0.2);
  EXPECT_EQ(by_default.out.find(kD), std::string::npos);
  CommandResult prefetch = Run({"prefetch", kA, "--min-prob", "0.1", "--json"});
  ASSERT_EQ(prefetch.exit_code, 0) << prefetch.err;
  size_t b = prefetch.out.find(kB), c = prefetch.out.find(kC), d = prefetch.out.find(kD);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  ASSERT_NE(d, std::string::npos);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  JsonValue deep = ParseJsonOrFail(prefetch.out);
  ASSERT_EQ(deep["predictions"].size(), 3u);
  EXPECT_EQ(deep["predictions"][2]["hash"].AsString(), kD);
  EXPECT_EQ(deep["predictions"][2]["probability"].number_text(), "0.153");
  EXPECT_EQ(deep["predictions"][2]["depth"].AsUint(), 2u);
  CommandResult shallow = Run({"prefetch", kA, "--depth", "1", "--min-prob", "0.1"});
  EXPECT_EQ(shallow.exit_code, 0);
  EXPECT_EQ(shallow.out.find(kD), std::string::npos);
  CommandResult strict = Run({"prefetch", kA, "--min-prob", "0.5", "--json"});
  EXPECT_EQ(strict.out.find(kC), std::string::npos);
  CommandResult bad = Run({"prefetch", kA, "--min-prob", "2"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--min-prob"));
}

TEST_F(CliCommandsTest, ShowPrintsTreeAndDot) {
  ImportSmallGraph();
  CommandResult tree = Run({"show", kA, "--depth", "2"});
  ASSERT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_THAT(tree.out, HasSubstr("main"));
  EXPECT_THAT(tree.out, HasSubstr("p=0.667"));
  EXPECT_THAT(tree.out, HasSubstr(kD.substr(0, 12)));
  CommandResult dot = Run({"show", kA, "--dot"});
  ASSERT_EQ(dot.exit_code, 0);
  EXPECT_THAT(dot.out, HasSubstr("digraph"));
  EXPECT_THAT(dot.out, HasSubstr("\"" + kA + "\" -> \"" + kB + "\" [label=\"0.667 (s=2 d=0)\"]"));
  CommandResult missing = Run({"show", kC.substr(0, 62) + "00"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("not in the store"));
}

TEST_F(CliCommandsTest, DecayScalesDynamicCountsAndDropsFadedEdges) {
  ImportSmallGraph();
  // d -> a is dynamic only (3 calls); a -> c gains 4 observed calls.
  std::string trace = kD + " " + kA + "\n" + kD + " " + kA + "\n" + kD + " " + kA + "\n";
  for (int i = 0; i < 4; ++i) trace += kA + " " + kC + "\n";
  WriteFile("trace.txt", trace);
  ASSERT_EQ(Run({"record", "--trace", "trace.txt"}).exit_code, 0);
  CommandResult decay = Run({"decay", "--factor", "0.5", "--drop-below", "2"});
  ASSERT_EQ(decay.exit_code, 0) << decay.err;
  // d -> a: 3 * 0.5 = 1 (rounded down) < 2, no call sites: dropped.
  // a -> c: 4 * 0.5 = 2, kept with its call site.
  CommandResult d_callees = Run({"callees", kD, "--json"});
  EXPECT_EQ(d_callees.out.find(kA), std::string::npos) << d_callees.out;
  CommandResult a_callees = Run({"callees", kA, "--json"});
  EXPECT_THAT(a_callees.out, HasSubstr("\"static\":1,\"dynamic\":2"));
  EXPECT_EQ(Run({"decay", "--factor", "1.5"}).exit_code, 2);
  EXPECT_EQ(Run({"verify"}).exit_code, 0);
}

TEST_F(CliCommandsTest, VerifyReportsOk) {
  ImportSmallGraph();
  CommandResult verify = Run({"verify", "--json"});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("\"ok\":true"));
}

TEST_F(CliCommandsTest, DbFlagAndEnvironmentChooseTheStore) {
  ImportSmallGraph();
  CommandResult other = Run({"stats", "--db", dir() + "/elsewhere.db"});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_THAT(other.err, HasSubstr("elsewhere.db"));
  CommandResult env_default =
      Shell("mkdir -p sub && cd sub && unset BLOBGRAPH_DB && blobgraph stats");
  EXPECT_NE(env_default.exit_code, 0);
  EXPECT_THAT(env_default.err, HasSubstr("./blobgraph.db"));
}

}  // namespace
}  // namespace blobgraph::tools::testing
