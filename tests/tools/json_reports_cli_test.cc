// Every command's --json report through the real executable, on one small
// merged profile: each is one strict JSON document, carries exactly the keys
// the README documents ("JSON reports"), in that order, with this store's
// values; integers exact, a probability below 1e-6 printed exactly, names
// with control and non-ASCII bytes escaped and read back whole.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "blobgraph/graph_store.h"
#include "tools/cli_test_util.h"
#include "tools/json_test_util.h"

namespace blobgraph::tools::testing {
namespace {

using Keys = std::vector<std::string>;

const std::string kA = HexOf(0xaa), kB = HexOf(0xbb), kC = HexOf(0xcc), kD = HexOf(0xdd);
const std::string kId = "0123456789abcdef0123456789abcdef";
const char kOddName[] = "c\x1b\xc3\xa9\"\\";  // ESC, U+00E9, a quote, a backslash

const Keys kFunctionKeys = {"hash", "name"};
const Keys kCalleeKeys = {"hash", "name", "static", "dynamic", "probability"};
const Keys kNodeCountKeys = {"in_static",   "in_dynamic",   "out_static",
                             "out_dynamic", "caller_count", "callee_count"};
const Keys kStoreCountKeys = {"functions",     "edges", "static_total", "dynamic_total",
                              "bytes_on_disk", "runs",  "profiles"};
const Keys kFeedbackKeys = {"requests", "issued", "hits", "wasted", "stalls"};
const Keys kWalkKeys = {"depth", "top", "min_prob", "max", "start_follow"};

Keys Concat(std::initializer_list<Keys> parts) {
  Keys all;
  for (const Keys& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

class JsonReportsCliTest : public CliTest {
 protected:
  // a -> b at 2,000,000 call sites, a -> c at one: p(c | a) = 1 / 2,000,001,
  // below 1e-6 (printf's %f made it 0.000000). b -> d at one.
  void SetUp() override {
    CliTest::SetUp();
    std::string profile = "# blobgraph-profile version=1 id=" + kId + " host=h created_ms=1\n" +
                          kA + " " + kB + " 2000000 0\n" + kA + " " + kC + " 1 0\n" + kB + " " +
                          kD + " 1 0\nfn " + kA + " main\nfn " + kC + " c%1B%C3%A9\"%5C\n";
    CommandResult merged = Run({"merge", WriteFile("p.txt", profile)});
    ASSERT_EQ(merged.exit_code, 0) << merged.err;
  }

  JsonValue Report(const std::vector<std::string>& args) const {
    std::vector<std::string> with_json = args;
    with_json.push_back("--json");
    CommandResult result = Run(with_json);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(result.out.ends_with("}\n")) << result.out;
    return ParseJsonOrFail(result.out);
  }

  // p(c | a) as the store computes it.
  double SmallProbability() const {
    StoreOptions options;
    options.read_only = true;
    auto store = GraphStore::Open(db(), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return -1;
    auto hash = BlobHash::Parse(kA);
    auto callees = (*store)->Callees(*hash);
    EXPECT_TRUE(callees.ok() && callees->size() == 2);
    return callees.ok() && callees->size() == 2 ? (*callees)[1].probability : -1;
  }
};

TEST_F(JsonReportsCliTest, CalleesCarriesEdgesAndAnExactSmallProbability) {
  JsonValue json = Report({"callees", kA});
  EXPECT_EQ(json.Keys(), (Keys{"hash", "name", "callees"}));
  EXPECT_EQ(json["hash"].AsString(), kA);
  EXPECT_EQ(json["name"].AsString(), "main");
  ASSERT_EQ(json["callees"].size(), 2u);
  const JsonValue& b = json["callees"][0];
  const JsonValue& c = json["callees"][1];
  EXPECT_EQ(b.Keys(), kCalleeKeys);
  EXPECT_EQ(b["hash"].AsString(), kB);
  EXPECT_TRUE(b["name"].is_null());
  EXPECT_EQ(b["static"].AsUint(), 2000000u);
  EXPECT_EQ(c["hash"].AsString(), kC);
  EXPECT_EQ(c["name"].AsString(), kOddName);
  EXPECT_EQ(c["static"].AsUint(), 1u);
  EXPECT_EQ(c["dynamic"].AsUint(), 0u);
  double small = c["probability"].AsDouble();
  EXPECT_GT(small, 0.0);
  EXPECT_LT(small, 1e-6);
  EXPECT_EQ(small, SmallProbability()) << c["probability"].number_text();
  EXPECT_DOUBLE_EQ(small, 1.0 / 2000001);
}

TEST_F(JsonReportsCliTest, ShowIsTheTreeWithTheSameMembers) {
  JsonValue json = Report({"show", kA, "--depth", "2", "--top", "1"});
  EXPECT_EQ(json.Keys(),
            Concat({kFunctionKeys, kNodeCountKeys, {"settings", "callees", "more_callees"}}));
  EXPECT_EQ(json["name"].AsString(), "main");
  EXPECT_EQ(json["out_static"].AsUint(), 2000001u);
  EXPECT_EQ(json["callee_count"].AsUint(), 2u);
  EXPECT_EQ(json["caller_count"].AsUint(), 0u);
  EXPECT_EQ(json["settings"].Keys(), (Keys{"depth", "top"}));
  EXPECT_EQ(json["more_callees"].AsUint(), 1u);  // c, beyond --top 1
  ASSERT_EQ(json["callees"].size(), 1u);
  const JsonValue& b = json["callees"][0];
  EXPECT_EQ(b.Keys(), Concat({kCalleeKeys, {"depth", "recursion", "callees", "more_callees"}}));
  EXPECT_EQ(b["hash"].AsString(), kB);
  EXPECT_EQ(b["depth"].AsUint(), 1u);
  EXPECT_FALSE(b["recursion"].AsBool());
  ASSERT_EQ(b["callees"].size(), 1u);
  const JsonValue& d = b["callees"][0];
  // At the depth limit: not expanded, so no callees members.
  EXPECT_EQ(d.Keys(), Concat({kCalleeKeys, {"depth", "recursion"}}));
  EXPECT_EQ(d["hash"].AsString(), kD);
  EXPECT_EQ(d["depth"].AsUint(), 2u);
  EXPECT_EQ(d["probability"].AsDouble(), 1.0);

  JsonValue all = Report({"show", kA, "--depth", "1"});
  EXPECT_EQ(all["callees"][1]["name"].AsString(), kOddName);
  EXPECT_EQ(all["callees"][1]["probability"].AsDouble(), SmallProbability());
  EXPECT_EQ(Run({"show", kA, "--dot", "--json"}).exit_code, 2);
}

TEST_F(JsonReportsCliTest, PrefetchCarriesItsSettingsAndPredictions) {
  JsonValue json = Report({"prefetch", kA, "--min-prob", "0"});
  EXPECT_EQ(json.Keys(), (Keys{"hash", "name", "settings", "predictions"}));
  EXPECT_EQ(json["hash"].AsString(), kA);
  EXPECT_EQ(json["settings"].Keys(), kWalkKeys);
  EXPECT_EQ(json["settings"]["min_prob"].AsDouble(), 0.0);
  ASSERT_EQ(json["predictions"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const JsonValue& prediction = json["predictions"][i];
    EXPECT_EQ(prediction.Keys(), Concat({kFunctionKeys, {"probability", "depth"}}));
    EXPECT_GT(prediction["probability"].AsDouble(), 0.0);
  }
}

TEST_F(JsonReportsCliTest, StatsCarriesTheStoreAndItsHottestFunctions) {
  JsonValue json = Report({"stats", "--top", "1"});
  EXPECT_EQ(json.Keys(), Concat({{"db"},
                                 kStoreCountKeys,
                                 {"profiles_retracted", "unsent_edges", "outgoing_edges",
                                  "pulled_edges", "feedback", "hottest"}}));
  EXPECT_EQ(json["db"].AsString(), db());
  EXPECT_EQ(json["functions"].AsUint(), 4u);
  EXPECT_EQ(json["edges"].AsUint(), 3u);
  EXPECT_EQ(json["static_total"].AsUint(), 2000002u);
  EXPECT_EQ(json["profiles"].AsUint(), 1u);
  EXPECT_EQ(json["feedback"].Keys(), kFeedbackKeys);
  ASSERT_EQ(json["hottest"].size(), 1u);
  const JsonValue& b = json["hottest"][0];
  EXPECT_EQ(b.Keys(), Concat({kFunctionKeys, kNodeCountKeys}));
  EXPECT_EQ(b["hash"].AsString(), kB);
  EXPECT_EQ(b["in_static"].AsUint(), 2000000u);
  EXPECT_EQ(b["caller_count"].AsUint(), 1u);
  EXPECT_EQ(b["callee_count"].AsUint(), 1u);
}

TEST_F(JsonReportsCliTest, ProfilesAndVerify) {
  JsonValue profiles = Report({"profiles"});
  EXPECT_EQ(profiles.Keys(), (Keys{"profiles", "total", "truncated"}));
  EXPECT_EQ(profiles["total"].AsUint(), 1u);
  EXPECT_FALSE(profiles["truncated"].AsBool());
  ASSERT_EQ(profiles["profiles"].size(), 1u);
  const JsonValue& p = profiles["profiles"][0];
  EXPECT_EQ(p.Keys(), (Keys{"id", "host", "created_unix_ms", "merged_unix_ms", "edges", "state",
                            "retracted_unix_ms", "digest"}));
  EXPECT_EQ(p["id"].AsString(), kId);
  EXPECT_EQ(p["host"].AsString(), "h");
  EXPECT_EQ(p["created_unix_ms"].AsUint(), 1u);
  EXPECT_GT(p["merged_unix_ms"].AsUint(), 0u);
  EXPECT_EQ(p["edges"].AsUint(), 3u);
  EXPECT_EQ(p["state"].AsString(), "merged");
  EXPECT_EQ(p["retracted_unix_ms"].AsUint(), 0u);

  JsonValue verify = Report({"verify"});
  EXPECT_EQ(verify.Keys(), (Keys{"db", "ok", "problems"}));
  EXPECT_TRUE(verify["ok"].AsBool());
  EXPECT_EQ(verify["problems"].size(), 0u);
}

TEST_F(JsonReportsCliTest, ReplayAndItsSweep) {
  std::string trace = WriteFile("trace.txt", std::string(64, '0') + " " + kA + "\n" + kA + " " +
                                                 kB + "\n" + kB + " " + kD + "\n");
  const Keys report_keys = {
      "settings",         "events",    "distinct_functions", "cold_loads", "covered",
      "stalls",           "coverage",  "prefetched",         "wasted",     "waste",
      "start_set_issued", "mean_lead", "coverage_at_lead",   "lead",       "engine_ns_per_event",
      "engine_feedback"};
  JsonValue json = Report({"replay", "--trace", trace});
  EXPECT_EQ(json.Keys(), report_keys);
  EXPECT_EQ(json["settings"].Keys(), Concat({kWalkKeys, {"start_set", "min_lead"}}));
  EXPECT_EQ(json["events"].AsUint(), 3u);
  EXPECT_EQ(json["cold_loads"].AsUint(), 3u);
  EXPECT_EQ(json["covered"].AsUint() + json["stalls"].AsUint(), 3u);
  EXPECT_EQ(json["coverage"].AsDouble(), json["covered"].AsUint() / 3.0);
  EXPECT_EQ(json["coverage_at_lead"].Keys(), (Keys{"1", "10", "100"}));
  EXPECT_EQ(json["lead"].Keys(), (Keys{"median", "buckets"}));
  EXPECT_EQ(json["lead"]["buckets"].Keys(), (Keys{"1", "2-9", "10-99", "100-999", "1000+"}));
  EXPECT_EQ(json["engine_feedback"].Keys(), kFeedbackKeys);

  JsonValue sweep = Report({"replay", "--trace", trace, "--sweep"});
  EXPECT_EQ(sweep.Keys(), (Keys{"objective", "max_waste", "rows"}));
  EXPECT_EQ(sweep["max_waste"].AsDouble(), 0.3);
  ASSERT_EQ(sweep["rows"].size(), 81u);
  EXPECT_EQ(sweep["rows"][0].Keys(), report_keys);
}

TEST_F(JsonReportsCliTest, BenchCarriesItsFigures) {
  if (!BLOBGRAPH_HAS_BENCH_COMMAND) GTEST_SKIP() << "built without the benchmarks";
  JsonValue json = Report({"bench", "--functions", "200", "--prefetch-calls", "100",
                           "--record-calls", "1000", "--quiet"});
  EXPECT_EQ(json.Keys(), (Keys{"results"}));
  ASSERT_EQ(json["results"].size(), 1u);
  const JsonValue& r = json["results"][0];
  EXPECT_EQ(r.Keys(), (Keys{"graph", "functions", "edges", "import_seconds", "prefetch",
                            "record_calls_per_second", "warm_start_seconds", "hot_graph"}));
  EXPECT_EQ(r["graph"].AsString(), "power-law 200");
  EXPECT_EQ(r["functions"].AsUint(), 200u);
  const Keys latency = {"median_ns", "p99_ns", "mean_ns", "results_per_call"};
  EXPECT_EQ(r["prefetch"].Keys(), (Keys{"depth", "top", "min_prob", "ours", "reference", "ratio"}));
  EXPECT_EQ(r["prefetch"]["ours"].Keys(), latency);
  EXPECT_EQ(r["prefetch"]["reference"].Keys(), latency);
  EXPECT_EQ(r["prefetch"]["min_prob"].AsDouble(), 0.1);
  EXPECT_EQ(r["record_calls_per_second"].Keys(), (Keys{"threads_1", "threads_2"}));
  EXPECT_EQ(r["warm_start_seconds"].Keys(), (Keys{"whole", "hot", "hot_functions"}));
  EXPECT_EQ(r["hot_graph"].Keys(), (Keys{"bytes", "bytes_per_edge", "functions", "edges"}));
  // The snapshot holds the functions with an edge: at most the graph's.
  EXPECT_GT(r["hot_graph"]["functions"].AsUint(), 0u);
  EXPECT_LE(r["hot_graph"]["functions"].AsUint(), 200u);
}

}  // namespace
}  // namespace blobgraph::tools::testing
