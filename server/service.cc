// The RPC objects of one connection: ProfileService (bootstrap) and Session
// (after authentication); a push's PushSession is in push_session.cc.
#include <cstdarg>
#include <cstdio>
#include <memory>

#include <capnp/capability.h>
#include <kj/debug.h>

#include "core/quote.h"
#include "schema/profile_service.capnp.h"
#include "server/pull.h"
#include "server/push_session.h"
#include "server/retract_rpc.h"
#include "server/server_core.h"
#include "server/wire.h"

namespace blobgraph::server {
namespace {

class SessionImpl final : public schema::Session::Server {
 public:
  SessionImpl(ServerCore& core, std::shared_ptr<ConnectionInfo> info)
      : core_(core), info_(std::move(info)) {}

  kj::Promise<void> beginPush(BeginPushContext context) override {
    if (core_.stopping.load()) ThrowStatus(Status::Busy("beginPush: server is shutting down"));
    ProfileInfo profile = DecodeIdentity(context.getParams().getProfile(), "beginPush");
    CheckSourceHost(profile);
    auto seen = core_.store->HasProfile(profile.id);
    if (!seen.ok()) ThrowStatus(seen.status().WithContext("beginPush"));
    auto results = context.getResults();
    if (*seen) {
      // Answered without a session; the commit path checks again (a push of
      // the same id may be committing right now on another connection).
      results.setAlreadyApplied(true);
      core_.counters.pushes_duplicate.fetch_add(1);
      core_.Log("push %s from %s: already applied", profile.IdHex().c_str(), info_->peer.c_str());
      return kj::READY_NOW;
    }
    OpenPushSession(core_.options, *info_->push_budget);
    results.setPush(NewPushSession(core_, info_, std::move(profile), /*retract=*/false));
    return kj::READY_NOW;
  }

  kj::Promise<void> beginRetract(BeginRetractContext context) override {
    if (core_.stopping.load()) ThrowStatus(Status::Busy("beginRetract: server is shutting down"));
    ProfileInfo profile = DecodeIdentity(context.getParams().getProfile(), "beginRetract");
    CheckSourceHost(profile);
    auto results = context.getResults();
    if (AlreadyRetracted(core_, profile, info_->peer)) {
      results.setAlreadyRetracted(true);
      return kj::READY_NOW;
    }
    // A retraction streams a profile's contents like a push: the same budgets.
    OpenPushSession(core_.options, *info_->push_budget);
    results.setRetraction(NewPushSession(core_, info_, std::move(profile), /*retract=*/true));
    return kj::READY_NOW;
  }

  kj::Promise<void> profiles(ProfilesContext context) override {
    ++info_->queries;
    ServerCore& core = core_;
    uint32_t max = context.getParams().getMax();
    return core_.readers.Run([&core, max]() { return ListProfiles(core, max); })
        .then([context](const ProfileListing& listing) mutable {
          EncodeListing(listing, context.getResults());
        });
  }

  kj::Promise<void> pull(PullContext context) override {
    ++info_->queries;
    auto params = context.getParams();
    auto options = params.getOptions();
    PullRequest request{options.getMaxFunctions(), options.getMaxBytes(), options.getMinCalls(),
                        options.getIncludeNames(), options.getIncludeLoads()};
    auto channel = std::make_shared<PullChannel>();
    channel->sink = params.getSink();
    auto started = std::chrono::steady_clock::now();
    ServerCore& core = core_;
    auto job =
        core_.readers.Run([&core, request, channel]() { return RunPull(core, request, channel); });
    // Whatever ends the call (done, failed, cancelled), drop the sink on
    // this thread so a job still running cannot use it.
    auto clear = kj::defer([channel]() { channel->sink = nullptr; });
    return job
        .then(
            [this, context, started](PullSummary summary) mutable {
              auto out = context.getResults().initSummary();
              out.setFunctions(summary.functions);
              out.setEdges(summary.edges);
              out.setNames(summary.names);
              out.setDeclared(summary.declared);
              out.setLoads(summary.loads);
              out.setRunWeight(summary.run_weight);
              core_.Log("pull from %s: %llu functions, %llu edges, %llu names in %.1f ms",
                        info_->peer.c_str(), (unsigned long long)summary.functions,
                        (unsigned long long)summary.edges, (unsigned long long)summary.names,
                        MillisSince(started));
            },
            [this, started](kj::Exception&& exception) {
              core_.Log("pull from %s: failed after %.1f ms: %s", info_->peer.c_str(),
                        MillisSince(started), exception.getDescription().cStr());
              kj::throwFatalException(kj::mv(exception));
            })
        .attach(kj::mv(clear));
  }

  kj::Promise<void> startSet(StartSetContext context) override {
    ++info_->queries;
    size_t max = std::min<size_t>(context.getParams().getMax(), schema::K_MAX_CHUNK_ENTRIES);
    std::vector<BlobHash> hashes(max);
    hashes.resize(core_.engine->StartSet(max, hashes.data()));
    EncodeHashes(hashes, context.getResults().initFunctions(hashes.size()));
    return kj::READY_NOW;
  }

