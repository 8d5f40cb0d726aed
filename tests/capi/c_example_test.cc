// examples/c/replay.c on the real samples: it trains a store through the C
// API and replays the test run; its counts must equal `blobgraph replay` on
// the store it trained, and the same protocol run over the C++ Engine API.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "capi_test_util.h"
#include "replay_protocol.h"

namespace blobgraph::capi_test {
namespace {

constexpr size_t kStartSet = 16;  // the example's and `blobgraph replay`'s default

struct ExampleRun {
  std::string store;
  std::string test_trace;
  std::map<std::string, std::string> report;
};

// Runs the C example on `sample` in `dir`; fails the test on a non-zero exit.
ExampleRun RunCExample(const TempDir& dir, const std::string& sample) {
  ExampleRun run;
  run.store = dir.Path("store");
  run.test_trace = GunzipSample(dir, sample, "test.bin");
  std::string train = GunzipSample(dir, sample, "train.bin");
  CommandResult result =
      RunCommand(std::string(BLOBGRAPH_C_REPLAY) + " --store " + Quote(run.store) + " --deps " +
                 Quote(SampleFile(sample, "static.txt")) + " --train " + Quote(train) + " --test " +
                 Quote(run.test_trace));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  run.report = ParseReport(result.output);
  return run;
}

uint64_t Count(const std::map<std::string, std::string>& report, const std::string& key) {
  auto it = report.find(key);
  EXPECT_NE(it, report.end()) << "report has no '" << key << "'";
  return it == report.end() ? 0 : std::stoull(it->second);
}

class CExampleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CExampleTest, CountsEqualTheProtocolOverTheCxxEngine) {
  TempDir dir;
  ExampleRun run = RunCExample(dir, GetParam());
  auto expected = ReplayWithCxxEngine(run.store, run.test_trace, kStartSet);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  EXPECT_EQ(Count(run.report, "events"), expected->events);
  EXPECT_EQ(Count(run.report, "distinct functions"), expected->distinct);
  EXPECT_EQ(Count(run.report, "cold loads"), expected->cold);
  EXPECT_EQ(Count(run.report, "covered"), expected->covered);
  EXPECT_EQ(Count(run.report, "stalls"), expected->stalls);
  EXPECT_EQ(Count(run.report, "prefetched"), expected->prefetched);
  EXPECT_EQ(Count(run.report, "wasted"), expected->wasted);
  EXPECT_EQ(Count(run.report, "start set issued"), expected->start_set);
  // The training reached the store: prefetch hid some cold loads.
  EXPECT_GT(expected->covered, 0u);
  EXPECT_EQ(expected->cold, expected->covered + expected->stalls);
}

TEST_P(CExampleTest, CountsEqualBlobgraphReplay) {
  TempDir dir;
  ExampleRun run = RunCExample(dir, GetParam());
  CommandResult replay =
      RunCommand(std::string(BLOBGRAPH_EXE) + " replay --db " + Quote(run.store) + " --trace " +
                 Quote(run.test_trace) + " --json");
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  const std::string& json = replay.output;
  EXPECT_EQ(std::to_string(Count(run.report, "events")), JsonField(json, "events"));
  EXPECT_EQ(std::to_string(Count(run.report, "distinct functions")),
            JsonField(json, "distinct_functions"));
  EXPECT_EQ(std::to_string(Count(run.report, "cold loads")), JsonField(json, "cold_loads"));
  EXPECT_EQ(std::to_string(Count(run.report, "covered")), JsonField(json, "covered"));
  EXPECT_EQ(std::to_string(Count(run.report, "stalls")), JsonField(json, "stalls"));
  EXPECT_EQ(std::to_string(Count(run.report, "prefetched")), JsonField(json, "prefetched"));
  EXPECT_EQ(std::to_string(Count(run.report, "wasted")), JsonField(json, "wasted"));
  EXPECT_EQ(std::to_string(Count(run.report, "start set issued")),
            JsonField(json, "start_set_issued"));
  EXPECT_NEAR(std::stod(run.report["coverage"]), std::stod(JsonField(json, "coverage")), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Samples, CExampleTest, ::testing::Values("json", "difflib", "email"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace blobgraph::capi_test
