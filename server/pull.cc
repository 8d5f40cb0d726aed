#include "server/pull.h"

#include <algorithm>
#include <vector>

#include <kj/debug.h>

#include "server/send_deadline.h"
#include "server/wire.h"

namespace blobgraph::server {
namespace {

// Entries per sink call: large enough that per-call overhead vanishes, small
// enough (~800 KiB of edges) to keep the flow-control window's memory low.
constexpr size_t kPullChunkEntries = 8192;

struct Candidate {
  BlobHash hash;
  uint64_t calls = 0;       // observed calls in + out
  uint64_t call_sites = 0;  // static in + out, breaks ties among cold functions
  uint64_t callees = 0;
};

bool Hotter(const Candidate& a, const Candidate& b) {
  if (a.calls != b.calls) return a.calls > b.calls;
  if (a.call_sites != b.call_sites) return a.call_sites > b.call_sites;
  return a.hash < b.hash;
}

// Sends chunks through the channel from a reader thread (see pull.h).
class ChunkSender {
 public:
  ChunkSender(ServerCore& core, std::shared_ptr<PullChannel> channel)
      : core_(core), channel_(std::move(channel)) {}

  void SendEdges(std::vector<EdgeDelta>& chunk) {
    if (chunk.empty()) return;
    Send([&](schema::ProfileSink::Client& sink) {
      auto request = sink.edgesRequest();
      EncodeEdges(chunk, request.initEdges(chunk.size()));
      return request.send();
    });
    chunk.clear();
  }
  void SendNames(std::vector<std::pair<BlobHash, std::string>>& chunk) {
    if (chunk.empty()) return;
    Send([&](schema::ProfileSink::Client& sink) {
      auto request = sink.namesRequest();
      EncodeNames(chunk, request.initNames(chunk.size()));
      return request.send();
    });
    chunk.clear();
  }
  void SendLoads(std::vector<LoadWeights>& chunk) {
    if (chunk.empty()) return;
    Send([&](schema::ProfileSink::Client& sink) {
      auto request = sink.loadsRequest();
      EncodeLoads(chunk, request.initLoads(chunk.size()));
      return request.send();
    });
    chunk.clear();
  }
  void SendFunctions(std::vector<BlobHash>& chunk) {
    if (chunk.empty()) return;
    Send([&](schema::ProfileSink::Client& sink) {
      auto request = sink.functionsRequest();
      EncodeHashes(chunk, request.initFunctions(chunk.size()));
      return request.send();
    });
    chunk.clear();
  }

 private:
  template <typename Build>
  void Send(Build&& build) {
    if (core_.stopping.load(std::memory_order_acquire)) {
      ThrowStatus(Status::Busy("pull: server is shutting down"));
    }
    // Blocks this reader thread until the streaming call is admitted.
    core_.loop_executor->executeSync([&]() -> kj::Promise<void> {
      KJ_IF_MAYBE (sink, channel_->sink) {
        return WithSendDeadline(core_, build(*sink));
      }
      return KJ_EXCEPTION(DISCONNECTED, "pull: the client went away");
    });
  }

