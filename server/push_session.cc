// PushSession: one push (or retraction) being streamed in on a connection,
// its budget charged chunk by chunk, and its commit on the writer thread.
#include "server/push_session.h"

#include <chrono>
#include <string>

#include <kj/debug.h>

#include "server/retract_rpc.h"
#include "server/wire.h"

namespace blobgraph::server {
namespace {

std::string IdHex(const ProfileInfo& info) { return info.IdHex(); }

// What the pushing client reads when the store could not take its push. A
// failed Apply writes nothing, so the push can always be sent again; on a
// full disk the store refuses writes (and keeps serving reads) until space
// returns, then takes them again without a restart (GraphStoreImpl).
Status RefusedPush(const std::string& id, const Status& status) {
  if (status.code() != Status::Code::kIOError) return status.WithContext("push " + id);
  bool no_space = status.message().find("No space left") != std::string::npos;
  return Status::IOError("push " + id + " refused: " +
                         (no_space ? std::string("the server's store has no space left on device")
                                   : std::string("the server could not write to its store")) +
                         "; nothing of this push was applied; push it again once " +
                         (no_space ? "space is freed" : "the store is writable") + " (" +
                         status.ToString() + ")");
}

// Outcome of a push's commit on the writer thread.
struct CommitOutcome {
  bool duplicate = false;
  uint64_t edges = 0;
  Status error;  // of a failed Apply; OK on success
};

class PushSessionImpl final : public schema::PushSession::Server {
 public:
  // REQUIRES: OpenPushSession admitted it on the connection. `retract`: the
  // contents stream in the same way, and commit takes the profile back
  // (retract_rpc.h) instead of applying it.
  PushSessionImpl(ServerCore& core, std::shared_ptr<ConnectionInfo> info, ProfileInfo profile,
                  bool retract)
      : core_(core),
        info_(std::move(info)),
        budget_(core.options, &core.counters.pending_push_bytes, info_->push_budget,
                profile.IdHex()),
        retract_(retract) {
    update_.profile = std::move(profile);
    core_.counters.pushes_open.fetch_add(1);
  }
  ~PushSessionImpl() noexcept(false) {
    if (!finished_) {
      core_.counters.pushes_open.fetch_sub(1);
      ClosePushSession(*info_->push_budget);
    }
  }

