// ProfileClient's queries: pull (received through a ProfileSink), the start
// set, callees, prefetch, statistics and the profile listing.
#include "blobgraph/profile_client.h"

#include "server/profile_client_connection.h"

namespace blobgraph::server {
namespace {

// Receives a pull's chunks into an update shared with the pull call.
class SinkImpl final : public schema::ProfileSink::Server {
 public:
  explicit SinkImpl(std::shared_ptr<GraphUpdate> out) : out_(std::move(out)) {}
  kj::Promise<void> edges(EdgesContext context) override {
    DecodeEdges(context.getParams().getEdges(), "pull: edges", &out_->edges);
    return kj::READY_NOW;
  }
  kj::Promise<void> names(NamesContext context) override {
    DecodeNames(context.getParams().getNames(), "pull: names", &out_->names);
    return kj::READY_NOW;
  }
  kj::Promise<void> functions(FunctionsContext context) override {
    DecodeHashes(context.getParams().getFunctions(), "pull: functions", &out_->functions);
    return kj::READY_NOW;
  }
  kj::Promise<void> loads(LoadsContext context) override {
    DecodeLoads(context.getParams().getLoads(), "pull: loads", &out_->loads);
    return kj::READY_NOW;
  }

 private:
  std::shared_ptr<GraphUpdate> out_;
};

}  // namespace

Result<GraphUpdate> ProfileClient::Pull(const PullOptions& options) {
  return impl_->Call<GraphUpdate>("pull", [options](schema::Session::Client& session) {
    auto out = std::make_shared<GraphUpdate>();
    auto request = session.pullRequest();
    auto wire = request.initOptions();
    wire.setMaxFunctions(options.max_functions);
    wire.setMaxBytes(options.max_bytes);
    wire.setMinCalls(options.min_calls);
    wire.setIncludeNames(options.include_names);
    wire.setIncludeLoads(true);
    request.setSink(kj::heap<SinkImpl>(out));
    return request.send().then([out](auto response) {
      auto summary = response.getSummary();
      if (summary.getEdges() != out->edges.size() || summary.getNames() != out->names.size() ||
          summary.getDeclared() != out->functions.size() ||
          summary.getLoads() != out->loads.size()) {
        kj::throwFatalException(KJ_EXCEPTION(FAILED,
                                             "corruption: pull: the server sent a summary "
                                             "that does not match the chunks received",
                                             summary.getEdges(), out->edges.size()));
      }
      out->run_weight = summary.getRunWeight();
      return std::move(*out);
    });
  });
}

Result<std::vector<BlobHash>> ProfileClient::StartSet(uint32_t max) {
  return impl_->Call<std::vector<BlobHash>>("startSet", [max](schema::Session::Client& session) {
    auto request = session.startSetRequest();
    request.setMax(max);
    return request.send().then([](auto response) {
      std::vector<BlobHash> hashes;
      DecodeHashes(response.getFunctions(), "startSet", &hashes);
      return hashes;
    });
  });
}

Result<std::vector<CalleeInfo>> ProfileClient::Callees(const BlobHash& caller, uint32_t max) {
  return impl_->Call<std::vector<CalleeInfo>>("callees", [caller,
                                                          max](schema::Session::Client& session) {
    auto request = session.calleesRequest();
    request.setCaller(HashData(caller));
    request.setMax(max);
    return request.send().then([](auto response) {
      std::vector<CalleeInfo> callees;
      auto list = response.getCallees();
      callees.reserve(list.size());
      for (size_t i = 0; i < list.size(); ++i) {
        callees.push_back({DecodeHash(list[i].getCallee(), "callees", i), list[i].getStaticCount(),
                           list[i].getDynamicCount(), list[i].getProbability()});
      }
      return callees;
    });
  });
}

Result<std::vector<Prediction>> ProfileClient::Prefetch(const BlobHash& hash,
                                                        const PrefetchOptions& options) {
  return impl_->Call<std::vector<Prediction>>(
      "prefetch", [hash, options](schema::Session::Client& session) {
        auto request = session.prefetchRequest();
        request.setStart(HashData(hash));
        auto wire = request.initOptions();
        wire.setMaxDepth(options.max_depth);
        wire.setTopN(options.top_n);
        wire.setMinProbability(options.min_probability);
        wire.setMaxResults(options.enabled ? options.max_results : 0);
        return request.send().then([](auto response) {
          std::vector<Prediction> predictions;
          auto list = response.getPredictions();
          for (size_t i = 0; i < list.size(); ++i) {
            predictions.push_back({DecodeHash(list[i].getHash(), "prefetch", i),
                                   list[i].getProbability(), list[i].getDepth()});
          }
          return predictions;
        });
      });
}

Result<ServerStats> ProfileClient::Stats() {
  return impl_->Call<ServerStats>("stats", [](schema::Session::Client& session) {
    return session.statsRequest().send().then([](auto response) {
      auto wire = response.getStats();
      ServerStats stats;
      stats.store.functions = wire.getFunctions();
      stats.store.edges = wire.getEdges();
      stats.store.static_total = wire.getStaticTotal();
      stats.store.dynamic_total = wire.getDynamicTotal();
      stats.store.bytes_on_disk = wire.getBytesOnDisk();
      stats.store.runs = wire.getRuns();
      stats.store.profiles = wire.getProfiles();
      stats.pushes_applied = wire.getPushesApplied();
      stats.pushes_duplicate = wire.getPushesDuplicate();
      stats.pushes_failed = wire.getPushesFailed();
      stats.edges_applied = wire.getEdgesApplied();
      stats.connections_open = wire.getConnectionsOpen();
      stats.connections_total = wire.getConnectionsTotal();
      stats.snapshot.version = wire.getSnapshotVersion();
      stats.snapshot.functions = wire.getSnapshotFunctions();
      stats.snapshot.edges = wire.getSnapshotEdges();
      stats.uptime_ms = wire.getUptimeMs();
      return stats;
    });
  });
}

Result<ServerProfiles> ProfileClient::Profiles(uint32_t max) {
  return impl_->Call<ServerProfiles>("profiles", [max](schema::Session::Client& session) {
    auto request = session.profilesRequest();
    request.setMax(max);
    return request.send().then([](auto response) {
      ServerProfiles out;
      out.total = response.getTotal();
      out.truncated = response.getTruncated();
      for (auto entry : response.getProfiles()) {
        ProfileRecord record;
        auto id = entry.getId();
        auto digest = entry.getDigest();
        if (id.size() != record.info.id.size() || digest.size() != record.digest.size()) {
          ThrowStatus(Status::InvalidInput("profiles: server sent a record with an id of " +
                                           std::to_string(id.size()) + " bytes or a digest of " +
                                           std::to_string(digest.size())));
        }
        std::copy(id.begin(), id.end(), record.info.id.begin());
        std::copy(digest.begin(), digest.end(), record.digest.begin());
        record.info.source_host = entry.getSourceHost();
        record.info.created_unix_ms = entry.getCreatedUnixMs();
        record.merged_unix_ms = entry.getMergedUnixMs();
        record.edges = entry.getEdges();
        record.retracted = entry.getRetracted();
        record.retracted_unix_ms = entry.getRetractedUnixMs();
        out.profiles.push_back(std::move(record));
      }
      return out;
    });
  });
}

}  // namespace blobgraph::server
