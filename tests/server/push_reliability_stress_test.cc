// Full-size reliability runs (ctest -L stress): 8 clients x 200 distinct
// profiles, random disconnects, and a SIGKILL + restart in the middle.
#include <gtest/gtest.h>

#include "push_scenario_util.h"

namespace blobgraph::server::testing {
namespace {

TEST(PushReliabilityStressTest, EightClientsTwoHundredProfilesEachWithDisconnects) {
  PushScenario scenario;  // 8 x 200, 90% of connections cut
  EXPECT_EQ(RunPushScenario(scenario), "");
}

TEST(PushReliabilityStressTest, EightClientsWithServerKilledAndRestarted) {
  PushScenario scenario;
  scenario.cut_probability = 0.5;
  scenario.kill_after_acks = 600;
  EXPECT_EQ(RunPushScenario(scenario), "");
}

}  // namespace
}  // namespace blobgraph::server::testing
