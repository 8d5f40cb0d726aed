// ProfileClient's push and retraction: a session on the server, the
// update's contents streamed in chunks, then a commit (profile_client.h).
#include <optional>
#include <span>

#include "blobgraph/profile_client.h"
#include "server/profile_client_connection.h"

namespace blobgraph::server {
namespace {

// Starts a push or a retraction; std::nullopt when the server answers that
// nothing needs sending (applied, or retracted, before).
kj::Promise<std::optional<schema::PushSession::Client>> BeginSend(schema::Session::Client& session,
                                                                  const ProfileInfo& profile,
                                                                  bool retract) {
  using Begun = std::optional<schema::PushSession::Client>;
  if (retract) {
    auto begin = session.beginRetractRequest();
    EncodeIdentity(profile, begin.initProfile());
    return begin.send().then([](auto response) -> Begun {
      if (response.getAlreadyRetracted()) return std::nullopt;
      return response.getRetraction();
    });
  }
  auto begin = session.beginPushRequest();
  EncodeIdentity(profile, begin.initProfile());
  return begin.send().then([](auto response) -> Begun {
    if (response.getAlreadyApplied()) return std::nullopt;
    return response.getPush();
  });
}

// Streams `items` in chunks of `chunk` entries, one streaming call at a time
// as flow control admits it. `items` must outlive the promise.
template <typename T, typename Send>
kj::Promise<void> StreamChunks(std::span<const T> items, size_t chunk, Send send) {
  if (items.empty()) return kj::READY_NOW;
  size_t count = std::min(chunk, items.size());
  return send(items.first(count)).then([items, chunk, count, send]() mutable {
    return StreamChunks(items.subspan(count), chunk, send);
  });
}

// Each load order goes in one addRun call: a run is never split.
kj::Promise<void> StreamRuns(schema::PushSession::Client push, const GraphUpdate& update) {
  kj::Promise<void> runs = kj::READY_NOW;
  for (const auto& run : update.runs) {
    if (run.size() > schema::K_MAX_CHUNK_ENTRIES) {
      return kj::Promise<void>(KJ_EXCEPTION(
          FAILED, "invalid input: push: a run's load order has more than the chunk limit",
          run.size()));
    }
    runs = runs.then([&run, push]() mutable {
      auto request = push.addRunRequest();
      EncodeHashes(run, request.initLoadOrder(run.size()));
      return request.send();
    });
  }
  return runs;
}

// Streams everything of `update` but its commit: edges, names, functions,
// runs, loads, in that order. `update` must outlive the promise.
kj::Promise<void> StreamContents(schema::PushSession::Client push, const GraphUpdate& update,
                                 size_t chunk) {
  auto edges = StreamChunks(std::span<const EdgeDelta>(update.edges), chunk,
                            [push](std::span<const EdgeDelta> part) mutable {
                              auto request = push.addEdgesRequest();
                              EncodeEdges(part, request.initEdges(part.size()));
                              return request.send();
                            });
  return edges
      .then([&update, chunk, push]() mutable {
        return StreamChunks(std::span<const std::pair<BlobHash, std::string>>(update.names), chunk,
                            [push](std::span<const std::pair<BlobHash, std::string>> part) mutable {
                              auto request = push.addNamesRequest();
                              EncodeNames(part, request.initNames(part.size()));
                              return request.send();
                            });
      })
      .then([&update, chunk, push]() mutable {
        return StreamChunks(std::span<const BlobHash>(update.functions), chunk,
                            [push](std::span<const BlobHash> part) mutable {
                              auto request = push.addFunctionsRequest();
                              EncodeHashes(part, request.initFunctions(part.size()));
                              return request.send();
                            });
      })
      .then([&update, push]() mutable { return StreamRuns(push, update); })
      .then([&update, chunk, push]() mutable {
        return StreamChunks(std::span<const LoadWeights>(update.loads), chunk,
                            [push](std::span<const LoadWeights> part) mutable {
                              auto request = push.addLoadsRequest();
                              EncodeLoads(part, request.initLoads(part.size()));
                              return request.send();
                            });
      });
}

// Commits with the counts sent, so the server can tell a lost chunk.
kj::Promise<PushResult> Commit(schema::PushSession::Client push, const GraphUpdate& update) {
  auto commit = push.commitRequest();
  commit.setEdges(update.edges.size());
  commit.setNames(update.names.size());
  commit.setFunctions(update.functions.size());
  commit.setRuns(update.runs.size());
  commit.setLoads(update.loads.size());
  commit.setRunWeight(update.run_weight);
  return commit.send().then([](auto response) {
    return PushResult{response.getAlreadyApplied(), response.getEdgesApplied(), 1};
  });
}

}  // namespace

Result<PushResult> ProfileClient::Push(const GraphUpdate& update) {
  return Send(update, /*retract=*/false);
}

Result<PushResult> ProfileClient::Send(const GraphUpdate& update, bool retract) {
  if (!update.profile) {
    return Status::InvalidInput(impl_->context + (retract ? ": retract" : ": push") +
                                ": the update has no profile id (set update.profile, "
                                "e.g. ProfileInfo::NewForThisHost(), once per recorded run)");
  }
  const size_t chunk = impl_->options.chunk_entries;
  uint32_t attempts = 0;
  auto result = impl_->Call<PushResult>(
      retract ? "retract" : "push",
      [&update, chunk, retract](schema::Session::Client& session) {
        return BeginSend(session, *update.profile, retract)
            .then([&update, chunk](
                      std::optional<schema::PushSession::Client> begun) -> kj::Promise<PushResult> {
              if (!begun) return PushResult{true, 0, 1};
              auto push = *begun;
              return StreamContents(push, update, chunk).then([&update, push]() mutable {
                return Commit(push, update);
              });
            });
      },
      &attempts);
  if (result.ok()) result->attempts = attempts;
  return result;
}

Result<RetractOutcome> ProfileClient::Retract(const GraphUpdate& update) {
  auto sent = Send(update, /*retract=*/true);
  if (!sent.ok()) return sent.status();
  RetractOutcome outcome;
  outcome.already_retracted = sent->already_applied;
  outcome.edges = sent->edges_applied;
  return outcome;
}

}  // namespace blobgraph::server
