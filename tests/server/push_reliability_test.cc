// Concurrent pushes with random disconnects and a SIGKILLed server: every
// profile ends up applied exactly once (small, fast variants; the full-size
// runs are in push_reliability_stress_test.cc).
#include <gtest/gtest.h>

#include "push_scenario_util.h"

namespace blobgraph::server::testing {
namespace {

TEST(PushReliabilityTest, ConcurrentPushesWithDisconnectsApplyEachProfileOnce) {
  PushScenario scenario;
  scenario.clients = 4;
  scenario.profiles_per_client = 25;
  scenario.seconds_limit = 120;
  EXPECT_EQ(RunPushScenario(scenario), "");
}

TEST(PushReliabilityTest, ServerKilledDuringPushesKeepsAcknowledgedAndRetriesFinish) {
  PushScenario scenario;
  scenario.clients = 4;
  scenario.profiles_per_client = 25;
  scenario.cut_probability = 0.5;
  scenario.kill_after_acks = 40;
  scenario.seconds_limit = 120;
  EXPECT_EQ(RunPushScenario(scenario), "");
}

}  // namespace
}  // namespace blobgraph::server::testing
