// The server's side of retraction and of the profile listing
// (schema/profile_service.capnp: Session.beginRetract, Session.profiles).
// service.cc keeps only the hooks; the bodies are here. Internal to server/.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "blobgraph/graph_store.h"
#include "schema/profile_service.capnp.h"
#include "server/server_core.h"

namespace blobgraph::server {

// beginRetract's check (loop thread, a read): true when `profile` was
// retracted before (nothing to send). Throws "not found" (ThrowStatus) for
// an id never merged, so the client sends nothing.
bool AlreadyRetracted(ServerCore& core, const ProfileInfo& profile, const std::string& peer);

struct RetractionOutcome {
  bool already_retracted = false;
  uint64_t edges = 0;
  Status error;  // of a failed Retract; OK on success
};

// Runs on the writer thread: GraphStore::Retract (one synced write), then
// logs (host and peer escaped) and counts. Releases the open-push slot the
// session took, like a push's commit.
RetractionOutcome RunRetraction(ServerCore& core, const GraphUpdate& profile,
                                const std::string& peer,
                                std::chrono::steady_clock::time_point started);

// The answer to profiles(max): at most min(max, kMaxProfileEntries) records.
// Runs on a reader thread; throws for a store error.
struct ProfileListing {
  std::vector<ProfileRecord> records;
  uint64_t total = 0;
  bool truncated = false;
};
ProfileListing ListProfiles(ServerCore& core, uint32_t max);
void EncodeListing(const ProfileListing& listing,
                   schema::Session::ProfilesResults::Builder results);

}  // namespace blobgraph::server