  kj::Promise<void> callees(CalleesContext context) override {
    ++info_->queries;
    auto params = context.getParams();
    BlobHash caller = DecodeHash(params.getCaller(), "callees", 0);
    auto callees = core_.store->Callees(caller);
    if (!callees.ok()) ThrowStatus(callees.status().WithContext("callees"));
    size_t count = callees->size();
    if (params.getMax() && params.getMax() < count) count = params.getMax();
    count = std::min<size_t>(count, schema::K_MAX_CHUNK_ENTRIES);
    auto out = context.getResults().initCallees(count);
    for (size_t i = 0; i < count; ++i) {
      const CalleeInfo& callee = (*callees)[i];
      out[i].setCallee(HashData(callee.callee));
      out[i].setStaticCount(callee.static_count);
      out[i].setDynamicCount(callee.dynamic_count);
      out[i].setProbability(callee.probability);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> prefetch(PrefetchContext context) override {
    ++info_->queries;
    auto params = context.getParams();
    BlobHash start = DecodeHash(params.getStart(), "prefetch", 0);
    auto wire = params.getOptions();
    PrefetchOptions options;
    options.max_depth = wire.getMaxDepth();
    options.top_n = wire.getTopN();
    options.min_probability = wire.getMinProbability();
    options.max_results = std::min<uint32_t>(wire.getMaxResults(), 1024);
    std::vector<Prediction> predictions(options.max_results);
    predictions.resize(
        core_.engine->Prefetch(start, options, predictions.data(), predictions.size()));
    auto out = context.getResults().initPredictions(predictions.size());
    for (size_t i = 0; i < predictions.size(); ++i) {
      out[i].setHash(HashData(predictions[i].hash));
      out[i].setProbability(predictions[i].probability);
      out[i].setDepth(predictions[i].depth);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> stats(StatsContext context) override {
    ++info_->queries;
    ServerCore& core = core_;
    return core_.readers.Run([&core]() { return core.store->Stats(); })
        .then([this, context](Result<StoreStats> stats) mutable {
          if (!stats.ok()) ThrowStatus(stats.status().WithContext("stats"));
          auto out = context.getResults().initStats();
          out.setFunctions(stats->functions);
          out.setEdges(stats->edges);
          out.setStaticTotal(stats->static_total);
          out.setDynamicTotal(stats->dynamic_total);
          out.setBytesOnDisk(stats->bytes_on_disk);
          out.setRuns(stats->runs);
          out.setProfiles(stats->profiles);
          const ServerCounters& counters = core_.counters;
          out.setPushesApplied(counters.pushes_applied.load());
          out.setPushesDuplicate(counters.pushes_duplicate.load());
          out.setPushesFailed(counters.pushes_failed.load());
          out.setEdgesApplied(counters.edges_applied.load());
          out.setConnectionsOpen(counters.connections_open.load());
          out.setConnectionsTotal(counters.connections_total.load());
          SnapshotInfo snapshot = core_.engine->Snapshot();
          out.setSnapshotVersion(snapshot.version);
          out.setSnapshotFunctions(snapshot.functions);
          out.setSnapshotEdges(snapshot.edges);
          out.setUptimeMs(static_cast<uint64_t>(MillisSince(core_.started)));
        });
  }

 private:
  ServerCore& core_;
  std::shared_ptr<ConnectionInfo> info_;
};

class ProfileServiceImpl final : public schema::ProfileService::Server {
 public:
  ProfileServiceImpl(ServerCore& core, std::shared_ptr<ConnectionInfo> info)
      : core_(core), info_(std::move(info)) {}

  kj::Promise<void> authenticate(AuthenticateContext context) override {
    auto token = context.getParams().getToken();
    std::string_view offered(reinterpret_cast<const char*>(token.begin()), token.size());
    const uint32_t max_failures = core_.options.max_auth_failures;
    std::string limit = std::to_string(max_failures) +
                        " wrong tokens on this connection, the limit (--max-auth-failures " +
                        std::to_string(max_failures) + ")";
    if (info_->auth_failures >= max_failures) {
      // Being dropped: not even the right token is taken now.
      ThrowStatus(Status::InvalidInput("authenticate: refused after " + limit + "; reconnect"));
    }
    if (!core_.token.empty() && !ConstantTimeEquals(offered, core_.token)) {
      uint32_t failures = ++info_->auth_failures;
      bool last = failures >= max_failures;
      core_.Log("connection from %s: authentication failed (%u of %u allowed)%s",
                info_->peer.c_str(), failures, max_failures, last ? ": disconnecting" : "");
      std::string message = "authenticate: authentication failed";
      if (last) message += "; " + limit + ": disconnecting";
      // Answered late, later with each failure, so guessing is slow.
      auto info = info_;
      return core_.timer->afterDelay(AuthFailureDelay(failures)).then([info, last, message]() {
        if (last) info->Drop(kDropLinger);
        ThrowStatus(Status::InvalidInput(message));
      });
    }
    Status admitted = core_.slots.Authenticate(*info_);
    if (!admitted.ok()) {
      core_.Log("connection from %s refused: %s", info_->peer.c_str(), admitted.message().c_str());
      info_->Drop(kDropLinger);
      ThrowStatus(admitted.WithContext("authenticate"));
    }
    info_->authenticated = true;
    context.getResults().setSession(kj::heap<SessionImpl>(core_, info_));
    return kj::READY_NOW;
  }

 private:
  ServerCore& core_;
  std::shared_ptr<ConnectionInfo> info_;
};

}  // namespace

void ServerCore::Log(const char* format, ...) const {
  if (!options.log) return;
  char line[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof(line), format, args);
  va_end(args);
  std::fprintf(stderr, "blobgraph serve: %s\n", EscapeForTerminal(line).c_str());
}

capnp::Capability::Client NewProfileService(ServerCore& core,
                                            std::shared_ptr<ConnectionInfo> info) {
  return kj::heap<ProfileServiceImpl>(core, std::move(info));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Walk b's length whatever a is, and fold every difference in with OR, so
  // neither the position of the first mismatch nor a's length shows in time.
  volatile unsigned char difference = static_cast<unsigned char>(a.size() != b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    difference = difference | (x ^ static_cast<unsigned char>(b[i]));
  }
  return difference == 0;
}

}  // namespace blobgraph::server
