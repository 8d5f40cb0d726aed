// blobgraph replay: the protocol's counts checked by hand on a tiny trace,
// --decisions rescored independently, the sweep's ranking. The figures on
// real programs are in replay_figures_test.cc.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tools/cli_test_util.h"
#include "tools/json_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::string kA = HexOf(0xaa), kB = HexOf(0xbb), kC = HexOf(0xcc), kD = HexOf(0xdd),
                  kE = HexOf(0xee), kG = HexOf(0x99), kRoot(64, '0');

double JsonNumber(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":");
  EXPECT_NE(at, std::string::npos) << key;
  return at == std::string::npos ? -1 : std::stod(json.substr(at + key.size() + 3));
}

// The text of the JSON object that is the value of `key` (first
// occurrence), braces included: nested keys such as "1" repeat across
// objects, so they are looked up inside their own object.
std::string JsonObject(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":{");
  EXPECT_NE(at, std::string::npos) << key;
  if (at == std::string::npos) return "";
  size_t begin = at + key.size() + 3, depth = 0;
  for (size_t i = begin; i < json.size(); ++i) {
    if (json[i] == '{') ++depth;
    if (json[i] == '}' && --depth == 0) return json.substr(begin, i + 1 - begin);
  }
  ADD_FAILURE() << key << ": unterminated object";
  return "";
}

