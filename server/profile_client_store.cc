// ProfileClient's store-side round trip (profile_client.h): push this
// store's unsent observations, pull into the store as a refresh.
#include "blobgraph/profile_client.h"

namespace blobgraph::server {

Result<PushResult> ProfileClient::PushObservations(GraphStore& store) {
  // The sealed batch keeps its profile id in the store until the server's
  // acknowledgement is cleared: a call after a lost acknowledgement (or a
  // restart) pushes the same id again, which the server applies once.
  auto outgoing = store.SealUnsent();
  if (!outgoing.ok()) return outgoing.status();
  if (!outgoing->profile.has_value()) return PushResult{};  // nothing to send
  auto pushed = Push(*outgoing);
  if (!pushed.ok()) return pushed.status();
  Status cleared = store.ClearOutgoing(outgoing->profile->id);
  if (!cleared.ok()) {
    return cleared.WithContext("the server applied profile " + outgoing->profile->IdHex() +
                               "; the store keeps it as its outgoing batch, and the next "
                               "push resends that id (the server applies it once)");
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
