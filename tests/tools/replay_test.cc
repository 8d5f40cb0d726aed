// blobgraph replay: the protocol's counts checked by hand on a tiny trace,
// --decisions rescored independently, and the samples end to end.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::string kA = HexOf(0xaa), kB = HexOf(0xbb), kC = HexOf(0xcc), kD = HexOf(0xdd),
                  kE = HexOf(0xee), kRoot(64, '0');

double JsonNumber(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  EXPECT_NE(at, std::string::npos) << key;
  return at == std::string::npos ? -1 : std::stod(json.substr(at + key.size() + 3));
}

class ReplayTest : public CliTest {
 protected:
  // a calls b and c (one site each: p = 1/2 each); b calls d (p = 1).
  void ImportTinyGraph() {
    WriteFile("deps.txt", kA + " " + kB + "\n" + kA + " " + kC + "\n" + kB + " " + kD + "\n");
    ASSERT_EQ(Run({"import", "--text", "deps.txt"}).exit_code, 0);
  }
  std::string TinyTrace() {
    // e0 root->a  cold, stall; prefetch from a: b .5, c .5, d .5 (via b)
    // e1 a->b     cold, covered (lead 1); prefetch from b: d, already prefetched
    // e2 b->d     cold, covered (lead 2)
    // e3 a->b     warm
    // e4 root->e  cold, stall (e is unknown)
    // c was prefetched and never loaded: wasted.
    return WriteFile("trace.txt", kRoot + " " + kA + "\n" + kA + " " + kB + "\n" + kB + " " + kD +
                                      "\n" + kA + " " + kB + "\n" + kRoot + " " + kE + "\n");
  }
};

TEST_F(ReplayTest, TinyTraceCountsMatchTheProtocolByHand) {
  ImportTinyGraph();
  std::string trace = TinyTrace();
  CommandResult result = Run({"replay", "--trace", trace, "--start-set", "0", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(JsonNumber(result.out, "events"), 5);
  EXPECT_EQ(JsonNumber(result.out, "distinct_functions"), 4);
  EXPECT_EQ(JsonNumber(result.out, "cold_loads"), 4);
  EXPECT_EQ(JsonNumber(result.out, "covered"), 2);
  EXPECT_EQ(JsonNumber(result.out, "stalls"), 2);
  EXPECT_DOUBLE_EQ(JsonNumber(result.out, "coverage"), 0.5);
  EXPECT_EQ(JsonNumber(result.out, "prefetched"), 3);
  EXPECT_EQ(JsonNumber(result.out, "wasted"), 1);
  EXPECT_NEAR(JsonNumber(result.out, "waste"), 1.0 / 3, 1e-6);
  EXPECT_DOUBLE_EQ(JsonNumber(result.out, "mean_lead"), 1.5);
}

TEST_F(ReplayTest, ReplayDoesNotChangeTheStore) {
  ImportTinyGraph();
  std::string before = Run({"stats", "--json"}).out;
  ASSERT_EQ(Run({"replay", "--trace", TinyTrace()}).exit_code, 0);
  EXPECT_EQ(Run({"stats", "--json"}).out, before);
}

// Scores a decisions file against a trace with the protocol written out
// again here, independently of the command's own code.
struct Score {
  uint64_t cold = 0, covered = 0, prefetched = 0, wasted = 0;
};
Score Rescore(const std::string& decisions_path, const std::vector<std::string>& callees) {
  std::map<std::string, int64_t> prefetched_at;
  std::ifstream in(decisions_path);
  int64_t event;
  std::string hash;
  while (in >> event >> hash) prefetched_at.emplace(hash, event);
  Score score;
  score.prefetched = prefetched_at.size();
  std::set<std::string> loaded;
  for (size_t i = 0; i < callees.size(); ++i) {
    if (!loaded.insert(callees[i]).second) continue;
    ++score.cold;
    auto it = prefetched_at.find(callees[i]);
    if (it != prefetched_at.end() && it->second < static_cast<int64_t>(i)) ++score.covered;
  }
  for (const auto& [h, e] : prefetched_at) score.wasted += loaded.count(h) ? 0 : 1;
  return score;
}

std::vector<std::string> Callees(const std::string& binary_trace) {
  std::ifstream in(binary_trace, std::ios::binary);
  std::vector<std::string> callees;
  char record[64];
  static const char kHex[] = "0123456789abcdef";
  while (in.read(record, 64)) {
    std::string hex;
    for (int i = 32; i < 64; ++i) {
      hex += kHex[static_cast<uint8_t>(record[i]) >> 4];
      hex += kHex[static_cast<uint8_t>(record[i]) & 15];
    }
    callees.push_back(hex);
  }
  return callees;
}

TEST_F(ReplayTest, DecisionsRescoredIndependentlyAgreeWithTheReport) {
  ASSERT_EQ(Run({"import", "--text", "data/sample/difflib/static.txt"}).exit_code, 0);
  ASSERT_EQ(Run({"record", "--trace", Gunzip("difflib", "train.bin")}).exit_code, 0);
  std::string test = Gunzip("difflib", "test.bin");
  CommandResult result = Run({"replay", "--trace", test, "--decisions", "decisions.txt", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Score score = Rescore(dir() + "/decisions.txt", Callees(test));
  EXPECT_EQ(score.cold, JsonNumber(result.out, "cold_loads"));
  EXPECT_EQ(score.covered, JsonNumber(result.out, "covered"));
  EXPECT_EQ(score.prefetched, JsonNumber(result.out, "prefetched"));
  EXPECT_EQ(score.wasted, JsonNumber(result.out, "wasted"));
}

TEST_F(ReplayTest, SweepRanksSettingsBestFirst) {
  ImportTinyGraph();
  CommandResult result = Run({"replay", "--trace", TinyTrace(), "--sweep"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("objective"));
  EXPECT_THAT(result.out, HasSubstr("coverage"));
}

// Train on `train`, replay `test`, with the default settings: the figures
// the README's replay table states for each real sample (code-derived
// dependency lists, see data/README.md), to the printed precision.
struct SampleFigures {
  const char* sample;
  double coverage;
  double waste;
};

class SampleReplayTest : public CliTest, public ::testing::WithParamInterface<SampleFigures> {};

TEST_P(SampleReplayTest, DefaultsReachTheReadmeFigures) {
  const SampleFigures& expected = GetParam();
  std::string sample = expected.sample;
  ASSERT_EQ(Run({"import", "--text", "data/sample/" + sample + "/static.txt"}).exit_code, 0);
  ASSERT_EQ(Run({"record", "--trace", Gunzip(sample, "train.bin")}).exit_code, 0);
  CommandResult result = Run({"replay", "--trace", Gunzip(sample, "test.bin"), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NEAR(JsonNumber(result.out, "coverage"), expected.coverage, 0.0005) << result.out;
  EXPECT_NEAR(JsonNumber(result.out, "waste"), expected.waste, 0.0005) << result.out;
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleReplayTest,
                         ::testing::Values(SampleFigures{"email", 0.923, 0.435},
                                           SampleFigures{"difflib", 0.732, 0.444},
                                           SampleFigures{"json", 1.000, 0.364}),
                         [](const auto& info) { return std::string(info.param.sample); });

}  // namespace
}  // namespace blobgraph::tools::testing