  ServerCore& core_;
  std::shared_ptr<PullChannel> channel_;
};

// Runs a store scan whose visitor may throw: the exception is carried past
// the store (which expects a Status back) and rethrown here.
template <typename Scan>
void ScanOrThrow(const char* what, Scan&& scan) {
  kj::Maybe<kj::Exception> failure;
  Status status = scan([&](auto&& body) -> Status {
    KJ_IF_MAYBE (exception, kj::runCatchingExceptions(body)) {
      failure = kj::mv(*exception);
      return Status::IOError("pull aborted");
    }
    return Status::Ok();
  });
  KJ_IF_MAYBE (exception, failure) {
    kj::throwFatalException(kj::mv(*exception));
  }
  if (!status.ok()) ThrowStatus(status.WithContext(what));
}

// The load records of the functions `wanted` accepts (all: a full pull),
// with the store's run weight in the summary. Like the rest of a pull, not
// one snapshot: a push applied during the pull may show in part.
template <typename Wanted>
void SendLoadRecords(ServerCore& core, const PullRequest& request, ChunkSender& sender,
                     Wanted&& wanted, PullSummary* summary) {
  if (!request.include_loads) return;
  auto run_weight = core.store->RunWeight();
  if (!run_weight.ok()) ThrowStatus(run_weight.status().WithContext("pull: run weight"));
  summary->run_weight = *run_weight;
  std::vector<LoadWeights> loads;
  ScanOrThrow("pull: loads", [&](auto guard) {
    return core.store->ForEachLoadRecord([&](const LoadRecord& record) {
      return guard([&] {
        if (!wanted(record.hash)) return;
        loads.push_back({record.hash, record.run_weight, record.position_weight});
        ++summary->loads;
        if (loads.size() == kPullChunkEntries) sender.SendLoads(loads);
      });
    });
  });
  sender.SendLoads(loads);
}

PullSummary FullPull(ServerCore& core, const PullRequest& request, ChunkSender& sender) {
  PullSummary summary;
  std::vector<EdgeDelta> edges;
  ScanOrThrow("pull: edges", [&](auto guard) {
    return core.store->ForEachCaller(
        [&](const BlobHash& caller, std::span<const CalleeInfo> callees) {
          return guard([&] {
            for (const CalleeInfo& callee : callees) {
              edges.push_back({caller, callee.callee, callee.static_count, callee.dynamic_count});
              if (edges.size() == kPullChunkEntries) sender.SendEdges(edges);
            }
            summary.edges += callees.size();
          });
        });
  });
  sender.SendEdges(edges);

  std::vector<BlobHash> declared;
  ScanOrThrow("pull: functions", [&](auto guard) {
    return core.store->ForEachNode([&](const NodeRecord& node) {
      return guard([&] {
        ++summary.functions;
        if (node.callers == 0 && node.callees == 0) {  // known only by declaration
          declared.push_back(node.hash);
          ++summary.declared;
          if (declared.size() == kPullChunkEntries) sender.SendFunctions(declared);
        }
      });
    });
  });
  sender.SendFunctions(declared);

  if (request.include_names) {
    std::vector<std::pair<BlobHash, std::string>> names;
    ScanOrThrow("pull: names", [&](auto guard) {
      return core.store->ForEachName([&](const BlobHash& hash, std::string_view name) {
        return guard([&] {
          names.emplace_back(hash, std::string(name));
          ++summary.names;
          if (names.size() == kPullChunkEntries) sender.SendNames(names);
        });
      });
    });
    sender.SendNames(names);
  }
  SendLoadRecords(
      core, request, sender, [](const BlobHash&) { return true; }, &summary);
  return summary;
}

// The hottest functions that satisfy the request's limits, in hash order.
std::vector<Candidate> SelectHot(ServerCore& core, const PullRequest& request) {
  std::vector<Candidate> candidates;
  // With a count limit, keep memory bounded on big stores by trimming to the
  // best `limit` whenever the buffer doubles.
  const size_t limit = request.max_functions;
  ScanOrThrow("pull: functions", [&](auto guard) {
    return core.store->ForEachNode([&](const NodeRecord& node) {
      return guard([&] {
        // in + out may pass 2^64 (each alone fits): saturate, never wrap.
        auto sum = [](uint64_t a, uint64_t b) { return a > ~b ? ~uint64_t{0} : a + b; };
        Candidate candidate{node.hash, sum(node.in_dynamic, node.out_dynamic),
                            sum(node.in_static, node.out_static), node.callees};
        if (candidate.calls < request.min_calls) return;
        candidates.push_back(candidate);
        if (limit && candidates.size() >= 2 * limit + 4096) {
          std::nth_element(candidates.begin(), candidates.begin() + limit, candidates.end(),
                           Hotter);
          candidates.resize(limit);
        }
      });
    });
  });
  if (limit && candidates.size() > limit) {
    std::nth_element(candidates.begin(), candidates.begin() + limit, candidates.end(), Hotter);
    candidates.resize(limit);
  }
  std::sort(candidates.begin(), candidates.end(), Hotter);
  size_t keep = 0;
  uint64_t bytes = 0;
  for (; keep < candidates.size(); ++keep) {
    if (limit && keep == limit) break;
    uint64_t cost = kFunctionWireBytes + candidates[keep].callees * kEdgeWireBytes;
    if (request.max_bytes && bytes + cost > request.max_bytes) break;
    bytes += cost;
  }
  candidates.resize(keep);
  // Hash order walks the store's keys forward, which its block cache likes.
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.hash < b.hash; });
  return candidates;
}

PullSummary HotPull(ServerCore& core, const PullRequest& request, ChunkSender& sender) {
  PullSummary summary;
  std::vector<Candidate> hot = SelectHot(core, request);
  summary.functions = hot.size();
  std::vector<EdgeDelta> edges;
  std::vector<BlobHash> declared;
  for (const Candidate& function : hot) {
    if (function.callees == 0) {
      declared.push_back(function.hash);
      ++summary.declared;
      if (declared.size() == kPullChunkEntries) sender.SendFunctions(declared);
      continue;
    }
    auto callees = core.store->Callees(function.hash);
    if (!callees.ok()) ThrowStatus(callees.status().WithContext("pull: callees"));
    for (const CalleeInfo& callee : *callees) {
      edges.push_back({function.hash, callee.callee, callee.static_count, callee.dynamic_count});
      if (edges.size() == kPullChunkEntries) sender.SendEdges(edges);
    }
    summary.edges += callees->size();
  }
  sender.SendEdges(edges);
  sender.SendFunctions(declared);

  if (request.include_names) {
    std::vector<std::pair<BlobHash, std::string>> names;
    for (const Candidate& function : hot) {
      auto name = core.store->Name(function.hash);
      if (!name.ok()) ThrowStatus(name.status().WithContext("pull: names"));
      if (!name->has_value()) continue;
      names.emplace_back(function.hash, std::move(**name));
      ++summary.names;
      if (names.size() == kPullChunkEntries) sender.SendNames(names);
    }
    sender.SendNames(names);
  }
  // `hot` is in hash order.
  auto selected = [&hot](const BlobHash& hash) {
    auto at = std::lower_bound(hot.begin(), hot.end(), hash,
                               [](const Candidate& c, const BlobHash& h) { return c.hash < h; });
    return at != hot.end() && at->hash == hash;
  };
  SendLoadRecords(core, request, sender, selected, &summary);
  return summary;
}

}  // namespace

PullSummary RunPull(ServerCore& core, const PullRequest& request,
                    const std::shared_ptr<PullChannel>& channel) {
  ChunkSender sender(core, channel);
  return request.hot() ? HotPull(core, request, sender) : FullPull(core, request, sender);
}

}  // namespace blobgraph::server
