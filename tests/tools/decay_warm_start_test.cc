// Ageing keeps the warm start: through the real executable, a store with one
// recorded run still issues its start set after `decay --factor 0.5`, and
// repeated decays fade the run as documented (graph_store.h, LoadRecord: run
// weights in 1/65536 of a run; one run at 0.5 lasts 16 decays).
#include <gtest/gtest.h>

#include <regex>

#include "tools/cli_test_util.h"

namespace blobgraph::tools::testing {
namespace {

uint64_t JsonUnsigned(const std::string& json, const std::string& key) {
  std::smatch match;
  if (!std::regex_search(json, match, std::regex("\"" + key + "\":([0-9]+)"))) {
    ADD_FAILURE() << key << " not in " << json;
    return 0;
  }
  return std::stoull(match[1]);
}

class DecayWarmStartTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(Run({"import", "--text", "data/sample/email/static.txt"}).exit_code, 0);
    CommandResult recorded = Run({"record", "--trace", Gunzip("email", "train.bin")});
    ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
    test_trace_ = Gunzip("email", "test.bin");
  }
  uint64_t StartSetIssued() {
    CommandResult replay = Run({"replay", "--trace", test_trace_, "--json"});
    EXPECT_EQ(replay.exit_code, 0) << replay.err;
    return JsonUnsigned(replay.out, "start_set_issued");
  }
  void Decay() {
    CommandResult decayed = Run({"decay", "--factor", "0.5"});
    ASSERT_EQ(decayed.exit_code, 0) << decayed.err;
  }

  std::string test_trace_;
};

TEST_F(DecayWarmStartTest, OneRecordedRunSurvivesAHalvingAndFadesAfterSixteen) {
  uint64_t fresh = StartSetIssued();
  ASSERT_GT(fresh, 0u);
  Decay();
  // The one run weighs half a run now: still the start set, unchanged.
  EXPECT_EQ(StartSetIssued(), fresh);
  EXPECT_EQ(JsonUnsigned(Run({"stats", "--json"}).out, "runs"), 1u);  // rounded up
  for (int i = 2; i <= 16; ++i) Decay();
  // 2^-16 of a run: the last unit of weight.
  EXPECT_EQ(StartSetIssued(), fresh);
  Decay();
  // Below one unit: faded out, as documented.
  EXPECT_EQ(StartSetIssued(), 0u);
  EXPECT_EQ(JsonUnsigned(Run({"stats", "--json"}).out, "runs"), 0u);
  CommandResult verify = Run({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(DecayWarmStartTest, ARunRecordedAfterAgeingOutweighsTheAgedOne) {
  Decay();
  Decay();
  CommandResult recorded = Run({"record", "--trace", test_trace_});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  EXPECT_GT(StartSetIssued(), 0u);
  // 1/4 + 1 run = 1.25 runs, shown rounded up.
  EXPECT_EQ(JsonUnsigned(Run({"stats", "--json"}).out, "runs"), 2u);
}

}  // namespace
}  // namespace blobgraph::tools::testing