class ReplayTest : public CliTest {
 protected:
  // a calls b and c; b calls d. Nothing ran, so each listed call is taken
  // with the default list precision: p = 0.3 per edge, 0.09 for d via b.
  // The protocol tests replay with --min-prob 0 so every reachable function
  // is predicted whatever the model's numbers.
  void ImportTinyGraph() {
    WriteFile("deps.txt", kA + " " + kB + "\n" + kA + " " + kC + "\n" + kB + " " + kD + "\n");
    ASSERT_EQ(Run({"import", "--text", "deps.txt"}).exit_code, 0);
  }
  std::string TinyTrace() {
    // e0 root->a  cold, stall; prefetch from a: b .3, c .3, d .09 (via b)
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
  CommandResult result =
      Run({"replay", "--trace", trace, "--start-set", "0", "--min-prob", "0", "--json"});
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

// a calls b and c; b calls d; c calls g. From a (depth 2, --min-prob 0) the
// walk returns b, c (0.3), d and g (0.09), all at event 0.
//   e0 a   cold, stall; prefetch b, c, d, g at event 0
//   e1 b   cold, lead 1
//   e2 a   warm (nothing new: b, c, d, g already prefetched)
//   e3 c   cold, lead 3
//   e4 a, e5 a warm
//   e6 d   cold, lead 6
//   e7..e11 a warm
//   e12 g  cold, lead 12
//   e13 e  cold, stall (unknown)
// 6 cold loads; leads 1, 3, 6, 12. None of the 4 prefetched is wasted, at
// any --min-lead: a late prefetch is a stall, but it was loaded.
struct LeadCase {
  const char* min_lead;
  int covered;
  double median;
  double mean;
  int buckets[5];  // 1, 2-9, 10-99, 100-999, 1000+
};

TEST_F(ReplayTest, MinLeadCountsOnlyEarlyEnoughPrefetchesByHand) {
  WriteFile("deps.txt", kA + " " + kB + "\n" + kA + " " + kC + "\n" + kB + " " + kD + "\n" + kC +
                            " " + kG + "\n");
  ASSERT_EQ(Run({"import", "--text", "deps.txt"}).exit_code, 0);
  std::string trace_text;
  for (const std::string* callee :
       {&kA, &kB, &kA, &kC, &kA, &kA, &kD, &kA, &kA, &kA, &kA, &kA, &kG, &kE}) {
    trace_text += kRoot + " " + *callee + "\n";
  }
  std::string trace = WriteFile("trace.txt", trace_text);
  const LeadCase cases[] = {
      {"1", 4, 4.5, 5.5, {1, 2, 1, 0, 0}},  // b, c, d, g
      {"2", 3, 6.0, 7.0, {0, 2, 1, 0, 0}},  // c, d, g: b's lead 1 is too short
      {"5", 2, 9.0, 9.0, {0, 1, 1, 0, 0}},  // d, g
  };
  const char* bucket_names[] = {"1", "2-9", "10-99", "100-999", "1000+"};
  for (const LeadCase& c : cases) {
    SCOPED_TRACE(std::string("--min-lead ") + c.min_lead);
    CommandResult result = Run({"replay", "--trace", trace, "--start-set", "0", "--min-prob", "0",
                                "--min-lead", c.min_lead, "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const std::string& out = result.out;
    EXPECT_EQ(JsonNumber(JsonObject(out, "settings"), "min_lead"), std::stod(c.min_lead));
    EXPECT_EQ(JsonNumber(out, "cold_loads"), 6);
    EXPECT_EQ(JsonNumber(out, "covered"), c.covered);
    EXPECT_EQ(JsonNumber(out, "stalls"), 6 - c.covered);
    EXPECT_NEAR(JsonNumber(out, "coverage"), c.covered / 6.0, 1e-6);
    EXPECT_EQ(JsonNumber(out, "prefetched"), 4);
    EXPECT_EQ(JsonNumber(out, "wasted"), 0);
    EXPECT_DOUBLE_EQ(JsonNumber(out, "mean_lead"), c.mean);
    // Coverage at lead >= N counts covered loads only, so below --min-lead
    // it is the coverage itself; only g (lead 12) reaches 10, none 100.
    std::string at_lead = JsonObject(out, "coverage_at_lead");
    EXPECT_NEAR(JsonNumber(at_lead, "1"), c.covered / 6.0, 1e-6);
    EXPECT_NEAR(JsonNumber(at_lead, "10"), 1 / 6.0, 1e-6);
    EXPECT_EQ(JsonNumber(at_lead, "100"), 0);
    std::string lead = JsonObject(out, "lead");
    EXPECT_DOUBLE_EQ(JsonNumber(lead, "median"), c.median);
    std::string buckets = JsonObject(lead, "buckets");
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(JsonNumber(buckets, bucket_names[i]), c.buckets[i]) << bucket_names[i];
    }
  }
}

TEST_F(ReplayTest, BadMinLeadOrMaxWasteIsAUsageErrorNamingTheFlag) {
  ImportTinyGraph();
  std::string trace = TinyTrace();
  for (const char* value : {"0", "-1", "abc", "1.5", ""}) {
    CommandResult result = Run({"replay", "--trace", trace, "--min-lead", value});
    EXPECT_EQ(result.exit_code, 2) << "--min-lead '" << value << "'";
    EXPECT_THAT(result.err, HasSubstr("--min-lead")) << value;
  }
  for (const char* value : {"-0.1", "1.5", "nan", "inf", "abc"}) {
    CommandResult result = Run({"replay", "--trace", trace, "--sweep", "--max-waste", value});
    EXPECT_EQ(result.exit_code, 2) << "--max-waste '" << value << "'";
    EXPECT_THAT(result.err, HasSubstr("--max-waste")) << value;
  }
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
  uint64_t cold = 0, covered = 0, covered_lead10 = 0, prefetched = 0, wasted = 0;
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
    if (it == prefetched_at.end()) continue;
    int64_t lead = static_cast<int64_t>(i) - it->second;
    if (lead >= 1) ++score.covered;
    if (lead >= 10) ++score.covered_lead10;
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
  ASSERT_GT(score.cold, 0u);
  EXPECT_NEAR(double(score.covered_lead10) / score.cold,
              JsonNumber(JsonObject(result.out, "coverage_at_lead"), "10"), 1e-6);
  // The same decisions (min-lead changes no decision, only the scoring):
  // under --min-lead 10 exactly the lead >= 10 loads are covered.
  CommandResult late = Run({"replay", "--trace", test, "--min-lead", "10", "--json"});
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_EQ(score.covered_lead10, JsonNumber(late.out, "covered"));
  EXPECT_EQ(score.cold - score.covered_lead10, JsonNumber(late.out, "stalls"));
  EXPECT_EQ(score.wasted, JsonNumber(late.out, "wasted"));
}

// Each row of a sweep's "rows", in printed order.
struct SweepRow {
  double coverage, coverage_lead10, waste;
};
std::vector<SweepRow> SweepRows(const std::string& json) {
  std::vector<SweepRow> rows;
  JsonValue document = ParseJsonOrFail(json);
  const JsonValue& printed = document["rows"];
  for (size_t i = 0; i < printed.size(); ++i) {
    const JsonValue& row = printed[i];
    rows.push_back({row["coverage"].AsDouble(), row["coverage_at_lead"]["10"].AsDouble(),
                    row["waste"].AsDouble()});
  }
  return rows;
}

// The order is checked against the objective it states, pair by pair: no
// figures are pinned (the model under the walk may change).
TEST_F(ReplayTest, SweepRanksSettingsBestFirst) {
  ASSERT_EQ(Run({"import", "--text", "data/sample/difflib/static.txt"}).exit_code, 0);
  ASSERT_EQ(Run({"record", "--trace", Gunzip("difflib", "train.bin")}).exit_code, 0);
  std::string test = Gunzip("difflib", "test.bin");
  const double max_waste = 0.45;
  CommandResult text = Run({"replay", "--trace", test, "--sweep", "--max-waste", "0.45"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::string first_line = text.out.substr(0, text.out.find('\n'));
  EXPECT_THAT(first_line, HasSubstr("objective: highest coverage with waste <= 0.45"));
  EXPECT_THAT(first_line, HasSubstr("coverage at lead >= 10"));
  EXPECT_THAT(text.out, HasSubstr("cov@10"));
  // The default bound is stated too.
  CommandResult by_default = Run({"replay", "--trace", test, "--sweep"});
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  EXPECT_THAT(by_default.out.substr(0, by_default.out.find('\n')), HasSubstr("waste <= 0.3;"));

  CommandResult json = Run({"replay", "--trace", test, "--sweep", "--max-waste", "0.45", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"objective\":\"highest coverage with waste <= 0.45"));
  EXPECT_EQ(JsonNumber(json.out, "max_waste"), max_waste);
  std::vector<SweepRow> rows = SweepRows(json.out);
  ASSERT_EQ(rows.size(), 3u * 3 * 3 * 3);  // depth x top x min-prob x start-set
  for (size_t i = 1; i < rows.size(); ++i) {
    SCOPED_TRACE("rows " + std::to_string(i - 1) + " and " + std::to_string(i));
    const SweepRow& a = rows[i - 1];
    const SweepRow& b = rows[i];
    bool a_within = a.waste <= max_waste, b_within = b.waste <= max_waste;
    ASSERT_TRUE(a_within || !b_within) << "a row within the bound after one over it";
    if (!a_within) {
      EXPECT_LE(a.waste, b.waste);
      if (a.waste == b.waste) {
        EXPECT_GE(a.coverage, b.coverage);
      }
      continue;
    }
    if (!b_within) continue;
    EXPECT_GE(a.coverage, b.coverage);
    if (a.coverage != b.coverage) continue;
    EXPECT_GE(a.coverage_lead10, b.coverage_lead10);
    if (a.coverage_lead10 == b.coverage_lead10) {
      EXPECT_LE(a.waste, b.waste);
    }
  }
}

}  // namespace
}  // namespace blobgraph::tools::testing
