#include "server/retract_rpc.h"

#include <algorithm>

#include "core/quote.h"
#include "server/wire.h"

namespace blobgraph::server {
bool AlreadyRetracted(ServerCore& core, const ProfileInfo& profile, const std::string& peer) {
  auto record = core.store->Profile(profile.id);
  if (!record.ok()) ThrowStatus(record.status().WithContext("beginRetract"));
  if (!record->has_value()) {
    ThrowStatus(Status::NotFound("beginRetract: profile " + profile.IdHex() +
                                 " was never merged into the server's store; nothing was "
                                 "retracted"));
  }
  if (!(*record)->retracted) return false;
  core.Log("retract %s from %s: already retracted", profile.IdHex().c_str(),
           QuoteForMessage(peer).c_str());
  return true;
}

RetractionOutcome RunRetraction(ServerCore& core, const GraphUpdate& profile,
                                const std::string& peer,
                                std::chrono::steady_clock::time_point started) {
  RetractionOutcome outcome;
  const std::string id = profile.profile->IdHex();
  auto retracted = core.store->Retract(profile);
  core.counters.pushes_open.fetch_sub(1);
  if (!retracted.ok()) {
    outcome.error = retracted.status().WithContext("retract " + id);
    core.Log("retract %s from %s: failed after %.1f ms: %s", id.c_str(),
             QuoteForMessage(peer).c_str(), MillisSince(started),
             QuoteForMessage(outcome.error.ToString()).c_str());
    return outcome;
  }
  outcome.already_retracted = retracted->already_retracted;
  outcome.edges = retracted->edges;
  core.Log("retract %s from %s (host %s): %s, %llu edges subtracted in %.1f ms", id.c_str(),
           QuoteForMessage(peer).c_str(), QuoteForMessage(profile.profile->source_host).c_str(),
           outcome.already_retracted ? "already retracted" : "retracted",
           static_cast<unsigned long long>(outcome.edges), MillisSince(started));
  return outcome;
}

ProfileListing ListProfiles(ServerCore& core, uint32_t max) {
  const uint64_t cap = max == 0 ? schema::K_MAX_PROFILE_ENTRIES
                                : std::min<uint32_t>(max, schema::K_MAX_PROFILE_ENTRIES);
  ProfileListing listing;
  Status status = core.store->ForEachProfile([&](const ProfileRecord& record) {
    ++listing.total;
    if (listing.records.size() < cap) listing.records.push_back(record);
    return Status::Ok();
  });
  if (!status.ok()) ThrowStatus(status.WithContext("profiles"));
  listing.truncated = listing.records.size() < listing.total;
  return listing;
}

void EncodeListing(const ProfileListing& listing,
                   schema::Session::ProfilesResults::Builder results) {
  auto out = results.initProfiles(listing.records.size());
  for (size_t i = 0; i < listing.records.size(); ++i) {
    const ProfileRecord& record = listing.records[i];
    out[i].setId(capnp::Data::Reader(record.info.id.data(), record.info.id.size()));
    out[i].setSourceHost(record.info.source_host);
    out[i].setCreatedUnixMs(record.info.created_unix_ms);
    out[i].setMergedUnixMs(record.merged_unix_ms);
    out[i].setEdges(record.edges);
    out[i].setRetracted(record.retracted);
    out[i].setRetractedUnixMs(record.retracted_unix_ms);
    out[i].setDigest(capnp::Data::Reader(record.digest.data(), record.digest.size()));
  }
  results.setTotal(listing.total);
  results.setTruncated(listing.truncated);
}

}  // namespace blobgraph::server
