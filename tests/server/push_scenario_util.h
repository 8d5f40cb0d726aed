// The push reliability scenario shared by the fast and the stress tests:
// several clients push distinct profiles concurrently through a proxy that
// cuts connections at random, optionally while the server is SIGKILLed and
// restarted; afterwards the store must hold every profile exactly once.
#pragma once

#include <cstdint>
#include <string>

namespace blobgraph::server::testing {

struct PushScenario {
  int clients = 8;
  int profiles_per_client = 200;
  size_t shared_edges = 64;      // per profile, besides its marker edge
  double cut_probability = 0.9;  // per connection (reconnects count)
  int kill_after_acks = 0;       // SIGKILL and restart the server after this many acks; 0: never
  int seconds_limit = 240;
};

// Runs the scenario; returns "" on success, else what went wrong.
std::string RunPushScenario(const PushScenario& scenario);

}  // namespace blobgraph::server::testing
