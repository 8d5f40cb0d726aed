// ProfileClient's store-side round trip (profile_client.h): push this
// store's unsent observations, pull into the store as a refresh.
#include "server/profile_client.h"

namespace blobgraph::server {

Result<PushResult> ProfileClient::PushObservations(GraphStore& store) {
  auto unsent = store.Unsent();
  if (!unsent.ok()) return unsent.status();
  if (unsent->edges.empty() && unsent->functions.empty() && unsent->loads.empty() &&
      unsent->run_weight == 0) {
    return PushResult{};
  }
  GraphUpdate push = *unsent;
  // One id for this batch of observations: Push retries under it, so the
  // server applies it at most once.
  push.profile = ProfileInfo::NewForThisHost();
  auto pushed = Push(push);
  if (!pushed.ok()) return pushed.status();
  Status marked = store.MarkSent(*unsent);
  if (!marked.ok()) {
    return marked.WithContext("the server applied profile " + push.profile->IdHex() +
                              ", but the store still counts its observations as unsent");
  }
  return pushed;
}

Result<GraphUpdate> ProfileClient::PullInto(GraphStore& store, const PullOptions& options) {
  auto pulled = Pull(options);
  if (!pulled.ok()) return pulled.status();
  pulled->source = UpdateOrigin::kPulled;
  BLOBGRAPH_RETURN_IF_ERROR(store.Apply(*pulled));
  return pulled;
}

}  // namespace blobgraph::server