  kj::Promise<void> addEdges(AddEdgesContext context) override {
    auto edges = context.getParams().getEdges();
    Guard([&] {
      Admit(update_.edges.size(), edges.size(), "addEdges");
      budget_.ReserveEdges(&update_.edges, edges.size(), "addEdges");
      DecodeEdges(edges, "addEdges", &update_.edges);
    });
    return kj::READY_NOW;
  }
  kj::Promise<void> addNames(AddNamesContext context) override {
    auto names = context.getParams().getNames();
    Guard([&] {
      Admit(update_.names.size(), names.size(), "addNames");
      budget_.ReserveNames(&update_.names, names, "addNames");
      DecodeNames(names, "addNames", &update_.names);
    });
    return kj::READY_NOW;
  }
  kj::Promise<void> addFunctions(AddFunctionsContext context) override {
    auto functions = context.getParams().getFunctions();
    Guard([&] {
      Admit(update_.functions.size(), functions.size(), "addFunctions");
      budget_.ReserveHashes(&update_.functions, functions.size(), "addFunctions");
      DecodeHashes(functions, "addFunctions", &update_.functions);
    });
    return kj::READY_NOW;
  }
  kj::Promise<void> addRun(AddRunContext context) override {
    auto order = context.getParams().getLoadOrder();
    Guard([&] {
      Admit(run_entries_, order.size(), "addRun");
      budget_.ReserveRun(&update_.runs, order.size(), "addRun");
      std::vector<BlobHash> run;
      run.reserve(order.size());
      DecodeHashes(order, "addRun", &run);
      run_entries_ += order.size();
      update_.runs.push_back(std::move(run));
    });
    return kj::READY_NOW;
  }
  kj::Promise<void> addLoads(AddLoadsContext context) override {
    auto loads = context.getParams().getLoads();
    Guard([&] {
      Admit(update_.loads.size(), loads.size(), "addLoads");
      budget_.Reserve(&update_.loads, loads.size(), "addLoads");
      DecodeLoads(loads, "addLoads", &update_.loads);
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> commit(CommitContext context) override {
    auto params = context.getParams();
    Guard([&] { CheckCommit(params); });
    finished_ = true;  // the writer job now owns the push's accounting
    ClosePushSession(*info_->push_budget);
    return QueueCommit().then([this, context](const CommitOutcome& outcome) mutable {
      if (!outcome.error.ok()) ThrowStatus(outcome.error);
      ++info_->pushes;
      info_->edges_pushed += outcome.edges;
      auto results = context.getResults();
      results.setAlreadyApplied(outcome.duplicate);
      results.setEdgesApplied(outcome.duplicate ? 0 : outcome.edges);
    });
  }

 private:
  // commit's check that the client's declared counts are what arrived.
  void CheckCommit(schema::PushSession::CommitParams::Reader params) {
    Admit(0, 0, "commit");
    CheckCount("edges", params.getEdges(), update_.edges.size());
    CheckCount("names", params.getNames(), update_.names.size());
    CheckCount("functions", params.getFunctions(), update_.functions.size());
    CheckCount("runs", params.getRuns(), update_.runs.size());
    CheckCount("loads", params.getLoads(), update_.loads.size());
    update_.run_weight = params.getRunWeight();
  }

  // Hands the push to the writer thread, which applies (or retracts) it.
  // The push's bytes stay charged until the writer is done with them.
  kj::Promise<CommitOutcome> QueueCommit() {
    auto started = std::chrono::steady_clock::now();
    ServerCore& core = core_;
    std::string peer = info_->peer;
    return core_.writer.Run([&core, update = std::move(update_), budget = std::move(budget_),
                             peer = std::move(peer), started, retract = retract_]() mutable {
      CommitOutcome outcome;
      if (retract) {
        RetractionOutcome retracted = RunRetraction(core, update, peer, started);
        outcome = CommitOutcome{retracted.already_retracted, retracted.edges, retracted.error};
      } else {
        outcome = ApplyPush(core, update, peer, started);
      }
      update = GraphUpdate();
      budget.Release();
      return outcome;
    });
  }

  // Runs on the writer thread: the only writer, so checking the id and
  // applying cannot interleave with another push of the same id. Logs and
  // counts here, so a push whose client went away is still accounted for.
  static CommitOutcome ApplyPush(ServerCore& core, const GraphUpdate& update,
                                 const std::string& peer,
                                 std::chrono::steady_clock::time_point started) {
    CommitOutcome outcome;
    outcome.edges = update.edges.size();
    auto apply_started = std::chrono::steady_clock::now();
    const std::string id = IdHex(*update.profile);
    auto seen = core.store->HasProfile(update.profile->id);
    Status status = seen.ok() ? Status::Ok() : seen.status();
    if (status.ok() && *seen) {
      outcome.duplicate = true;
      core.counters.pushes_duplicate.fetch_add(1);
    } else if (status.ok()) {
      status = core.store->Apply(update);
    }
    core.counters.pushes_open.fetch_sub(1);
    if (!status.ok()) {
      core.counters.pushes_failed.fetch_add(1);
      outcome.error = RefusedPush(id, status);
      core.Log("push %s from %s: failed after %.1f ms: %s", id.c_str(), peer.c_str(),
               MillisSince(started), outcome.error.ToString().c_str());
      return outcome;
    }
    if (!outcome.duplicate) {
      core.counters.pushes_applied.fetch_add(1);
      core.counters.edges_applied.fetch_add(update.edges.size());
    }
    core.Log(
        "push %s from %s (%s): %zu edges, %zu names, %zu functions, %zu runs: %s in %.1f ms "
        "(%.1f ms queued)",
        id.c_str(), peer.c_str(), update.profile->source_host.c_str(), update.edges.size(),
        update.names.size(), update.functions.size(), update.runs.size(),
        outcome.duplicate ? "already applied" : "applied", MillisSince(apply_started),
        MillisSince(started) - MillisSince(apply_started));
    return outcome;
  }

  // Any error poisons the push: a chunk may have been half decoded, so
  // nothing of it may be applied; later calls and commit repeat the error.
  template <typename Body>
  void Guard(Body&& body) {
    if (!failure_.ok()) ThrowStatus(failure_);
    KJ_IF_MAYBE (exception, kj::runCatchingExceptions(body)) {
      failure_ = schema::StatusFromException(*exception, Status::Code::kIOError, "");
      auto profile = std::move(update_.profile);
      update_ = GraphUpdate();  // frees the push's memory now, not at disconnect
      update_.profile = std::move(profile);
      budget_.Release();
      kj::throwFatalException(kj::mv(*exception));
    }
  }

  // Refuses more entries past the push cap, and anything after commit.
  void Admit(uint64_t have, uint64_t more, const char* what) {
    if (finished_) {
      ThrowStatus(Status::InvalidInput(std::string(what) + ": push " + IdHex(*update_.profile) +
                                       " was already committed"));
    }
    if (have + more > core_.options.max_push_edges) {
      ThrowStatus(Status::InvalidInput(
          std::string(what) + ": push " + IdHex(*update_.profile) + " exceeds the limit of " +
          std::to_string(core_.options.max_push_edges) + " entries per kind (" +
          std::to_string(have + more) + " sent)"));
    }
  }
  void CheckCount(const char* what, uint64_t declared, uint64_t received) {
    if (declared == received) return;
    ThrowStatus(Status::InvalidInput("commit: push " + IdHex(*update_.profile) + ": client sent " +
                                     std::to_string(declared) + " " + what + ", server received " +
                                     std::to_string(received)));
  }

  ServerCore& core_;
  std::shared_ptr<ConnectionInfo> info_;
  PushBudget budget_;  // what update_ holds, charged (push_budget.h)
  const bool retract_;
  GraphUpdate update_;
  uint64_t run_entries_ = 0;
  bool finished_ = false;
  Status failure_;  // first error, poisons the push
};

}  // namespace

schema::PushSession::Client NewPushSession(ServerCore& core, std::shared_ptr<ConnectionInfo> info,
                                           ProfileInfo profile, bool retract) {
  return kj::heap<PushSessionImpl>(core, std::move(info), std::move(profile), retract);
}

}  // namespace blobgraph::server
